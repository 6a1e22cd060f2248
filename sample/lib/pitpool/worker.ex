defmodule Pitpool.Worker do
  @moduledoc """
  A GenServer that owns one Python worker OS process through a Port.

  The process is started as `python3 -m pitpool_worker` in `priv/python` and speaks
  `Pitpool.Protocol` over its stdin and stdout. `init/1` waits for the worker to answer
  a ping, so a started worker is a serving worker.

  Requests are pipelined: each gets an id, the caller's deadline becomes a timer, and the
  reply is matched back by id. When something goes wrong the worker stops and its
  supervisor starts a fresh one; every waiting caller gets `{:error, reason}`:

    * a request passes its deadline: that caller gets `{:error, :timeout}`, the others
      `{:error, :worker_restarting}`, and the OS process is killed (its state is unknown);
    * the OS process exits (for example the `crash` command):
      `{:error, {:worker_exited, status}}`;
    * the worker sends something that is not a reply: `{:error, {:protocol_error, reason}}`.

  Whatever the worker prints on stderr goes to the VM's stderr.
  """

  use GenServer

  require Logger

  alias Pitpool.Protocol

  @startup_timeout 10_000
  # How much longer than a request's timeout the caller waits for the worker to answer
  # with `{:error, :timeout}` itself.
  @call_grace 100

  @typedoc "Options for `start_link/1`."
  @type option ::
          {:python, Path.t()}
          | {:package_dir, Path.t()}
          | {:index, non_neg_integer()}
          | {:name, GenServer.name()}
          | {:startup_timeout, timeout()}

  @typedoc "Why a request failed on the Elixir side (Python's own errors are strings)."
  @type error_reason ::
          :timeout
          | :worker_restarting
          | :worker_stopped
          | {:worker_exited, integer()}
          | {:worker_down, term()}
          | {:protocol_error, term()}

  defstruct [:port, :os_pid, :index, next_id: 1, pending: %{}]

  @doc """
  Starts a worker and its Python process, returning once the process answers a ping.

  Requires `:python` (the interpreter path). `:package_dir` defaults to
  `Pitpool.Python.package_dir/0`.
  """
  @spec start_link([option]) :: GenServer.on_start()
  def start_link(opts) do
    GenServer.start_link(__MODULE__, opts, Keyword.take(opts, [:name]))
  end

  @doc """
  Sends `command` with `args` to `worker` and waits at most `timeout` ms for the reply.

  Never raises or exits: a dead, stuck or restarting worker gives `{:error, reason}`.
  """
  @spec request(GenServer.server(), Protocol.command(), list(), timeout()) ::
          {:ok, term()} | {:error, error_reason() | term()}
  def request(worker, command, args, timeout)
      when (is_atom(command) or is_binary(command)) and is_list(args) do
    GenServer.call(worker, {:request, command, args, deadline(timeout)}, call_timeout(timeout))
  catch
    :exit, {:timeout, _call} -> {:error, :timeout}
    :exit, {reason, _call} -> {:error, {:worker_down, reason}}
  end

  @doc "The OS pid of the worker's Python process."
  @spec os_pid(GenServer.server()) :: {:ok, non_neg_integer()} | {:error, {:worker_down, term()}}
  def os_pid(worker) do
    {:ok, GenServer.call(worker, :os_pid)}
  catch
    :exit, {reason, _call} -> {:error, {:worker_down, reason}}
  end

  @impl GenServer
  def init(opts) do
    Process.flag(:trap_exit, true)
    python = Keyword.fetch!(opts, :python)
    package_dir = Keyword.get_lazy(opts, :package_dir, &Pitpool.Python.package_dir/0)
    startup_timeout = Keyword.get(opts, :startup_timeout, @startup_timeout)

    with {:ok, port} <- open_port(python, package_dir),
         :ok <- await_ready(port, startup_timeout),
         {:os_pid, os_pid} <- Port.info(port, :os_pid) do
      {:ok, %__MODULE__{port: port, os_pid: os_pid, index: Keyword.get(opts, :index, 0)}}
    else
      nil -> {:stop, "Python worker exited right after announcing itself"}
      {:error, message} -> {:stop, message}
    end
  end

  @impl GenServer
  def handle_call({:request, command, args, deadline}, from, state) do
    remaining = remaining(deadline)

    if remaining == 0 do
      {:reply, {:error, :timeout}, state}
    else
      send_request(state, command, args, remaining, from)
    end
  end

  def handle_call(:os_pid, _from, state) do
    {:reply, state.os_pid, state}
  end

  @impl GenServer
  def handle_info({port, {:data, payload}}, %{port: port} = state) do
    case Protocol.decode_reply(payload) do
      {:ok, {id, status, result}} ->
        {:noreply, deliver(state, id, {status, result})}

      {:error, reason} ->
        Logger.error("Pitpool worker #{state.index} broke the protocol: #{inspect(reason)}")
        kill(state)
        state = fail_pending(state, {:error, {:protocol_error, reason}})
        {:stop, {:shutdown, :protocol_error}, %{state | port: nil}}
    end
  end

  def handle_info({port, {:exit_status, status}}, %{port: port} = state) do
    Logger.warning(
      "Pitpool worker #{state.index} (os pid #{state.os_pid}) exited with status #{status}"
    )

    state = fail_pending(state, {:error, {:worker_exited, status}})
    {:stop, {:shutdown, {:exit_status, status}}, %{state | port: nil}}
  end

  def handle_info({:request_timeout, id}, state) do
    case Map.pop(state.pending, id) do
      {nil, _pending} ->
        {:noreply, state}

      {{from, _timer, command}, pending} ->
        GenServer.reply(from, {:error, :timeout})

        Logger.warning(
          "Pitpool worker #{state.index}: #{command} request timed out; " <>
            "killing os pid #{state.os_pid} and restarting"
        )

        kill(state)
        state = fail_pending(%{state | pending: pending}, {:error, :worker_restarting})
        {:stop, {:shutdown, :request_timeout}, %{state | port: nil}}
    end
  end

  def handle_info({:EXIT, port, reason}, %{port: port} = state) do
    state = fail_pending(state, {:error, {:worker_down, reason}})
    {:stop, {:shutdown, {:port_closed, reason}}, %{state | port: nil}}
  end

  def handle_info(_message, state) do
    {:noreply, state}
  end

  @impl GenServer
  def terminate(_reason, state) do
    state = fail_pending(state, {:error, :worker_stopped})
    close_port(state.port)
  end

  defp open_port(python, package_dir) do
    port =
      Port.open({:spawn_executable, python}, [
        :binary,
        :exit_status,
        {:packet, 4},
        args: ["-m", "pitpool_worker"],
        cd: package_dir,
        env: [
          {~c"PYTHONPATH", String.to_charlist(python_path(package_dir))},
          {~c"PYTHONDONTWRITEBYTECODE", ~c"1"}
        ]
      ])

    {:ok, port}
  rescue
    error in ErlangError ->
      {:error, "cannot start #{python} in #{package_dir}: #{Exception.message(error)}"}
  end

  defp python_path(package_dir) do
    case System.get_env("PYTHONPATH", "") do
      "" -> package_dir
      existing -> package_dir <> ":" <> existing
    end
  end

  # The worker announces itself with {0, :ok, "ready"} before reading any request, so
  # nothing is written to a process that may already have exited (which would close the
  # port with :epipe and lose the exit status).
  defp await_ready(port, timeout) do
    receive do
      {^port, {:data, payload}} ->
        case Protocol.decode_reply(payload) do
          {:ok, {0, :ok, "ready"}} -> :ok
          other -> {:error, "Python worker announced itself with #{inspect(other)}"}
        end

      {^port, {:exit_status, status}} ->
        {:error,
         "Python worker exited with status #{status} during startup (its stderr is above)"}

      {:EXIT, ^port, reason} ->
        {:error, "Python worker's port closed during startup: #{inspect(reason)}"}
    after
      timeout ->
        close_port(port)
        {:error, "Python worker did not announce itself within #{timeout} ms"}
    end
  end

  defp send_request(state, command, args, remaining, from) do
    id = state.next_id

    case send_to_port(state.port, Protocol.encode_request(id, command, args)) do
      :ok ->
        timer = start_timer(id, remaining)
        pending = Map.put(state.pending, id, {from, timer, command})
        {:noreply, %{state | next_id: id + 1, pending: pending}}

      :closed ->
        # The process is gone; its exit message is next in the mailbox.
        {:reply, {:error, :worker_restarting}, state}
    end
  end

  defp start_timer(_id, :infinity), do: nil

  defp start_timer(id, remaining),
    do: Process.send_after(self(), {:request_timeout, id}, remaining)

  defp send_to_port(port, payload) do
    Port.command(port, payload)
    :ok
  rescue
    ArgumentError -> :closed
  end

  defp deliver(state, id, reply) do
    case Map.pop(state.pending, id) do
      {nil, _pending} ->
        state

      {{from, timer, _command}, pending} ->
        cancel_timer(timer)
        GenServer.reply(from, reply)
        %{state | pending: pending}
    end
  end

  defp fail_pending(state, reply) do
    Enum.each(state.pending, fn {_id, {from, timer, _command}} ->
      cancel_timer(timer)
      GenServer.reply(from, reply)
    end)

    %{state | pending: %{}}
  end

  # A stuck worker may ignore its closed stdin, so it is killed outright.
  defp kill(%{port: port, os_pid: os_pid}) do
    with kill when is_binary(kill) <- System.find_executable("kill") do
      {_output, _status} =
        System.cmd(kill, ["-KILL", Integer.to_string(os_pid)], stderr_to_stdout: true)
    end

    close_port(port)
  end

  defp cancel_timer(nil), do: :ok

  defp cancel_timer(timer) do
    _ = Process.cancel_timer(timer)
    :ok
  end

  # Closing stdin makes the worker exit on its own (see worker.py).
  defp close_port(nil), do: :ok

  defp close_port(port) do
    Port.close(port)
    :ok
  rescue
    ArgumentError -> :ok
  end

  defp deadline(:infinity), do: :infinity
  defp deadline(timeout), do: System.monotonic_time(:millisecond) + timeout

  defp remaining(:infinity), do: :infinity
  defp remaining(deadline), do: max(deadline - System.monotonic_time(:millisecond), 0)

  defp call_timeout(:infinity), do: :infinity
  defp call_timeout(timeout), do: timeout + @call_grace
end
