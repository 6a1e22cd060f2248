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
# Only the project's own sources count (not deps/, _build/, test/). Needs nothing from
# the target and no Mix; works on Elixir 1.14 and 1.18. No module is defined: compiling
# one would cost every test run more than the analysis does.
source_of = fn ebin, module ->
  beam = String.to_charlist(Path.join(ebin, Atom.to_string(module) <> ".beam"))

  case :beam_lib.chunks(beam, [:compile_info]) do
    {:ok, {_, [compile_info: info]}} -> info |> Keyword.get(:source, ~c"") |> List.to_string()
    _ -> ""
  end
end

ours? = fn rel -> not String.starts_with?(rel, ["deps/", "_build/", "test/"]) end

# A source under ROOT, relative to it; nil when it is not the project's own.
under = fn path, root ->
  rel = Path.relative_to(path, root)
  if rel != path and ours?.(rel) and File.regular?(path), do: rel
end

# Where the project was built, for a project moved or copied with its _build (Mix finds it
# up to date, and each beam still names the absolute path it was compiled from): the
# longest tail of a source path that is the project's own file under ROOT; what precedes
# it is the old root. nil when any source is under ROOT (the project did not move) or
# there is none; else the old root most sources share.
old_root = fn paths, root ->
  guess = fn path ->
    parts = Path.split(path)
    drops = if length(parts) > 1, do: 1..(length(parts) - 1), else: []

    drops
    |> Enum.find_value(fn drop ->
      tail = parts |> Enum.drop(drop) |> Path.join()
      if File.regular?(Path.join(root, tail)), do: {drop, tail}
    end)
    |> case do
      {drop, tail} -> if ours?.(tail), do: parts |> Enum.take(drop) |> Path.join()
      nil -> nil
    end
  end

  absolute = Enum.filter(paths, &(Path.type(&1) == :absolute))

  if absolute != [] and not Enum.any?(absolute, &under.(&1, root)) do
    absolute
    |> Enum.map(guess)
    |> Enum.reject(&is_nil/1)
    |> Enum.frequencies()
    |> Enum.max_by(fn {_, n} -> n end, fn -> {nil, 0} end)
    |> elem(0)
  end
end

relative = fn path, root, moved_from ->
  if moved_from == nil do
    under.(path, root)
  else
    rel = Path.relative_to(path, moved_from)
    if rel != path, do: under.(Path.join(root, rel), root)
  end
end

add = fn
  {{_, 0}, _}, state ->
    state

  {{_, line}, hits}, {rel, acc} ->
    {rel,
     Map.update(acc, rel, %{line => hits}, &Map.update(&1, line, hits, fn h -> h + hits end))}
end

write = fn ebin, root, out ->
  root = Path.expand(root)
  modules = Enum.uniq(:cover.imported_modules() ++ :cover.modules())
  sources = Map.new(modules, &{&1, source_of.(ebin, &1)})
  moved_from = old_root.(Map.values(sources), root)

  lines =
    Enum.reduce(modules, %{}, fn module, acc ->
      rel = relative.(sources[module], root, moved_from)

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
