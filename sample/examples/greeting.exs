# Sends the greeting from the PITPOOL_GREETING environment variable through Python.
#
#     PITPOOL_GREETING="hello" mix run --no-start examples/greeting.exs
Code.require_file("bootstrap.exs", __DIR__)

greeting =
  case System.get_env("PITPOOL_GREETING", "") do
    "" ->
      Examples.fail!(
        "PITPOOL_GREETING is not set; run: " <>
          ~s|PITPOOL_GREETING="hello" mix run --no-start examples/greeting.exs|
      )

    greeting ->
      greeting
  end

Examples.start!()

Examples.step("shout the greeting from Python")

Examples.expect!(
  ~s|Pitpool.call(:upper, [#{inspect(greeting)}])|,
  Pitpool.call(:upper, [greeting]),
  {:ok, String.upcase(greeting)}
)

Examples.done()
