defmodule Pitpool.PoolTest do
  # Pools of real Python workers under load and under failure.
  use ExUnit.Case, async: true

  import Pitpool.TestSupport

  alias Pitpool.Pool

  @moduletag :integration
  @moduletag :capture_log

  setup do
    pool = unique_pool_name()
    start_supervised!({Pool, name: pool, size: 3, python: python!()})
    %{pool: pool}
  end

  test "starts the requested number of workers", %{pool: pool} do
    assert Pool.size(pool) == {:ok, 3}
    assert [{0, _}, {1, _}, {2, _}] = Pitpool.workers(pool)
    assert Pitpool.ping(pool: pool) == :ok
  end

  test "serves 50 concurrent calls, spread over every worker", %{pool: pool} do
    results =
      1..50
      |> Task.async_stream(
        fn n ->
          {:ok, sum} = Pitpool.call(:add, [n, n], pool: pool)
          {:ok, os_pid} = Pitpool.call(:pid, [], pool: pool)
          {n, sum, os_pid}
        end,
        max_concurrency: 50,
        timeout: 10_000
      )
      |> Enum.map(fn {:ok, result} -> result end)

    assert Enum.all?(results, fn {n, sum, _os_pid} -> sum == 2 * n end)
    assert results |> Enum.map(&elem(&1, 2)) |> Enum.uniq() |> length() == 3
  end

  test "a crashed worker is restarted with a new process and serves again", %{pool: pool} do
    {:ok, old_os_pid} = Pitpool.call(:pid, [], pool: pool, worker: 1)
    [{1, old_pid}] = Enum.filter(Pitpool.workers(pool), &match?({1, _}, &1))

    assert Pitpool.call(:crash, [3], pool: pool, worker: 1) == {:error, {:worker_exited, 3}}

    new_os_pid =
      wait_until(fn ->
        case Pitpool.call(:pid, [], pool: pool, worker: 1) do
          {:ok, os_pid} when os_pid != old_os_pid -> os_pid
          _restarting -> nil
        end
      end)

    assert is_integer(new_os_pid)
    refute Process.alive?(old_pid)
    assert Pitpool.call(:upper, ["again"], pool: pool, worker: 1) == {:ok, "AGAIN"}
    assert length(Pitpool.workers(pool)) == 3
  end

  test "a stuck worker answers {:error, :timeout} within the timeout", %{pool: pool} do
    {:ok, old_os_pid} = Pitpool.call(:pid, [], pool: pool, worker: 0)
    started = System.monotonic_time(:millisecond)

    assert Pitpool.call(:sleep, [30_000], pool: pool, worker: 0, timeout: 300) ==
             {:error, :timeout}

    elapsed = System.monotonic_time(:millisecond) - started
    assert elapsed >= 300 and elapsed < 1_000

    # The stuck process was killed and replaced.
    wait_until(fn ->
      match?(
        {:ok, os_pid} when os_pid != old_os_pid,
        Pitpool.call(:pid, [], pool: pool, worker: 0)
      )
    end)

    refute os_process_alive?(old_os_pid)
  end

  test "other workers keep serving while one is stuck", %{pool: pool} do
    stuck =
      Task.async(fn -> Pitpool.call(:sleep, [30_000], pool: pool, worker: 2, timeout: 500) end)

    assert Pitpool.call(:upper, ["a"], pool: pool, worker: 0) == {:ok, "A"}
    assert Pitpool.call(:upper, ["b"], pool: pool, worker: 1) == {:ok, "B"}
    assert Task.await(stuck) == {:error, :timeout}
  end

  test "requests queued behind a stuck one fail fast instead of hanging", %{pool: pool} do
    stuck =
      Task.async(fn -> Pitpool.call(:sleep, [30_000], pool: pool, worker: 0, timeout: 300) end)

    Process.sleep(50)
    queued = Pitpool.call(:ping, [], pool: pool, worker: 0, timeout: 5_000)

    assert Task.await(stuck) == {:error, :timeout}
    assert queued == {:error, :worker_restarting}
  end

  test "an unknown worker index is an error", %{pool: pool} do
    assert Pitpool.call(:ping, [], pool: pool, worker: 3) == {:error, :no_worker}
  end

  defp os_process_alive?(os_pid), do: File.exists?("/proc/#{os_pid}")
end
