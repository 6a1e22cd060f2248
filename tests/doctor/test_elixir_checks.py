"""The Elixir side's checks on a fake machine: elixir, its mix.exs requirement, OTP, deps
(Hex missing told apart from hex.pm unreachable) and dialyzer."""

from __future__ import annotations

from pathlib import Path

import pytest

from sessions.core.status import Status
from sessions.core.target import Target
from sessions.doctor.model import Ran
from tests.doctor.fakes import ELIXIR_VERSION, FakeMachine, check, make_target

pytestmark = pytest.mark.unit


@pytest.fixture
def healthy(tmp_path: Path) -> Target:
    return make_target(tmp_path / "demo")


def elixir(version: str) -> FakeMachine:
    return FakeMachine(
        Path("/nonexistent"),
        responses={"elixir": lambda _c: Ran(0, ELIXIR_VERSION.format(version=version))},
    )


@pytest.mark.parametrize("binary", ["elixir", "erl", "mix"])
def test_binary_missing_from_path(healthy: Target, tmp_path: Path, binary: str) -> None:
    result = check(healthy, FakeMachine(tmp_path, binaries={binary: None}), binary)
    assert (result.status, result.detail) == (Status.ERROR, f"{binary} not found on PATH")
    assert "install" in result.remedy


def test_elixir_requirement_satisfied(healthy: Target) -> None:
    result = check(healthy, elixir("1.14.0"), "elixir requirement")
    assert (result.status, result.detail) == (Status.PASSED, "Elixir 1.14.0 satisfies '~> 1.14'")


def test_elixir_too_old_for_mix_exs(healthy: Target) -> None:
    result = check(healthy, elixir("1.13.4"), "elixir requirement")
    assert (result.status, result.detail) == (
        Status.ERROR,
        "Elixir 1.13.4 does not satisfy mix.exs's '~> 1.14'",
    )
    assert "satisfies mix.exs's `elixir:`" in result.remedy


def test_elixir_prerelease_inside_the_tilde_range(healthy: Target) -> None:
    assert check(healthy, elixir("2.0.0-rc.1"), "elixir requirement").status == Status.ERROR


def test_requirement_skipped_without_elixir(healthy: Target, tmp_path: Path) -> None:
    result = check(healthy, FakeMachine(tmp_path, binaries={"elixir": None}), "elixir requirement")
    assert (result.status, result.detail) == (Status.SKIPPED, "elixir not found on PATH")


def test_invalid_elixir_requirement_in_mix_exs(tmp_path: Path) -> None:
    target = make_target(tmp_path / "demo", elixir="~> 1")
    result = check(target, FakeMachine(tmp_path), "elixir requirement")
    assert result.status == Status.ERROR
    assert "not a valid requirement" in result.detail
    assert "mix.exs" in result.remedy


def test_elixir_that_does_not_run(healthy: Target, tmp_path: Path) -> None:
    broken = FakeMachine(tmp_path, responses={"elixir": lambda _c: Ran(1, "erl: not found\n")})
    result = check(healthy, broken, "elixir")
    assert (result.status, result.detail) == (
        Status.ERROR,
        "`elixir --version` failed: erl: not found",
    )


def test_otp(healthy: Target, tmp_path: Path) -> None:
    result = check(healthy, FakeMachine(tmp_path), "otp")
    assert (result.status, result.detail) == (Status.PASSED, "OTP 25 (25.2.3)")
    no_erl = FakeMachine(tmp_path, binaries={"erl": None})
    assert check(healthy, no_erl, "otp").status == Status.SKIPPED


def test_otp_below_min_otp(tmp_path: Path) -> None:
    target = make_target(tmp_path / "demo", toml="[doctor]\nmin_otp = 26\n")
    result = check(target, FakeMachine(tmp_path), "otp")
    assert (result.status, result.detail) == (
        Status.ERROR,
        "OTP 25 (25.2.3) is older than min_otp 26",
    )
    assert "newer Erlang/OTP" in result.remedy


def test_otp_outside_what_this_elixir_supports_warns(healthy: Target, tmp_path: Path) -> None:
    old_otp = FakeMachine(tmp_path, responses={"erl": lambda _c: Ran(0, "OTP 21 21.3\n")})
    result = check(healthy, old_otp, "otp")
    assert result.status == Status.WARN
    assert "Elixir 1.14.0 supports OTP 23-26" in result.detail


