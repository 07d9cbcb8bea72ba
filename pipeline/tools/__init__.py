"""External tools, one module each: the only places they are called."""
