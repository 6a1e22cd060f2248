# A call to a stuck worker returns {:error, :timeout} within its timeout; the stuck
# process is killed and replaced.
#
#     mix run --no-start examples/timeouts.exs
Code.require_file("bootstrap.exs", __DIR__)

Examples.start!(2)

{:ok, old_os_pid} = Pitpool.call(:pid, [], worker: 1)

Examples.step("ask worker 1 to sleep 30 s, with a 500 ms timeout")
started = System.monotonic_time(:millisecond)

Examples.expect!(
  "Pitpool.call(:sleep, [30_000], worker: 1, timeout: 500)",
  Pitpool.call(:sleep, [30_000], worker: 1, timeout: 500),
  {:error, :timeout}
)

elapsed = System.monotonic_time(:millisecond) - started
IO.puts("    answered after #{elapsed} ms")
if elapsed > 1_500, do: Examples.fail!("the timeout took #{elapsed} ms")

Examples.step("meanwhile worker 0 was never blocked")

Examples.expect!(
  "Pitpool.call(:add, [1, 2], worker: 0)",
  Pitpool.call(:add, [1, 2], worker: 0),
  {:ok, 3}
)

Examples.step("worker 1 was replaced")

new_os_pid =
  Examples.wait_until("worker 1 to come back", fn ->
    case Pitpool.call(:pid, [], worker: 1) do
      {:ok, os_pid} when os_pid != old_os_pid -> os_pid
      _restarting -> nil
    end
  end)

IO.puts("    os pid #{old_os_pid} -> #{new_os_pid}")

Examples.step("a call that finishes in time")

Examples.expect!(
  "Pitpool.call(:sleep, [50], timeout: 2_000)",
  Pitpool.call(:sleep, [50], timeout: 2_000),
  {:ok, 50}
)

Examples.done()
