"""The pipeline's stages, one module each: load, normalise, locate, read, marks, tamper, check."""
