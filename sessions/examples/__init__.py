"""examples: see docs/architecture.md."""
