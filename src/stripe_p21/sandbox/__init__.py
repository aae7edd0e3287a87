"""Local stand-ins for the outside systems, so tests and demos exercise their real behaviour."""
