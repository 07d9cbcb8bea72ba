# tallyscope: offline OCR and forensics for scanned election result forms.
# Build (BuildKit; the host's CA bundle is a build secret, never stored in the image):
#   DOCKER_BUILDKIT=1 docker build --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt -t tallyscope .
# Run:  docker run --rm -v "$PWD":/data tallyscope batch /data/scans -o /data/out

FROM debian:bookworm-slim AS builder
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3=3.11.* python3-venv=3.11.* \
 && rm -rf /var/lib/apt/lists/*
RUN python3 -m venv /opt/venv
WORKDIR /opt/tallyscope
# Dependencies first (cached while only the code changes).
COPY pyproject.toml README.md ./
COPY pipeline/__init__.py pipeline/
RUN --mount=type=secret,id=ca,required=false \
    --mount=type=secret,id=pipindex,required=false \
    if [ -s /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca; fi; \
    if [ -s /run/secrets/pipindex ]; then PIP_INDEX_URL="$(cat /run/secrets/pipindex)"; export PIP_INDEX_URL; fi; \
    /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check . \
 && /opt/venv/bin/pip uninstall -y --disable-pip-version-check tallyscope
COPY pipeline/ pipeline/
COPY models/ models/
# Editable install: the package finds models/ next to pipeline/, as in the repo.
RUN --mount=type=secret,id=ca,required=false \
    --mount=type=secret,id=pipindex,required=false \
    if [ -s /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca; fi; \
    if [ -s /run/secrets/pipindex ]; then PIP_INDEX_URL="$(cat /run/secrets/pipindex)"; export PIP_INDEX_URL; fi; \
    /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check --no-deps -e .
RUN find /opt/venv /opt/tallyscope -name '__pycache__' -type d -prune -exec rm -rf {} + \
 && /opt/venv/bin/pip uninstall -y --disable-pip-version-check pip setuptools wheel >/dev/null 2>&1 || true

FROM debian:bookworm-slim
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      python3=3.11.* \
      tesseract-ocr=5.3.* tesseract-ocr-eng=1:4.1.* \
      tesseract-ocr-urd=1:4.1.* tesseract-ocr-osd=1:4.1.* \
      libglib2.0-0=2.74.* \
 && rm -rf /var/lib/apt/lists/*
COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /opt/tallyscope /opt/tallyscope
RUN useradd --system --uid 10001 --user-group --home-dir /data --no-create-home tallyscope \
 && mkdir -p /data && chown tallyscope:tallyscope /data
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    OMP_THREAD_LIMIT=1 \
    OMP_NUM_THREADS=1 \
    MPLCONFIGDIR=/tmp
USER 10001:10001
WORKDIR /data
ENTRYPOINT ["tallyscope"]
CMD ["--help"]
