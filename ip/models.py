"""Models of the ip app."""
