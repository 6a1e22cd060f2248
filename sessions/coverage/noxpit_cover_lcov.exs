# noxpit: ExUnit coverage (`mix test --cover`) to LCOV. Two ways in:
#
#   elixir noxpit_cover_lcov.exs EBIN_DIR ROOT OUT.lcov FILE.coverdata...
#     imports every export (one per variant/shard) and sums the hits per source file;
#
#   NOXPIT_COVER_LCOV=OUT.lcov NOXPIT_COVER_EBIN=EBIN_DIR \
#     elixir -r noxpit_cover_lcov.exs ... -S mix test --cover ...
#     analyses in the test run itself when it ends (no second VM, nothing to import);
#     OUT.lcov is written only when the analysis worked, so the caller falls back to the
#     export when it is missing.
#
# Only sources under ROOT count (not deps/, _build/, test/). Needs nothing from the target
# and no Mix; works on Elixir 1.14 and 1.18.
defmodule NoxpitCoverLcov do
  def write(ebin, root, out) do
    root = Path.expand(root)

    lines =
      Enum.reduce(Enum.uniq(:cover.imported_modules() ++ :cover.modules()), %{}, fn module, acc ->
        path = source_of(ebin, module)

        with true <- ours?(path, root), {:ok, calls} <- :cover.analyse(module, :calls, :line) do
          rel = Path.relative_to(path, root)
          Enum.reduce(calls, acc, &add(rel, &1, &2))
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

  defp add(_rel, {{_, 0}, _}, acc), do: acc

  defp add(rel, {{_, line}, hits}, acc) do
    Map.update(acc, rel, %{line => hits}, &Map.update(&1, line, hits, fn h -> h + hits end))
  end

  defp source_of(ebin, module) do
    beam = String.to_charlist(Path.join(ebin, Atom.to_string(module) <> ".beam"))

    case :beam_lib.chunks(beam, [:compile_info]) do
      {:ok, {_, [compile_info: info]}} -> info |> Keyword.get(:source, ~c"") |> List.to_string()
      _ -> ""
    end
  end

  defp ours?(path, root) do
    rel = Path.relative_to(path, root)

    rel != path and not String.starts_with?(rel, ["deps/", "_build/", "test/"]) and
      File.regular?(path)
  end

  def import_and_write([ebin, root, out | files]) do
    {:ok, cover} = :cover.start()
    {:ok, quiet} = StringIO.open("")
    # cover prints a line per imported module
    Process.group_leader(cover, quiet)
    for file <- files, do: :ok = :cover.import(String.to_charlist(file))
    write(ebin, root, out)
  end

  def at_exit(out, ebin) do
    System.at_exit(fn _status ->
      try do
        if :cover.modules() != [], do: write(ebin, File.cwd!(), out)
      rescue
        _ -> :ok
      catch
        _, _ -> :ok
      end
    end)
  end
end

case System.get_env("NOXPIT_COVER_LCOV") do
  out when out in [nil, ""] -> NoxpitCoverLcov.import_and_write(System.argv())
  out -> NoxpitCoverLcov.at_exit(out, System.fetch_env!("NOXPIT_COVER_EBIN"))
end
