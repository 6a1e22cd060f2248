"""noxpit: nox sessions for Elixir libraries that run Python workers on the same node."""
