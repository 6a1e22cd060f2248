# Shared by the examples; not an example itself. Load it with
#
#     Code.require_file("bootstrap.exs", __DIR__)
#
# Examples run as `mix run --no-start examples/<name>.exs`, so they start Pitpool here.
defmodule Examples do
  @moduledoc false

  @doc "Starts the application with `size` workers (default: the `:pool_size` setting)."
  def start!(size \\ nil) do
    # Mix has loaded the app and its config; settings put now apply when it starts.
    if size, do: Application.put_env(:pitpool, :pool_size, size)
    Application.put_env(:pitpool, :start_pool, true)

    case Application.ensure_all_started(:pitpool) do
      {:ok, _apps} ->
        {:ok, size} = Pitpool.Pool.size(Pitpool)
        step("started Pitpool with #{size} Python worker(s)")

      {:error, {:pitpool, {message, _mfa}}} when is_binary(message) ->
        fail!(message)

      {:error, reason} ->
        fail!("could not start Pitpool: #{inspect(reason)}")
    end
  end

  @doc "Prints one step of the example."
  def step(message), do: IO.puts("==> " <> message)

  @doc "Prints `label => result` and returns the result."
  def show(label, result) do
    IO.puts("    #{label} => #{inspect(result)}")
    result
  end

  @doc "Fails the example unless `result` equals `expected`."
  def expect!(label, result, expected) do
    show(label, result)
    unless result == expected, do: fail!("#{label}: expected #{inspect(expected)}")
    result
  end

  @doc "Polls `fun` until it returns a truthy value, or fails after `timeout` ms."
  def wait_until(what, fun, timeout \\ 5_000) do
    deadline = System.monotonic_time(:millisecond) + timeout
    poll(what, fun, deadline)
  end

  defp poll(what, fun, deadline) do
    cond do
      result = fun.() ->
        result

      System.monotonic_time(:millisecond) > deadline ->
        fail!("timed out waiting for #{what}")

      true ->
        Process.sleep(20)
        poll(what, fun, deadline)
    end
  end

  @doc "Reports success; examples call it last."
  def done, do: IO.puts("ok")

  @doc "Prints `message` on stderr and exits with status 1."
  def fail!(message) do
    IO.puts(:stderr, "error: " <> message)
    System.halt(1)
  end
end
