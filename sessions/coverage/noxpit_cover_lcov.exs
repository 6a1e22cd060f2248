# noxpit: ExUnit coverage (`mix test --cover`) to LCOV. Two ways in:
#
#   elixir noxpit_cover_lcov.exs EBIN_DIR ROOT OUT.lcov FILE.coverdata...
#     imports every export (one per variant/shard) and sums the hits per source file;
#
#   NOXPIT_COVER_LCOV=OUT.lcov NOXPIT_COVER_EBIN=EBIN_DIR NOXPIT_COVER_ROOT=ROOT \
#     elixir -r noxpit_cover_lcov.exs ... -S mix test --cover ...
#     analyses in the test run itself when it ends (no second VM, nothing to import);
#     OUT.lcov is written only when the analysis worked, so the caller falls back to the
#     export when it is missing.
#
# Only the project's own sources count (not deps/, _build/, test/). Needs nothing from the target
# and no Mix; works on Elixir 1.14 and 1.18. No module is defined: compiling one would
# cost every test run more than the analysis does.
source_of = fn ebin, module ->
  beam = String.to_charlist(Path.join(ebin, Atom.to_string(module) <> ".beam"))

  case :beam_lib.chunks(beam, [:compile_info]) do
    {:ok, {_, [compile_info: info]}} -> info |> Keyword.get(:source, ~c"") |> List.to_string()
    _ -> ""
  end
end

ours? = fn rel -> not String.starts_with?(rel, ["deps/", "_build/", "test/"]) end

tail_in = fn parts, drop, root ->
  tail = parts |> Enum.drop(drop) |> Path.join()
  if ours?.(tail) and File.regular?(Path.join(root, tail)), do: tail
end

# The source as a path relative to ROOT, or nil when it is not the project's own. A beam
# keeps the absolute path it was compiled from: for a project moved or copied with its
# _build (Mix finds it up to date), the longest tail of that path that is a file under
# ROOT is the same source.
relative = fn path, root ->
  rel = Path.relative_to(path, root)
  parts = Path.split(path)

  cond do
    rel != path -> if ours?.(rel) and File.regular?(path), do: rel
    length(parts) < 2 -> nil
    true -> Enum.find_value(1..(length(parts) - 1), &tail_in.(parts, &1, root))
  end
end

add = fn
  {{_, 0}, _}, state ->
    state

  {{_, line}, hits}, {rel, acc} ->
    {rel, Map.update(acc, rel, %{line => hits}, &Map.update(&1, line, hits, fn h -> h + hits end))}
end

write = fn ebin, root, out ->
  root = Path.expand(root)
  modules = Enum.uniq(:cover.imported_modules() ++ :cover.modules())

  lines =
    Enum.reduce(modules, %{}, fn module, acc ->
      rel = relative.(source_of.(ebin, module), root)

      with true <- is_binary(rel), {:ok, calls} <- :cover.analyse(module, :calls, :line) do
        {_, acc} = Enum.reduce(calls, {rel, acc}, add)
        acc
      else
        _ -> acc
      end
    end)

  body =
    for {file, hits} <- Enum.sort(lines) do
      das = for {line, n} <- Enum.sort(hits), do: "DA:#{line},#{n}\n"
      found = map_size(hits)
      hit = Enum.count(hits, fn {_, n} -> n > 0 end)
      ["SF:", file, "\n", das, "LF:#{found}\nLH:#{hit}\nend_of_record\n"]
    end

  partial = out <> ".partial"
  File.write!(partial, body)
  File.rename!(partial, out)
end

hook = Enum.map(~w(NOXPIT_COVER_LCOV NOXPIT_COVER_EBIN NOXPIT_COVER_ROOT), &System.get_env/1)

case hook do
  [out, ebin, root] when out not in [nil, ""] ->
    # ROOT from the caller, not File.cwd!/0: a test may have changed directory. Without
    # EBIN or ROOT nothing is written (the caller then reads the export).
    System.at_exit(fn _status ->
      try do
        if ebin not in [nil, ""] and root not in [nil, ""] and is_list(:cover.modules()) and
             :cover.modules() != [],
           do: write.(ebin, root, out)
      rescue
        _ -> :ok
      catch
        _, _ -> :ok
      end
    end)

  _ ->
    [ebin, root, out | files] = System.argv()
    {:ok, cover} = :cover.start()
    {:ok, quiet} = StringIO.open("")
    # cover prints a line per imported module
    Process.group_leader(cover, quiet)
    for file <- files, do: :ok = :cover.import(String.to_charlist(file))
    write.(ebin, root, out)
end
