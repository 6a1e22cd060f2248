defmodule Pitpool.TestSupport do
  @moduledoc false

  import ExUnit.Assertions

  @doc "The interpreter for integration tests, or a failed test saying how to get one."
  @spec python!() :: Path.t()
  def python! do
    case Pitpool.Python.find() do
      {:ok, python} -> python
      {:error, message} -> flunk(message)
    end
  end

  @doc "A pool name no other test uses."
  @spec unique_pool_name() :: atom()
  def unique_pool_name do
    :"pitpool_test_pool_#{System.unique_integer([:positive])}"
  end

  @doc """
  A fresh directory under the system temp dir, removed when the test ends.

  Use it as a setup callback (`setup :tmp_dir`); it adds `:tmp_dir` to the context.
  """
  @spec tmp_dir(map()) :: %{tmp_dir: Path.t()}
  def tmp_dir(_context) do
    dir = Path.join(System.tmp_dir!(), "pitpool_test_#{System.unique_integer([:positive])}")
    File.mkdir_p!(dir)
    ExUnit.Callbacks.on_exit(fn -> File.rm_rf!(dir) end)
    %{tmp_dir: dir}
  end

  @doc "A fake interpreter: an executable shell script with `body`."
  @spec fake_python!(Path.t(), String.t()) :: Path.t()
  def fake_python!(dir, body) do
    path = Path.join(dir, "python3")
    File.write!(path, "#!/bin/sh\n" <> body <> "\n")
    File.chmod!(path, 0o755)
    path
  end

  @doc "Polls `fun` until it returns a truthy value, failing after `timeout` ms."
  @spec wait_until((() -> result), non_neg_integer()) :: result when result: term()
  def wait_until(fun, timeout \\ 5_000) do
    deadline = System.monotonic_time(:millisecond) + timeout
    do_wait_until(fun, deadline, timeout)
  end

  defp do_wait_until(fun, deadline, timeout) do
    if result = fun.() do
      result
    else
      if System.monotonic_time(:millisecond) > deadline do
        flunk("condition not met within #{timeout} ms")
      end

      Process.sleep(20)
      do_wait_until(fun, deadline, timeout)
    end
  end
end
