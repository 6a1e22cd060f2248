# A tiny REPL: every line you type is upper-cased by a Python worker. Ends on "quit"
# or end of input (Ctrl-D).
#
#     mix run --no-start examples/interactive.exs
Code.require_file("bootstrap.exs", __DIR__)

defmodule Interactive do
  @moduledoc false

  def loop do
    case IO.gets("pitpool> ") do
      line when is_binary(line) ->
        case String.trim(line) do
          "quit" ->
            :quit

          "" ->
            loop()

          text ->
            case Pitpool.call(:upper, [text]) do
              {:ok, upper} -> IO.puts(upper)
              {:error, reason} -> IO.puts("error: #{inspect(reason)}")
            end

            loop()
        end

      _eof_or_error ->
        IO.puts("")
        :eof
    end
  end
end

Examples.start!(1)
IO.puts(~s|Type text to upper-case it in Python; "quit" or Ctrl-D ends.|)
Interactive.loop()
IO.puts("bye")
