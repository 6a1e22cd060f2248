"""Done-when for shared ports: a small Mix project whose config sets a fixed port, with
examples that really bind it (by starting the app) and examples that do not, run in
parallel by the session. The binders never overlap; the others run beside them."""

from __future__ import annotations

import itertools
import os
import socket
from io import StringIO
from pathlib import Path

import pytest

from sessions.core.console import Console
from sessions.core.target import build_target
from sessions.examples import session
from sessions.examples.options import Options

pytestmark = pytest.mark.integration

MIX_EXS = """defmodule Portfix.MixProject do
  use Mix.Project

  def project, do: [app: :portfix, version: "0.1.0", deps: []]
  def application, do: [mod: {Portfix.Application, []}, extra_applications: [:logger]]
end
"""

LIB = """defmodule Portfix.Application do
  use Application

  def start(_type, _args) do
    Supervisor.start_link([Portfix.Listener], strategy: :one_for_one)
  end
end

defmodule Portfix.Listener do
  use GenServer

  def start_link(_), do: GenServer.start_link(__MODULE__, nil, name: __MODULE__)

  def init(nil) do
    port = Application.fetch_env!(:portfix, :port)
    {:ok, socket} = :gen_tcp.listen(port, [:binary, ip: {127, 0, 0, 1}, active: false])
    {:ok, socket}
  end
end
"""

# Times in ms since the epoch, written at the very start and the very end of the script.
SPAN = """
started = System.os_time(:millisecond)
{body}
Process.sleep(1500)
spans = System.fetch_env!("PORTFIX_SPANS")
File.write!(Path.join(spans, "{name}"), "#{{started}} #{{System.os_time(:millisecond)}}")
"""
BINDS = "{:ok, _} = Application.ensure_all_started(:portfix)"
FREE = 'IO.puts("no app, no port")'
BINDERS = ("bind_a", "bind_b", "bind_c")
OTHERS = ("free_a", "free_b", "free_c")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fixture(root: Path, port: int) -> None:
    files = {
        "mix.exs": MIX_EXS,
        "lib/portfix.ex": LIB,
        "config/config.exs": f"import Config\n\nconfig :portfix, port: {port}\n",
        "noxpit.toml": "[examples]\ntimeout = 60\n",
    }
    for name in BINDERS:
        files[f"examples/{name}.exs"] = SPAN.format(body=BINDS, name=name)
    for name in OTHERS:
        files[f"examples/{name}.exs"] = SPAN.format(body=FREE, name=name)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def overlap(one: tuple[int, int], other: tuple[int, int]) -> bool:
    return one[0] < other[1] and other[0] < one[1]


def test_examples_sharing_a_port_never_overlap_while_the_others_run_beside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, spans = tmp_path / "portfix", tmp_path / "spans"
    spans.mkdir()
    port = free_port()
    fixture(root, port)
    # The examples start no Python: the venv step is not what this test is about.
    monkeypatch.setattr(session.python_env, "ensure", lambda *args, **kwargs: None)
    target = build_target(root, {})
    stream = StringIO()
    environ = {**os.environ, "PORTFIX_SPANS": str(spans), "NO_COLOR": "1"}
    result = session.run_session(target, Console(stream, environ), Options(jobs=4), environ=environ)
    out = stream.getvalue()
    assert result.ok, out
    assert f"fixed port(s) in the config: {port} (port, config/config.exs:3)" in out
    assert "3 example(s) that start the app hold them" in out
    times = {}
    for name in (*BINDERS, *OTHERS):
        start, end = map(int, (spans / name).read_text().split())
        times[name] = (start, end)
    for one, other in itertools.combinations(BINDERS, 2):
        assert not overlap(times[one], times[other]), (one, other, times)
    # The others ran beside the port holders, not after them.
    assert any(overlap(times[b], times[o]) for b in BINDERS for o in OTHERS), times


def test_an_example_calling_mix_install_is_one_line_saying_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "portfix"
    fixture(root, free_port())
    (root / "examples" / "standalone.exs").write_text('Mix.install([])\nIO.puts("hi")\n')
    monkeypatch.setattr(session.python_env, "ensure", lambda *args, **kwargs: None)
    stream = StringIO()
    environ = {**os.environ, "NO_COLOR": "1"}
    result = session.run_session(
        build_target(root, {}),
        Console(stream, environ),
        Options(names=("standalone",)),
        environ=environ,
    )
    out = stream.getvalue()
    assert not result.ok
    assert (
        "--- standalone: FAILED: calls Mix.install, which cannot run inside the project's "
        "`mix run`; run it with `elixir examples/standalone.exs`, or set `skip` in "
        "[examples.settings.standalone]"
    ) in out
    assert "(Mix)" not in out and "lib/mix" not in out
