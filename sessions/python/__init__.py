"""python: see docs/architecture.md."""
