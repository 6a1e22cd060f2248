defmodule Pitpool.MixProject do
  use Mix.Project

  @version "0.1.0"

  def project do
    [
      app: :pitpool,
      version: @version,
      elixir: "~> 1.14",
      elixirc_paths: elixirc_paths(Mix.env()),
      start_permanent: Mix.env() == :prod,
      description: "A pool of Python worker processes driven over Ports.",
      deps: deps()
    ]
  end

  def application do
    [
      mod: {Pitpool.Application, []},
      extra_applications: [:logger]
    ]
  end

  defp elixirc_paths(:test), do: ["lib", "test/support"]
  defp elixirc_paths(_env), do: ["lib"]

  defp deps, do: []
end
