#!/usr/bin/env bash
# Installs what `make cluster` and `make cluster-faults` need when it is
# missing: HAProxy, Redis, Redis Sentinel and PostgreSQL (the shared
# preferences) from Debian. Idempotent: apt
# runs only when a command is missing, and then updates its lists once.
set -euo pipefail

need=()
command -v haproxy >/dev/null 2>&1 || need+=(haproxy)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v redis-sentinel >/dev/null 2>&1 || need+=(redis-sentinel)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
if ((${#need[@]})); then
  echo "installing from Debian: ${need[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# Where the packages' own services start (systemd), they listen on the usual
# ports; the cluster runs processes of its own on free loopback ports and
# never uses them.
