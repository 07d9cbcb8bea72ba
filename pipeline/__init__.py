"""tallyscope: offline OCR and document forensics for scanned election result forms."""

__version__ = "0.1.0"
