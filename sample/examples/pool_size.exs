# Start a pool of a given size and show that every worker is a separate process.
#
#     mix run --no-start examples/pool_size.exs [SIZE]    (default 2)
Code.require_file("bootstrap.exs", __DIR__)

size =
  case System.argv() do
    [] ->
      2

    [arg] ->
      case Integer.parse(arg) do
        {size, ""} when size > 0 -> size
        _other -> Examples.fail!("pool size must be a positive integer, got: #{arg}")
      end

    _many ->
      Examples.fail!("usage: mix run --no-start examples/pool_size.exs [SIZE]")
  end

Examples.start!(size)

Examples.step("one call per worker")

os_pids =
  for {index, _pid} <- Pitpool.workers() do
    {:ok, os_pid} = Pitpool.call(:pid, [], worker: index)
    IO.puts("    worker #{index}: os pid #{os_pid}")
    os_pid
  end

Examples.expect!("number of distinct worker processes", length(Enum.uniq(os_pids)), size)

Examples.done()
