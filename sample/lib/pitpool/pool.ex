defmodule Pitpool.Pool do
  @moduledoc """
  A named pool of `Pitpool.Worker`s and the way to pick one.

  The application starts the default pool, named `Pitpool`, when `:start_pool` is true
  (the default). Start more pools in your own supervision tree:

      children = [
        {Pitpool.Pool, name: MyApp.Pythons, size: 4}
      ]

  and pass `pool: MyApp.Pythons` to `Pitpool.call/3`.

  Each pool is a supervisor (`:rest_for_one`) over a `Registry` that names the workers
  by index and a `Pitpool.WorkerSupervisor` that restarts them. Workers are handed out
  round-robin; a worker that is restarting is skipped.
  """

  use Supervisor

  alias Pitpool.Python

  @default_name Pitpool

  @typedoc "A pool's registered name."
  @type name :: atom()

  @typedoc "Options for `start_link/1`."
  @type option ::
          {:name, name()}
          | {:size, pos_integer()}
          | {:python, Path.t()}
          | {:package_dir, Path.t()}
          | {:startup_timeout, timeout()}
          | {:max_restarts, non_neg_integer()}

  @typedoc "Which worker to use: the next one round-robin, or one by index."
  @type selector :: :next | non_neg_integer()

  @doc """
  Starts a pool of Python workers.

  Options:

    * `:name` - the pool's name (default `Pitpool`);
    * `:size` - how many workers (default: the `:pool_size` application setting, else 2);
    * `:python` - the interpreter (default: `Pitpool.Python.find/1`);
    * `:package_dir`, `:startup_timeout` - passed to each `Pitpool.Worker`;
    * `:max_restarts` - worker restarts allowed within 5 seconds (default 10).

  Returns `{:error, message}` when no interpreter is found.
  """
  @spec start_link([option]) :: Supervisor.on_start()
  def start_link(opts \\ []) do
    name = Keyword.get(opts, :name, @default_name)
    size = Keyword.get_lazy(opts, :size, fn -> Application.get_env(:pitpool, :pool_size, 2) end)

    unless is_integer(size) and size > 0 do
      raise ArgumentError, "pool size must be a positive integer, got: #{inspect(size)}"
    end

    with {:ok, python} <- fetch_python(opts) do
      worker_opts = Keyword.take(opts, [:package_dir, :startup_timeout, :max_restarts])
      Supervisor.start_link(__MODULE__, {name, size, python, worker_opts}, name: name)
    end
  end

  @doc false
  @spec child_spec([option]) :: Supervisor.child_spec()
  def child_spec(opts) do
    %{
      id: Keyword.get(opts, :name, @default_name),
      start: {__MODULE__, :start_link, [opts]},
      type: :supervisor
    }
  end

  @impl Supervisor
  def init({name, size, python, worker_opts}) do
    counter = :atomics.new(1, signed: false)

    children = [
      {Registry, keys: :unique, name: registry(name), meta: [size: size, counter: counter]},
      {Pitpool.WorkerSupervisor,
       Keyword.merge(worker_opts, registry: registry(name), size: size, python: python)}
    ]

    Supervisor.init(children, strategy: :rest_for_one)
  end

  @doc """
  Picks a worker of `pool`.

  `:next` walks the workers round-robin, skipping any that is restarting; an index
  picks that worker.
  """
  @spec worker(name(), selector()) ::
          {:ok, pid()} | {:error, :pool_not_started | :no_worker}
  def worker(pool, selector \\ :next) do
    with {:ok, size, counter} <- meta(pool) do
      case selector do
        :next ->
          start = :atomics.add_get(counter, 1, 1)

          Enum.find_value(
            0..(size - 1),
            {:error, :no_worker},
            &lookup(pool, rem(start + &1, size))
          )

        index when is_integer(index) and index >= 0 and index < size ->
          lookup(pool, index) || {:error, :no_worker}

        _index ->
          {:error, :no_worker}
      end
    end
  end

  @doc "The workers of `pool` that are running now, as `{index, pid}` sorted by index."
  @spec workers(name()) :: [{non_neg_integer(), pid()}]
  def workers(pool) do
    case meta(pool) do
      {:ok, size, _counter} ->
        for index <- 0..(size - 1), {:ok, pid} <- [lookup(pool, index)], do: {index, pid}

      {:error, :pool_not_started} ->
        []
    end
  end

  @doc "The configured number of workers of `pool`."
  @spec size(name()) :: {:ok, pos_integer()} | {:error, :pool_not_started}
  def size(pool) do
    with {:ok, size, _counter} <- meta(pool), do: {:ok, size}
  end

  defp fetch_python(opts) do
    case Keyword.fetch(opts, :python) do
      {:ok, python} -> {:ok, python}
      :error -> Python.find()
    end
  end

  defp registry(pool), do: Module.concat(pool, Registry)

  defp meta(pool) do
    registry = registry(pool)

    with pid when is_pid(pid) <- Process.whereis(registry),
         {:ok, size} <- Registry.meta(registry, :size),
         {:ok, counter} <- Registry.meta(registry, :counter) do
      {:ok, size, counter}
    else
      _not_running -> {:error, :pool_not_started}
    end
  rescue
    # The registry stopped between the lookup and the read.
    ArgumentError -> {:error, :pool_not_started}
  end

  defp lookup(pool, index) do
    case Registry.lookup(registry(pool), index) do
      [{pid, _value}] -> {:ok, pid}
      [] -> nil
    end
  end
end
