"""Batch processing of archives: inputs, resume ledger, executors, the run itself."""
