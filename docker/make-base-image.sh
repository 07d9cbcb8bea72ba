#!/usr/bin/env bash
# Make the Dockerfile's base image locally when no image registry is reachable:
# debootstrap --variant=minbase bookworm, then `docker import` tagged with the FROM name.
# Uses the host's Debian mirror (from /etc/apt/sources.list*), falling back to deb.debian.org.
set -euo pipefail
tag="${1:-debian:bookworm-slim}"
if docker image inspect "$tag" >/dev/null 2>&1; then
  exit 0
fi
if timeout 60 docker pull "$tag" >/dev/null 2>&1; then
  exit 0
fi
command -v debootstrap >/dev/null 2>&1 || apt-get install -y --no-install-recommends debootstrap >/dev/null
mirror="$(grep -rhoE '^(URIs:|deb) +[^ ]*' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null \
  | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)"
mirror="${mirror:-http://deb.debian.org/debian}"
root="$(mktemp -d /tmp/tallyscope-rootfs.XXXXXX)"
trap 'rm -rf "$root"' EXIT
echo "debootstrap bookworm from $mirror" >&2
nice -n 10 debootstrap --variant=minbase bookworm "$root" "$mirror" >/tmp/tallyscope-debootstrap.log 2>&1
security="${mirror%/debian}/debian-security"
cat >"$root/etc/apt/sources.list" <<SOURCES
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
SOURCES
# Like the official slim image: no docs, no apt caches.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* \
  "$root"/usr/share/man/* "$root"/usr/share/info/*
tar -C "$root" -c . | docker import - "$tag" >/dev/null
echo "imported $tag" >&2
