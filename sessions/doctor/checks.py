"""Every doctor check, in the order they are printed: what it looks at, when it applies,
and its remedy. The functions that decide live by side: ``python_checks``,
``stub_checks``, ``elixir_checks`` and ``tool_checks``."""

from __future__ import annotations

from sessions.core.target import Target
from sessions.doctor import elixir_checks as ex
from sessions.doctor import python_checks as py
from sessions.doctor import stub_checks, tool_checks
from sessions.doctor.model import Check
from sessions.python import env as python_env

SETUP = py.SETUP


def python_checks(target: Target) -> list[Check]:
    config = target.config_label
    found = [
        Check(
            "python",
            "the interpreter that creates the venv exists, runs, and is new enough",
            f"install Python >= [doctor] min_python, or point `python` in {config} at one",
            py.check_python,
        ),
        Check(
            "installer",
            "which installer setup uses (uv when it is on PATH, else pip)",
            "",
            py.check_installer,
        ),
    ]
    for spec in python_env.venv_specs(target):
        rel = target.rel(spec.path)
        found.append(
            Check(
                f"venv {rel}",
                "the venv exists and its python runs",
                f"run {SETUP}" if spec.required else f"install `{spec.python}`, then {SETUP}",
                py.check_venv(spec),
            )
        )
        found.append(
            Check(
                f"requirements {rel}",
                "every requirement is installed in the venv at a matching version",
                f"run `nox -s setup -- --force`; if it fails, fix the requirement in "
                f"{', '.join(target.rel(p) for p in spec.requirements)}",
                py.check_requirements(spec),
            )
        )
    found += [
        Check(
            "imports",
            "the configured `imports` import with PYTHONPATH=<python dir>",
            f"add the missing package to the requirements and run {SETUP}, or fix the module",
            py.check_imports,
            py.has_imports,
        ),
        Check(
            "grpc stubs",
            "each .proto has current stubs, from no newer grpcio/protobuf than the venv's",
            "run `nox -s setup`: it writes the stale stubs with the venv's grpc_tools "
            "(grpcio-tools must be in the requirements)",
            stub_checks.check_stubs,
            stub_checks.has_protos,
        ),
    ]
    return found


def elixir_checks(target: Target) -> list[Check]:
    config = target.config_label
    return [
        Check(
            "elixir",
            "elixir is on PATH and runs",
            "install Elixir (Debian/Ubuntu: `apt-get install elixir`) or fix PATH",
            ex.check_elixir,
        ),
        Check(
            "elixir requirement",
            "the installed Elixir satisfies mix.exs's `elixir:` requirement",
            "install an Elixir that satisfies mix.exs's `elixir:` (asdf/mise, or your "
            "distribution), or change the requirement",
            ex.check_elixir_requirement,
            ex.needs_elixir_requirement,
        ),
        Check(
            "erl",
            "erl (Erlang/OTP) is on PATH",
            "install Erlang/OTP (Debian/Ubuntu: `apt-get install erlang-dev`) or fix PATH",
            tool_checks.found_on_path("erl"),
        ),
        Check(
            "otp",
            "the OTP release runs, is >= [doctor] min_otp and is supported by this Elixir",
            "install a newer Erlang/OTP, or lower `min_otp` in [doctor]",
            ex.check_otp,
        ),
        Check(
            "mix",
            "mix is on PATH",
            "mix ships with Elixir: install Elixir or fix PATH",
            tool_checks.found_on_path("mix"),
        ),
        Check(
            "deps",
            "every dep mix.exs declares is fetched into deps/ (Hex present to fetch them)",
            "`mix deps.get`",
            ex.check_deps,
            ex.declares_deps,
        ),
        Check(
            "dialyzer",
            "dialyxir is a dep, or OTP's dialyzer is on PATH",
            "install OTP's dialyzer (Debian/Ubuntu: `apt-get install erlang-dialyzer`) or add "
            '{:dialyxir, "~> 1.4", only: [:dev, :test], runtime: false} to deps',
            ex.check_dialyzer,
        ),
        Check(
            "ports",
            "every port in [doctor] ports or config/*.exs is free on 127.0.0.1",
            f"stop what listens there (`ss -ltnp 'sport = :PORT'` shows it) or change "
            f"`ports` in [doctor] of {config} (or the port in config/)",
            tool_checks.check_ports,
            tool_checks.has_ports,
        ),
    ]


def checks_for(target: Target, tools: tuple[str, ...] = ()) -> list[Check]:
    """Every check, in the order they are printed (``tools``: ``[doctor] tools``)."""
    poetry = Check(
        "poetry export",
        "`poetry export` works (nox-poetry installs noxpit's own tools with it)",
        "install the plugin beside poetry: `python3 -m pip install poetry-plugin-export` "
        "(pipx: `pipx inject poetry poetry-plugin-export`)",
        tool_checks.check_poetry_export,
    )
    declared = [
        Check(
            f"tool {tool}",
            f"`{tool}` is on PATH ([doctor] tools)",
            tool_checks.tool_remedy(tool, target.config_label),
            tool_checks.check_tool(tool),
        )
        for tool in tools
    ]
    return [poetry, *python_checks(target), *declared, *elixir_checks(target)]
