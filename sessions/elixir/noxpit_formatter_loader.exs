# Loads NoxpitJUnitFormatter into the VM before Mix starts (`elixir -r <this> -S mix test`).
#
# The beam is compiled once per formatter source (noxpit keys NOXPIT_FORMATTER_CACHE by the
# source's hash) and per Elixir/OTP version, then loaded by absolute path. A module loaded
# here stays loaded when Mix (Elixir 1.15+) prunes the code paths it did not set up.
source = System.fetch_env!("NOXPIT_FORMATTER_SOURCE")
cache = System.fetch_env!("NOXPIT_FORMATTER_CACHE")
dir = Path.join(cache, "elixir-#{System.version()}-otp-#{System.otp_release()}")
beam = Path.join(dir, "Elixir.NoxpitJUnitFormatter.beam")

unless File.regular?(beam) do
  # Build beside the final directory, then rename: a concurrent run either wins the
  # rename or finds the finished directory; nobody loads a half-written beam.
  tmp = "#{dir}.tmp-#{System.pid()}"
  File.rm_rf!(tmp)
  File.mkdir_p!(tmp)
  {:ok, _modules, _warnings} = Kernel.ParallelCompiler.compile_to_path([source], tmp)

  case File.rename(tmp, dir) do
    :ok -> :ok
    {:error, _already_there} -> File.rm_rf!(tmp)
  end
end

unless Code.ensure_loaded?(NoxpitJUnitFormatter) do
  {:module, NoxpitJUnitFormatter} = :code.load_abs(String.to_charlist(Path.rootname(beam)))
end
