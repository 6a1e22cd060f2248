defmodule Pitpool.PythonTest do
  use ExUnit.Case, async: true

  import Pitpool.TestSupport

  alias Pitpool.Python

  doctest Python

  setup :tmp_dir

  test "PITPOOL_PYTHON wins over the project venv", %{tmp_dir: dir} do
    venv_python = fake_python!(make_venv_dir!(dir), "exit 0")
    other = fake_python!(Path.join(dir, "other") |> mkdir!(), "exit 0")

    assert Python.find(env: %{"PITPOOL_PYTHON" => other}, project_root: dir) == {:ok, other}
    assert Python.find(env: %{}, project_root: dir) == {:ok, venv_python}
  end

  test "an empty PITPOOL_PYTHON counts as unset", %{tmp_dir: dir} do
    venv_python = fake_python!(make_venv_dir!(dir), "exit 0")
    assert Python.find(env: %{"PITPOOL_PYTHON" => ""}, project_root: dir) == {:ok, venv_python}
  end

  test "PITPOOL_PYTHON may be a command name on PATH", %{tmp_dir: dir} do
    assert {:ok, sh} = Python.find(env: %{"PITPOOL_PYTHON" => "sh"}, project_root: dir)
    assert sh == System.find_executable("sh")
  end

  test "PITPOOL_PYTHON may be relative to the working directory", %{tmp_dir: dir} do
    python = fake_python!(dir, "exit 0")
    # From the working directory up to / and back down to the fake interpreter.
    ups = List.duplicate("..", length(Path.split(File.cwd!())) - 1)
    relative = Path.join(ups ++ tl(Path.split(python)))
    refute Path.type(relative) == :absolute
    assert Python.find(env: %{"PITPOOL_PYTHON" => relative}, project_root: dir) == {:ok, python}
  end

  test "a PITPOOL_PYTHON that is not executable is an error naming it", %{tmp_dir: dir} do
    plain = Path.join(dir, "python3")
    File.write!(plain, "")

    assert {:error, message} = Python.find(env: %{"PITPOOL_PYTHON" => plain}, project_root: dir)
    assert message =~ "PITPOOL_PYTHON is set to #{plain}, which is not an executable file"

    assert {:error, _message} =
             Python.find(env: %{"PITPOOL_PYTHON" => "no-such-python-here"}, project_root: dir)
  end

  test "without a venv the error says how to get one", %{tmp_dir: dir} do
    assert {:error, message} = Python.find(env: %{}, project_root: dir)
    assert message =~ "PITPOOL_PYTHON is not set"
    assert message =~ Path.join(dir, ".venv/bin/python3")
    assert message =~ "nox -s setup"
  end

  test "a directory is not an interpreter", %{tmp_dir: dir} do
    File.mkdir_p!(Path.join(dir, ".venv/bin/python3"))
    assert {:error, _message} = Python.find(env: %{}, project_root: dir)
  end

  test "the worker package ships in priv/python" do
    dir = Python.package_dir()
    assert Path.basename(dir) == "python"
    assert File.regular?(Path.join([dir, "pitpool_worker", "__main__.py"]))
  end

  test "the project root defaults to the directory holding mix.exs" do
    assert File.regular?(Path.join(Python.project_root(), "mix.exs"))
  end

  defp make_venv_dir!(root), do: mkdir!(Path.join(root, ".venv/bin"))

  defp mkdir!(dir) do
    File.mkdir_p!(dir)
    dir
  end
end
