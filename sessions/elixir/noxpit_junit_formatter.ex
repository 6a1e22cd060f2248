defmodule NoxpitJUnitFormatter do
  @moduledoc """
  An ExUnit formatter that writes one JUnit XML file per `mix test` run, so noxpit can
  report results without adding a dependency to the target project.

  noxpit loads this file with `elixir -r <this file> -S mix test ...`: the module is
  compiled into memory before Mix starts, so Mix's code-path pruning (Elixir 1.15+) cannot
  hide it. It is enabled with `--formatter NoxpitJUnitFormatter` next to
  `--formatter ExUnit.CLIFormatter`, and configured through the environment:

    * `NOXPIT_JUNIT_FILE` - where to write the XML (nothing is written when unset)
    * `NOXPIT_JUNIT_SUITE` - the name of the `<testsuites>` element

  Excluded tests (filtered out by tags) are not part of the run and are left out;
  `@tag :skip` tests are `<skipped/>`; tests of a module whose `setup_all` failed are
  `<error>`. It handles the formatter events of Elixir 1.14 through 1.18.
  """

  use GenServer

  @width 100

  @impl true
  def init(_opts) do
    {:ok,
     %{
       file: System.get_env("NOXPIT_JUNIT_FILE"),
       suite: System.get_env("NOXPIT_JUNIT_SUITE") || "mix test",
       cwd: File.cwd!(),
       modules: [],
       cases: %{},
       module_failures: %{},
       written: false
     }}
  end

  @impl true
  def handle_cast({:test_finished, %ExUnit.Test{state: {:excluded, _}}}, state) do
    {:noreply, state}
  end

  def handle_cast({:test_finished, %ExUnit.Test{} = test}, state) do
    {:noreply, record(state, test)}
  end

  def handle_cast({:module_finished, %{name: name, state: {:failed, failures}} = module}, state) do
    text = format_module_failure(module, failures)
    {:noreply, %{state | module_failures: Map.put(state.module_failures, name, text)}}
  end

  def handle_cast({:suite_finished, _times}, state), do: {:noreply, write(state)}
  def handle_cast({:sigquit, _running}, state), do: {:noreply, write(state)}
  def handle_cast(_event, state), do: {:noreply, state}

  defp record(state, test) do
    module = test.module

    modules =
      if Map.has_key?(state.cases, module), do: state.modules, else: [module | state.modules]

    cases = Map.update(state.cases, module, [test], &[test | &1])
    %{state | modules: modules, cases: cases}
  end

  # --- XML ---------------------------------------------------------------------------

  defp write(%{written: true} = state), do: state
  defp write(%{file: nil} = state), do: state
  defp write(%{file: ""} = state), do: state

  defp write(state) do
    suites = state.modules |> Enum.reverse() |> Enum.map(&suite(state, &1))
    totals = Enum.reduce(suites, counts(), fn {c, _xml}, acc -> add(acc, c) end)

    xml = [
      ~s(<?xml version="1.0" encoding="UTF-8"?>\n),
      "<testsuites",
      attrs([{"name", state.suite} | count_attrs(totals)]),
      ">\n",
      Enum.map(suites, fn {_c, xml} -> xml end),
      "</testsuites>\n"
    ]

    File.mkdir_p!(Path.dirname(state.file))
    tmp = state.file <> ".tmp"
    File.write!(tmp, xml)
    File.rename!(tmp, state.file)
    %{state | written: true}
  end

  defp suite(state, module) do
    tests = state.cases |> Map.fetch!(module) |> Enum.reverse()
    cases = Enum.map(tests, &testcase(state, &1))
    totals = Enum.reduce(cases, counts(), fn {c, _xml}, acc -> add(acc, c) end)
    file = tests |> List.first() |> test_file(state)

    xml = [
      "  <testsuite",
      attrs([{"name", inspect(module)} | count_attrs(totals)] ++ [{"file", file}]),
      ">\n",
      Enum.map(cases, fn {_c, xml} -> xml end),
      "  </testsuite>\n"
    ]

    {totals, xml}
  end

  defp testcase(state, test) do
    line = Map.get(test.tags, :line)

    base = [
      {"classname", inspect(test.module)},
      {"name", to_string(test.name)},
      {"file", test_file(test, state)},
      {"line", if(line, do: Integer.to_string(line), else: nil)},
      {"time", seconds(test.time)}
    ]

    {counted, body} = outcome(state, test)
    open = ["    <testcase", attrs(base)]

    xml =
      case body do
        nil -> [open, "/>\n"]
        _ -> [open, ">\n      ", body, "\n    </testcase>\n"]
      end

    {add(counts(), Map.put(counted, :time, test.time || 0)), xml}
  end

  defp outcome(_state, %ExUnit.Test{state: nil}), do: {%{tests: 1}, nil}

  defp outcome(_state, %ExUnit.Test{state: {:skipped, reason}}) do
    {%{tests: 1, skipped: 1}, ["<skipped", attrs([{"message", to_string(reason)}]), "/>"]}
  end

  defp outcome(_state, %ExUnit.Test{state: {:failed, failures}} = test) do
    text = format_failure(test, failures)

    body = [
      "<failure",
      attrs([{"message", short_message(failures)}, {"type", failure_type(failures)}]),
      ">",
      escape_text(text),
      "</failure>"
    ]

    {%{tests: 1, failures: 1}, body}
  end

  defp outcome(state, %ExUnit.Test{state: {:invalid, module}} = test) do
    name = if is_atom(module), do: module, else: Map.get(module, :name, test.module)
    text = Map.get(state.module_failures, name, "setup_all failed")

    body = [
      "<error",
      attrs([{"message", "setup_all failed"}]),
      ">",
      escape_text(text),
      "</error>"
    ]

    {%{tests: 1, errors: 1}, body}
  end

  defp outcome(_state, %ExUnit.Test{state: other}) do
    {%{tests: 1, errors: 1}, ["<error", attrs([{"message", inspect(other)}]), "/>"]}
  end

  defp counts, do: %{tests: 0, failures: 0, errors: 0, skipped: 0, time: 0}
  defp add(acc, more), do: Map.merge(acc, more, fn _key, a, b -> a + b end)

  defp count_attrs(c) do
    for key <- [:tests, :failures, :errors, :skipped, :time],
        do: {Atom.to_string(key), count_value(key, Map.get(c, key, 0))}
  end

  defp count_value(:time, us), do: seconds(us)
  defp count_value(_key, n), do: Integer.to_string(n)

  defp attrs(pairs) do
    for {key, value} <- pairs, value != nil, do: [" ", key, "=\"", escape(value), "\""]
  end

  defp seconds(nil), do: "0.000"
  defp seconds(us), do: :erlang.float_to_binary(us / 1_000_000, decimals: 3)

  defp test_file(nil, _state), do: nil

  defp test_file(test, state) do
    case Map.get(test.tags, :file) do
      nil -> nil
      file -> Path.relative_to(file, state.cwd)
    end
  end

  # --- failure text ------------------------------------------------------------------

  defp format_failure(test, failures) do
    ExUnit.Formatter.format_test_failure(test, failures, 1, @width, &plain/2)
  rescue
    _ -> inspect(failures)
  end

  defp format_module_failure(module, failures) do
    ExUnit.Formatter.format_test_all_failure(module, failures, 1, @width, &plain/2)
  rescue
    _ -> inspect(failures)
  end

  # No colours and no diff markup in files.
  defp plain(:diff_enabled?, _default), do: false
  defp plain(_key, text), do: text

  defp short_message([{_kind, %ExUnit.AssertionError{message: message}, _stack} | _]),
    do: first_line(message)

  defp short_message([{:error, reason, _stack} | _]) when is_exception(reason) do
    first_line(Exception.message(reason))
  rescue
    _ -> inspect(reason)
  end

  defp short_message([{kind, reason, _stack} | _]),
    do: first_line("#{kind_name(kind)}: #{inspect(reason)}")

  defp short_message(_), do: "failed"

  # :error, :exit, :throw, or {:EXIT, pid} when a linked process took the test down.
  defp kind_name(kind) when is_atom(kind), do: Atom.to_string(kind)
  defp kind_name({:EXIT, _pid}), do: "EXIT"
  defp kind_name(kind), do: inspect(kind)

  defp failure_type([{:error, reason, _stack} | _]) when is_exception(reason),
    do: inspect(reason.__struct__)

  defp failure_type([{kind, _reason, _stack} | _]), do: kind_name(kind)
  defp failure_type(_), do: "error"

  defp first_line(text) do
    text |> to_string() |> String.split("\n", parts: 2) |> hd() |> String.slice(0, 500)
  end

  # Attribute values keep their newlines as character references.
  defp escape(value), do: value |> escape_text() |> String.replace("\n", "&#10;")

  # Text that is safe in XML content: escaped, colour codes and control characters dropped.
  defp escape_text(value) do
    text = to_string(value)
    text = if String.valid?(text), do: text, else: inspect(text)

    text
    |> String.replace(~r/\e\[[0-9;]*m/, "")
    |> String.replace(
      ~r/[^\x{9}\x{A}\x{D}\x{20}-\x{D7FF}\x{E000}-\x{FFFD}\x{10000}-\x{10FFFF}]/u,
      ""
    )
    |> String.replace("&", "&amp;")
    |> String.replace("<", "&lt;")
    |> String.replace(">", "&gt;")
    |> String.replace("\"", "&quot;")
  end
end
