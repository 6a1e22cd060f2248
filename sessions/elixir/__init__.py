"""elixir: see docs/architecture.md."""