DEPS = '{:jason, "~> 1.4"}, {:telemetry, "~> 1.0"}'


@pytest.fixture
def unfetched(tmp_path: Path) -> Target:
    target = make_target(tmp_path / "demo", deps=DEPS)
    (target.root / "deps" / "jason").mkdir(parents=True)
    return target


def install_hex(tmp_path: Path) -> None:
    (tmp_path / "home" / ".mix" / "archives" / "hex-2.0.0").mkdir(parents=True)


def test_deps_fetched(unfetched: Target, tmp_path: Path) -> None:
    (unfetched.root / "deps" / "telemetry").mkdir()
    machine = FakeMachine(tmp_path)
    result = check(unfetched, machine, "deps")
    assert (result.status, result.detail) == (Status.PASSED, "2 dep(s) in deps")
    assert machine.contacted == []  # nothing to fetch: no network


def test_deps_without_hex(unfetched: Target, tmp_path: Path) -> None:
    result = check(unfetched, FakeMachine(tmp_path), "deps")
    assert (result.status, result.detail) == (
        Status.ERROR,
        "not fetched: telemetry; Hex is not installed",
    )
    assert result.remedy == "`mix local.hex --force`, then `mix deps.get`"


def test_deps_without_hex_and_hex_pm_unreachable(unfetched: Target, tmp_path: Path) -> None:
    machine = FakeMachine(tmp_path, offline="Network is unreachable")
    result = check(unfetched, machine, "deps")
    assert result.detail == (
        "not fetched: telemetry; Hex is not installed and repo.hex.pm is unreachable "
        "(Network is unreachable)"
    )
    assert "mix local.hex" not in result.remedy
    assert "mix archive.install" in result.remedy
    assert machine.contacted == [("repo.hex.pm", 443)]


def test_deps_with_hex(unfetched: Target, tmp_path: Path) -> None:
    install_hex(tmp_path)
    result = check(unfetched, FakeMachine(tmp_path), "deps")
    assert (result.detail, result.remedy) == ("not fetched: telemetry", "`mix deps.get`")


def test_hex_installed_from_a_file_in_mix_archives(unfetched: Target, tmp_path: Path) -> None:
    archives = tmp_path / "mix-home" / "archives"
    (archives / "hex" / "hex" / "ebin").mkdir(parents=True)  # `mix archive.install hex.ez`
    machine = FakeMachine(tmp_path, environ={"MIX_ARCHIVES": str(archives), "HEX_OFFLINE": "1"})
    result = check(unfetched, machine, "deps")
    assert result.detail == "not fetched: telemetry; HEX_OFFLINE is set"


def test_deps_with_hex_offline(unfetched: Target, tmp_path: Path) -> None:
    install_hex(tmp_path)
    machine = FakeMachine(tmp_path, environ={"HEX_OFFLINE": "1"})
    result = check(unfetched, machine, "deps")
    assert result.detail == "not fetched: telemetry; HEX_OFFLINE is set"
    assert "`HEX_OFFLINE=1 mix deps.get` reads packages only from ~/.hex/packages/hexpm/" in (
        result.remedy
    )
    assert machine.contacted == []  # offline means offline


def test_deps_with_hex_and_an_unreachable_mirror(unfetched: Target, tmp_path: Path) -> None:
    install_hex(tmp_path)
    machine = FakeMachine(
        tmp_path, environ={"HEX_MIRROR": "http://hex.example:8080"}, offline="timed out"
    )
    result = check(unfetched, machine, "deps")
    assert result.detail == "not fetched: telemetry; hex.example is unreachable (timed out)"
    assert machine.contacted == [("hex.example", 8080)]


def test_dialyzer_missing_unless_dialyxir(tmp_path: Path) -> None:
    plain = make_target(tmp_path / "a")
    no_dialyzer = FakeMachine(tmp_path, binaries={"dialyzer": None})
    result = check(plain, no_dialyzer, "dialyzer")
    assert result.status == Status.ERROR
    assert "erlang-dialyzer" in result.remedy
    with_dialyxir = make_target(tmp_path / "b", deps='{:dialyxir, "~> 1.4"}')
    assert check(with_dialyxir, no_dialyzer, "dialyzer").detail == "dialyxir in mix.exs deps"
