defmodule PitpoolTest do
  # Runs without Python: the test environment starts no pool (config :pitpool, start_pool: false).
  use ExUnit.Case, async: true

  import Pitpool.TestSupport

  alias Pitpool.{Pool, Worker}

  @moduletag :capture_log

  describe "without a running pool" do
    test "calls return an error instead of raising" do
      assert Pitpool.call(:ping, [], pool: unique_pool_name()) == {:error, :pool_not_started}
      assert Pitpool.ping(pool: unique_pool_name()) == {:error, :pool_not_started}
      assert Pitpool.workers(unique_pool_name()) == []
      assert Pool.size(unique_pool_name()) == {:error, :pool_not_started}
    end

    test "the default pool is not started under test" do
      assert Pitpool.call(:ping) == {:error, :pool_not_started}
    end
  end

  describe "starting workers that are not Python workers" do
    setup :tmp_dir

    test "a process that exits at once fails the start with its status", %{tmp_dir: dir} do
      python = fake_python!(dir, "exit 7")

      assert {:error, {message, _child}} = start_supervised({Worker, python: python})
      assert message == "Python worker exited with status 7 during startup (its stderr is above)"
    end

    test "a process that never answers fails the start after the startup timeout", %{
      tmp_dir: dir
    } do
      python = fake_python!(dir, "exec cat > /dev/null")

      assert {:error, {message, _child}} =
               start_supervised({Worker, python: python, startup_timeout: 200})

      assert message == "Python worker did not announce itself within 200 ms"
    end

    test "a process that answers garbage fails the start", %{tmp_dir: dir} do
      python = fake_python!(dir, ~S"printf '\000\000\000\003abc'; exec cat > /dev/null")

      assert {:error, {message, _child}} = start_supervised({Worker, python: python})
      assert message =~ "announced itself with {:error, :invalid_term}"
    end

    test "a pool whose workers cannot start does not start", %{tmp_dir: dir} do
      python = fake_python!(dir, "exit 1")
      pool = unique_pool_name()

      assert {:error, _reason} = start_supervised({Pool, name: pool, size: 2, python: python})
      assert Pitpool.call(:ping, [], pool: pool) == {:error, :pool_not_started}
    end
  end

  test "the pool size must be a positive integer" do
    assert_raise ArgumentError, ~r/pool size must be a positive integer/, fn ->
      Pool.start_link(name: unique_pool_name(), size: 0, python: "/bin/true")
    end
  end
end
