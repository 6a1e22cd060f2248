# Ping a Python worker and echo a few terms through it.
#
#     mix run --no-start examples/hello.exs
Code.require_file("bootstrap.exs", __DIR__)

Examples.start!()

Examples.step("ping")
Examples.expect!("Pitpool.ping()", Pitpool.ping(), :ok)

Examples.step("echo terms through Python and back")

Examples.expect!(
  ~s|Pitpool.call(:echo, ["hello"])|,
  Pitpool.call(:echo, ["hello"]),
  {:ok, "hello"}
)

term = %{"list" => [1, 2.5, nil], "tuple" => {:ok, true}, "big" => 2 ** 70}

Examples.expect!(
  "Pitpool.call(:echo, [#{inspect(term)}])",
  Pitpool.call(:echo, [term]),
  {:ok, term}
)

Examples.step("ask the worker about itself")
{:ok, info} = Examples.show("Pitpool.call(:info, [])", Pitpool.call(:info, []))
IO.puts("    Python #{info["python"]} (#{info["implementation"]}) at #{info["executable"]}")

Examples.done()
