# Tests tagged :python_integration or :integration start real Python workers; run them
# with `mix test --only python_integration` / `mix test --only integration` once the
# venv exists (`nox -s setup`) or PITPOOL_PYTHON points at an interpreter.
ExUnit.start(exclude: [:python_integration, :integration])
