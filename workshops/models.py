"""Models of the workshops app."""
