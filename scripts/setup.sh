#!/usr/bin/env bash
# Sets moor up on a fresh Debian 12 machine (as root): installs the host packages moor uses,
# builds it, and starts moord in the background on the default socket (/run/moor.sock).
# Safe to run again: an already running moord is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  runc conmon socat tini iptables iproute2 busybox-static attr e2fsprogs openssl ca-certificates procps util-linux tar gzip bzip2 xz-utils zstd git >/dev/null
npm ci --no-audit --no-fund
npm run build

socket=/run/moor.sock
if [ -S "$socket" ] && bin/moor -H "unix://$socket" version >/dev/null 2>&1; then
  echo "moord is already running on $socket"
else
  nohup bin/moord >>/var/log/moord.log 2>&1 &
  for _ in $(seq 1 100); do
    [ -S "$socket" ] && break
    sleep 0.1
  done
  [ -S "$socket" ] || { echo "moord did not start; see /var/log/moord.log" >&2; exit 1; }
  echo "moord started (pid $!), logging to /var/log/moord.log"
fi
bin/moor version
bin/moor bootstrap
