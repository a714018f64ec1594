#!/usr/bin/env bash
# make a11y: start the reference portal on its embedded defaults, log in as
# the first demo persona at the development IdP, and run the accessibility
# checker over its pages. Reports: a11y.html and a11y.json (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
port=${A11Y_PORT:-8099}
base="http://localhost:$port"
bin=$(mktemp -d)/reference-portal
go build -o "$bin" ./reference-portal
# Without the consent step, so that the overview itself is checked (the
# consent step's own pages are checked by reference-portal's
# TestConsentPagesAccessibility).
PORT=$port ARENDEVY_PREFERENCES_CONSENT=false "$bin" >/dev/null &
pid=$!
trap 'kill -INT $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
go run ./e2e/cmd/a11ycheck \
  -login-url "$base/arendevy/saml/login?return=/" -login-choose 0 \
  -url "$base/" -url "$base/mina-arenden" -url "$base/installningar" \
  -url "$base/om-tjansten" -url "$base/arendevy/producers/lantmateriet" \
  -html a11y.html -json a11y.json
