# noxpit: exported ExUnit coverage (`mix test --cover --export-coverage NAME`) to LCOV.
#
#   elixir noxpit_cover_lcov.exs EBIN_DIR ROOT OUT.lcov FILE.coverdata...
#
# Imports every .coverdata (one per variant/shard), analyses each module line by line and
# sums the hits per source file. Only sources under ROOT count (not deps/, _build/, test/).
# Runs without Mix, so it needs nothing from the target and works on Elixir 1.14 and 1.18.
[ebin, root, out | files] = System.argv()
root = Path.expand(root)
{:ok, cover} = :cover.start()
{:ok, quiet} = StringIO.open("")
Process.group_leader(cover, quiet)  # cover prints a line per imported module

for file <- files do
  :ok = :cover.import(String.to_charlist(file))
end

source_of = fn module ->
  beam = String.to_charlist(Path.join(ebin, Atom.to_string(module) <> ".beam"))

  case :beam_lib.chunks(beam, [:compile_info]) do
    {:ok, {_, [compile_info: info]}} -> info |> Keyword.get(:source, ~c"") |> List.to_string()
    _ -> ""
  end
end

ours? = fn path ->
  rel = Path.relative_to(path, root)

  rel != path and not String.starts_with?(rel, ["deps/", "_build/", "test/"]) and
    File.regular?(path)
end

lines =
  Enum.reduce(:cover.imported_modules(), %{}, fn module, acc ->
    path = source_of.(module)

    with true <- ours?.(path), {:ok, calls} <- :cover.analyse(module, :calls, :line) do
      rel = Path.relative_to(path, root)

      Enum.reduce(calls, acc, fn
        {{_, 0}, _}, acc -> acc
        {{_, line}, hits}, acc -> Map.update(acc, rel, %{line => hits}, &Map.update(&1, line, hits, fn h -> h + hits end))
      end)
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

File.write!(out, body)
