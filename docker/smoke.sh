#!/usr/bin/env bash
# make docker-smoke: engine -> base image -> build -> non-root -> inspect + schema -> batch,
# and the image's batch output on samples/ must equal the local install's.
set -euo pipefail
cd "$(dirname "$0")/.."
image="${TALLYSCOPE_IMAGE:-tallyscope:smoke}"
samples="${TALLYSCOPE_SAMPLES:-samples}"
py=".venv/bin/python"
export OMP_THREAD_LIMIT=1 OMP_NUM_THREADS=1
step() { printf '\n== %s\n' "$*" >&2; }
started=$SECONDS

step "Docker engine"
bash docker/start-dockerd.sh

# BuildKit (needed for build secrets): the buildx plugin, else a client with BuildKit built in.
build=(docker build)
if ! docker buildx version >/dev/null 2>&1; then
  if [ -x /usr/bin/docker ] && DOCKER_BUILDKIT=1 /usr/bin/docker build --help 2>/dev/null | grep -q -- '--secret'; then
    build=(env DOCKER_BUILDKIT=1 /usr/bin/docker build)
  else
    export DOCKER_BUILDKIT=1
  fi
fi

step "Base image"
base="$(awk 'toupper($1)=="FROM" {print $2; exit}' Dockerfile)"
bash docker/make-base-image.sh "$base"

step "Build $image"
ca="${PIP_CERT:-$(pip config get global.cert 2>/dev/null || true)}"
ca="${ca:-${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}}"
secrets=()
[ -s "$ca" ] && secrets+=(--secret "id=ca,src=$ca")
index="${PIP_INDEX_URL:-$(pip config get global.index-url 2>/dev/null || true)}"
index_file=""
if [ -n "$index" ]; then
  index_file="$(mktemp)"
  printf '%s' "$index" >"$index_file"
  secrets+=(--secret "id=pipindex,src=$index_file")
fi
t0=$SECONDS
nice -n 10 "${build[@]}" "${secrets[@]}" -t "$image" . >&2
[ -n "$index_file" ] && rm -f "$index_file"
build_s=$((SECONDS - t0))
size_bytes="$(docker image inspect --format '{{.Size}}' "$image")"
size_mb=$((size_bytes / 1000000))
echo "built in ${build_s}s, image size ${size_mb} MB" >&2

step "Non-root"
uid="$(docker run --rm --network none --entrypoint id "$image" -u)"
[ "$uid" != "0" ] || { echo "FAIL: the container runs as root" >&2; exit 1; }
echo "runs as uid $uid" >&2

step "Entrypoint"
docker run --rm --network none "$image" --help >/dev/null

work="$(mktemp -d /tmp/tallyscope-smoke.XXXXXX)"
trap 'rm -rf "$work"' EXIT
chmod 0777 "$work"

step "Schema"
docker run --rm --network none "$image" schema >"$work/schema.json"
"$py" -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/schema.json"

first="$(find "$samples" -maxdepth 1 -type f \( -iname '*.png' -o -iname '*.jpg' -o -iname '*.jpeg' \
  -o -iname '*.tif' -o -iname '*.tiff' -o -iname '*.pdf' -o -iname '*.gif' \) | sort | head -n1)"
[ -n "$first" ] || { echo "FAIL: no sample scan in $samples/" >&2; exit 1; }
samples_abs="$(cd "$samples" && pwd)"

step "inspect $(basename "$first")"
rc=0
docker run --rm --network none -v "$samples_abs":/data/samples:ro "$image" \
  inspect --json "/data/samples/$(basename "$first")" >"$work/inspect.json" || rc=$?
# 0: clean form, 1: processed but needs review; anything else is a failure.
[ "$rc" -le 1 ] || { echo "FAIL: inspect exited $rc" >&2; exit 1; }
"$py" docker/validate.py "$work/schema.json" "$work/inspect.json"

step "batch $samples/ (image)"
t0=$SECONDS
rc=0
docker run --rm --network none -v "$samples_abs":/data/samples:ro -v "$work":/data/work "$image" \
  batch /data/samples -o /data/work/image-out --workers 2 >&2 || rc=$?
batch_image_s=$((SECONDS - t0))
[ "$rc" -le 1 ] || [ "$rc" -eq 11 ] || { echo "FAIL: batch in the image exited $rc" >&2; exit 1; }
"$py" docker/validate.py "$work/schema.json" "$work/image-out/forms.jsonl"

step "batch $samples/ (local install)"
t0=$SECONDS
rc=0
.venv/bin/tallyscope batch "$samples_abs" -o "$work/local-out" --workers 2 >&2 || rc=$?
batch_local_s=$((SECONDS - t0))
[ "$rc" -le 1 ] || [ "$rc" -eq 11 ] || { echo "FAIL: local batch exited $rc" >&2; exit 1; }

step "Compare"
"$py" docker/compare.py "$work/image-out/forms.jsonl" "$work/local-out/forms.jsonl"

printf '\nPASS docker-smoke: image %s, %s MB, build %ss, batch image %ss / local %ss, total %ss\n' \
  "$image" "$size_mb" "$build_s" "$batch_image_s" "$batch_local_s" "$((SECONDS - started))"
