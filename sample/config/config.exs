import Config

# Workers started with the application. Override per pool with `size:` when a pool is
# started by hand (see `Pitpool.Pool`).
config :pitpool,
  pool_size: 2,
  # Where `.venv/bin/python3` is looked for when PITPOOL_PYTHON is not set.
  project_root: Path.expand("..", __DIR__)

# The default test run needs no Python: integration tests start their own pools.
if config_env() == :test do
  config :pitpool, start_pool: false
end
