#!/usr/bin/env bash
# Installs what the tests need when it is missing: Chromium and Redis from
# Debian, axe-core from npm (pinned by e2e/package-lock.json). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v npm >/dev/null 2>&1 || need+=(npm)
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
