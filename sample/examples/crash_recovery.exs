# A worker process dies; its supervisor starts a new one and the pool serves again.
#
#     mix run --no-start examples/crash_recovery.exs
Code.require_file("bootstrap.exs", __DIR__)

Examples.start!(2)

Examples.step("worker 0 before the crash")

{:ok, old_os_pid} =
  Examples.show("Pitpool.call(:pid, [], worker: 0)", Pitpool.call(:pid, [], worker: 0))

Examples.step("crash it (the Python process exits with status 3)")

Examples.expect!(
  "Pitpool.call(:crash, [3], worker: 0)",
  Pitpool.call(:crash, [3], worker: 0),
  {:error, {:worker_exited, 3}}
)

Examples.step("wait for the restart")

new_os_pid =
  Examples.wait_until("worker 0 to come back", fn ->
    case Pitpool.call(:pid, [], worker: 0) do
      {:ok, os_pid} when os_pid != old_os_pid -> os_pid
      _restarting -> nil
    end
  end)

IO.puts("    worker 0 restarted: os pid #{old_os_pid} -> #{new_os_pid}")

Examples.expect!(
  ~s|Pitpool.call(:upper, ["still here"], worker: 0)|,
  Pitpool.call(:upper, ["still here"], worker: 0),
  {:ok, "STILL HERE"}
)

Examples.expect!("Pitpool.ping()", Pitpool.ping(), :ok)

Examples.done()
