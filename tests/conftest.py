"""Shared test setup: Tesseract and BLAS/OpenMP limited to one thread (ground.md)."""

import os

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
