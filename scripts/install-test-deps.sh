#!/usr/bin/env bash
# Installs what the tests need when it is missing: Chromium, Redis, Redis
# Sentinel and HAProxy (e2e/cluster's browser test) and PostgreSQL
# (kit/postgres/postgrestest runs its initdb and pg_ctl) from Debian; from
# npm, axe-core (pinned by e2e/package-lock.json) and the
# TypeScript compiler that checks the element's JSDoc types (pinned by
# widget/package-lock.json). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v redis-sentinel >/dev/null 2>&1 || need+=(redis-sentinel)
command -v haproxy >/dev/null 2>&1 || need+=(haproxy)
command -v npm >/dev/null 2>&1 || need+=(npm)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
if ((${#need[@]})); then
  echo "installing from Debian: ${need[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}" >/dev/null
fi

if [ -f e2e/package.json ] && [ ! -f e2e/node_modules/axe-core/axe.min.js ]; then
  echo "installing axe-core from npm (e2e/package-lock.json)"
  (cd e2e && npm ci --no-audit --no-fund --silent)
fi

if [ -f widget/package.json ] && [ ! -x widget/node_modules/.bin/tsc ]; then
  echo "installing typescript from npm (widget/package-lock.json)"
  (cd widget && npm ci --no-audit --no-fund --silent)
fi
