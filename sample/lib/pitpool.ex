defmodule Pitpool do
  @moduledoc """
  Runs Python code in a pool of worker OS processes on the same node.

  Each worker is a `python3 -m pitpool_worker` process behind a Port, spoken to with
  `Pitpool.Protocol`. The application starts the default pool (see
  `Pitpool.Application`); a crashed or stuck worker is replaced by its supervisor.

      Pitpool.call(:upper, ["hello"])
      #=> {:ok, "HELLO"}

  The worker's commands: `ping`, `echo`, `add`, `sum`, `upper`, `sleep` (ms), `crash`
  (exits the process), `pid` and `info`.
  """

  alias Pitpool.{Pool, Worker}

  @default_timeout 5_000

  @typedoc "Options for `call/3` and `ping/1`."
  @type call_option ::
          {:pool, Pool.name()}
          | {:timeout, timeout()}
          | {:worker, Pool.selector()}

  @typedoc """
  Why a call failed: a string is Python's message (unknown command, bad arguments,
  an exception); the rest come from the Elixir side.
  """
  @type error_reason :: String.t() | Worker.error_reason() | :pool_not_started | :no_worker

  @doc """
  Runs `command` with `args` on a worker and returns its result.

  Options:

    * `:timeout` - milliseconds to wait (default #{@default_timeout}); a worker that
      does not answer in time is killed and replaced, and the call returns
      `{:error, :timeout}`;
    * `:pool` - the pool's name (default `Pitpool`);
    * `:worker` - `:next` (round-robin, the default) or a worker index.

  Never raises for worker trouble; every failure is `{:error, reason}`.

  ## Examples

      Pitpool.call(:add, [1, 2])
      #=> {:ok, 3}

      Pitpool.call(:nope, [])
      #=> {:error, "unknown command 'nope'; known: add, crash, echo, info, ping, pid, sleep, sum, upper"}

      Pitpool.call(:sleep, [10_000], timeout: 200)
      #=> {:error, :timeout}

  """
  @spec call(Pitpool.Protocol.command(), list(), [call_option]) ::
          {:ok, term()} | {:error, error_reason()}
  def call(command, args \\ [], opts \\ [])
      when (is_atom(command) or is_binary(command)) and is_list(args) and is_list(opts) do
    pool = Keyword.get(opts, :pool, Pitpool)
    timeout = Keyword.get(opts, :timeout, @default_timeout)

    with {:ok, worker} <- Pool.worker(pool, Keyword.get(opts, :worker, :next)) do
      Worker.request(worker, command, args, timeout)
    end
  end

  @doc """
  Checks that a worker answers; takes the same options as `call/3`.
  """
  @spec ping([call_option]) :: :ok | {:error, error_reason() | {:unexpected_reply, term()}}
  def ping(opts \\ []) do
    case call(:ping, [], opts) do
      {:ok, "pong"} -> :ok
      {:ok, other} -> {:error, {:unexpected_reply, other}}
      {:error, reason} -> {:error, reason}
    end
  end

  @doc "The running workers of a pool as `{index, pid}` (default pool `Pitpool`)."
  @spec workers(Pool.name()) :: [{non_neg_integer(), pid()}]
  def workers(pool \\ Pitpool), do: Pool.workers(pool)
end
