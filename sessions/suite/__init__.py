"""suite: see docs/architecture.md."""
