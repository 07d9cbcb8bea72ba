"""Training code for tallyscope's models (not needed at run time)."""
