#!/usr/bin/env bash
# Start a Docker engine in the background when none answers (machines without systemd).
# Installs docker.io from Debian when dockerd is missing. Log: ${DOCKERD_LOG:-/tmp/tallyscope-dockerd.log}.
set -euo pipefail
log="${DOCKERD_LOG:-/tmp/tallyscope-dockerd.log}"
if docker info >/dev/null 2>&1; then
  exit 0
fi
if ! command -v dockerd >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "no Docker engine and cannot install one (need root + apt-get)" >&2
    exit 1
  fi
  apt-get install -y --no-install-recommends docker.io >/dev/null
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "no Docker engine answers and starting dockerd needs root" >&2
  exit 1
fi
echo "starting dockerd (log: $log)" >&2
nohup dockerd >"$log" 2>&1 &
echo $! >/tmp/tallyscope-dockerd.pid
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    exit 0
  fi
  sleep 1
done
echo "dockerd did not answer within 60 s; see $log" >&2
exit 1
