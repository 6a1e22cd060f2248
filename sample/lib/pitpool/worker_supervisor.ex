defmodule Pitpool.WorkerSupervisor do
  @moduledoc """
  Supervises the fixed set of `Pitpool.Worker`s of one pool (`:one_for_one`).

  Each worker is registered in the pool's `Registry` under its index, so a restarted
  worker takes the place of the one that died.
  """

  use Supervisor

  @typedoc "Options: `:registry`, `:size`, `:python`, plus `Pitpool.Worker` options."
  @type option ::
          {:registry, atom()}
          | {:size, pos_integer()}
          | {:max_restarts, non_neg_integer()}
          | Pitpool.Worker.option()

  @doc "Starts the supervisor and, one after the other, every worker."
  @spec start_link([option]) :: Supervisor.on_start()
  def start_link(opts) do
    Supervisor.start_link(__MODULE__, opts)
  end

  @impl Supervisor
  def init(opts) do
    registry = Keyword.fetch!(opts, :registry)
    size = Keyword.fetch!(opts, :size)
    worker_opts = Keyword.take(opts, [:python, :package_dir, :startup_timeout])

    children =
      for index <- 0..(size - 1) do
        name = {:via, Registry, {registry, index}}
        opts = [index: index, name: name] ++ worker_opts
        Supervisor.child_spec({Pitpool.Worker, opts}, id: {Pitpool.Worker, index})
      end

    Supervisor.init(children,
      strategy: :one_for_one,
      max_restarts: Keyword.get(opts, :max_restarts, 10),
      max_seconds: 5
    )
  end
end
