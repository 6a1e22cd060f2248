defmodule Pitpool.Python do
  @moduledoc """
  Finds the Python interpreter and the worker package.

  The interpreter is, in order:

    1. the `PITPOOL_PYTHON` environment variable (a path, or a command name looked up
       on `PATH`);
    2. `.venv/bin/python3` under the project root.

  The project root is the `:project_root` application setting (set in
  `config/config.exs` to the directory holding `mix.exs`), falling back to the current
  working directory, which is the project root under `mix test` and `mix run`.

  The worker package lives in `priv/python` of the `:pitpool` application.
  """

  @env_var "PITPOOL_PYTHON"
  @venv_python Path.join([".venv", "bin", "python3"])

  @typedoc "Options for `find/1`: a fake environment and project root, for tests."
  @type find_option :: {:env, %{optional(String.t()) => String.t()}} | {:project_root, Path.t()}

  @doc "The name of the environment variable that overrides the interpreter."
  @spec env_var() :: String.t()
  def env_var, do: @env_var

  @doc """
  Returns `{:ok, path}` to the interpreter, or `{:error, message}` saying what to do.

  ## Examples

      iex> Pitpool.Python.find(env: %{"PITPOOL_PYTHON" => "/nonexistent/python3"})
      {:error, "PITPOOL_PYTHON is set to /nonexistent/python3, which is not an executable file; point it at a Python 3 interpreter"}

  """
  @spec find([find_option]) :: {:ok, Path.t()} | {:error, String.t()}
  def find(opts \\ []) do
    env = Keyword.get_lazy(opts, :env, &System.get_env/0)
    root = Keyword.get_lazy(opts, :project_root, &project_root/0)

    case Map.get(env, @env_var, "") do
      "" -> find_venv_python(root)
      value -> find_configured(value)
    end
  end

  @doc "The directory holding the `pitpool_worker` package (`priv/python`)."
  @spec package_dir() :: Path.t()
  def package_dir do
    case :code.priv_dir(:pitpool) do
      {:error, :bad_name} -> Path.join([project_root(), "priv", "python"])
      priv -> Path.join(List.to_string(priv), "python")
    end
  end

  @doc "The project root used to look for `.venv`."
  @spec project_root() :: Path.t()
  def project_root do
    Application.get_env(:pitpool, :project_root) || File.cwd!()
  end

  defp find_configured(value) do
    path =
      if String.contains?(value, "/"),
        do: Path.expand(value),
        else: System.find_executable(value)

    if path && executable?(path) do
      {:ok, path}
    else
      {:error,
       "#{@env_var} is set to #{value}, which is not an executable file; " <>
         "point it at a Python 3 interpreter"}
    end
  end

  defp find_venv_python(root) do
    path = Path.join(Path.expand(root), @venv_python)

    if executable?(path) do
      {:ok, path}
    else
      {:error,
       "no Python interpreter: #{@env_var} is not set and #{path} does not exist; " <>
         "run `nox -s setup` to create the venv, or set #{@env_var} to a Python 3 interpreter"}
    end
  end

  defp executable?(path) do
    case File.stat(path) do
      {:ok, %File.Stat{type: :regular, mode: mode}} -> Bitwise.band(mode, 0o111) != 0
      _other -> false
    end
  end
end
