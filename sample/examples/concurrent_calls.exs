# Many concurrent callers share the pool.
#
#     mix run --no-start examples/concurrent_calls.exs
Code.require_file("bootstrap.exs", __DIR__)

Examples.start!(4)

calls = 200
Examples.step("#{calls} concurrent calls with Task.async_stream")
started = System.monotonic_time(:millisecond)

results =
  1..calls
  |> Task.async_stream(
    fn n ->
      {:ok, square} = Pitpool.call(:sum, [[n, n * (n - 1)]])
      {:ok, os_pid} = Pitpool.call(:pid, [])
      {n, square, os_pid}
    end,
    max_concurrency: 50,
    timeout: 10_000
  )
  |> Enum.map(fn {:ok, result} -> result end)

elapsed = System.monotonic_time(:millisecond) - started
wrong = Enum.reject(results, fn {n, square, _} -> square == n * n end)
unless wrong == [], do: Examples.fail!("wrong results: #{inspect(Enum.take(wrong, 5))}")
IO.puts("    all #{calls} results correct in #{elapsed} ms")

Examples.step("calls per worker process")

results
|> Enum.frequencies_by(fn {_n, _square, os_pid} -> os_pid end)
|> Enum.sort()
|> Enum.each(fn {os_pid, count} -> IO.puts("    os pid #{os_pid}: #{count} calls") end)

Examples.done()
