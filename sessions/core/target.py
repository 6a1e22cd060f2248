"""The target project, read once into one ``Target`` that every session is given.

Resolution order for the target root: ``NOXPIT_PROJECT`` (env) > ``[tool.noxpit] project``
in the suite's pyproject.toml > ``sample``. Target settings live with the target: a
``noxpit.toml`` at its root, or a ``[tool.noxpit]`` table in its own pyproject.toml.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sessions.core.config import reject_unknown_keys
from sessions.core.errors import NoxpitError
from sessions.core.files import rel_label
from sessions.core.semver import is_semver

DEFAULT_PROJECT = "sample"
ENV_PROJECT = "NOXPIT_PROJECT"
ENV_REPORTS = "NOXPIT_REPORTS"

# Keys the target's config may hold at top level; each area validates its own table.
BASIC_KEYS = {
    "project",  # only meaningful in the suite's own pyproject.toml
    "python_dir",
    "venv",
    "python",
    "python_env",
    "requirements",
    "proto_dir",
    "examples_dir",
    "test_tags",
    "imports",  # modules the doctor imports with PYTHONPATH=<python_dir>
}
AREA_KEYS = {
    "mix_test",
    "doctor",
    "examples",
    "dialyzer",
    "release",
    "docs",
    "lint",
    "setup",  # python area: [setup] installer
    "pytest",  # python area: [pytest] env
    "tests",  # suite area: [tests] flaky
    "coverage",  # coverage area: [coverage] fail_under
    "check",  # check area: [check] alone
}


class ProjectError(NoxpitError):
    """The target is missing, is not a Mix project, or its config is wrong."""


@dataclass(frozen=True)
class MixInfo:
    """What noxpit needs from mix.exs, parsed without running Elixir."""

    app: str
    version: str
    elixir: str | None
    deps: tuple[str, ...]


@dataclass(frozen=True)
class Target:
    """One description of the target project, passed down to every step."""

    root: Path
    app: str
    version: str
    elixir_requirement: str | None
    deps: tuple[str, ...]
    python_dir: Path
    venv_dir: Path
    python: str | None
    python_env_var: str
    requirements: tuple[Path, ...]
    proto_dir: Path
    examples_dir: Path
    test_tags: tuple[str, ...]
    reports_dir: Path
    config_file: Path | None
    config: Mapping[str, Any] = field(default_factory=dict)

    @property
    def venv_python(self) -> Path:
        return self.venv_dir / "bin" / "python3"

    def section(self, name: str) -> Mapping[str, Any]:
        """The target's config table for one area (empty when absent)."""
        value = self.config.get(name, {})
        if not isinstance(value, Mapping):
            raise ProjectError(f"{self.config_label}: [{name}] must be a table")
        return value

    @property
    def config_label(self) -> str:
        return str(self.config_file) if self.config_file else "noxpit config"

    def rel(self, path: Path) -> str:
        """A path as users see it: relative to the target root when inside it."""
        return rel_label(path, self.root)


# --- mix.exs -------------------------------------------------------------------------

_ATTR = re.compile(r'@(\w+)\s+"([^"\n]*)"')
_APP = re.compile(r"\bapp:\s*:(\w+)")
_VERSION = re.compile(r'\bversion:\s*(?:"([^"\n]*)"|@(\w+))')
_ELIXIR = re.compile(r'\belixir:\s*(?:"([^"\n]*)"|@(\w+))')
_DEPS_FN = re.compile(r"\bdefp?\s+deps\b(?:\s*\(\s*\))?\s*(?:do\b|,\s*do:)")
_DEP = re.compile(r"\{\s*:(\w+)\s*,")


def _strip_comments(text: str) -> str:
    """Drop ``# ...`` comments outside double-quoted strings (a commented-out version
    must not be read)."""
    out: list[str] = []
    in_string = False
    index = 0
    while index < len(text):
        char = text[index]
        if in_string:
            out.append(char)
            if char == "\\" and index + 1 < len(text):
                out.append(text[index + 1])
                index += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
            out.append(char)
        elif char == "#" and not (index > 0 and text[index - 1] == "?"):
            end = text.find("\n", index)
            index = len(text) if end < 0 else end
            continue
        else:
            out.append(char)
        index += 1
    return "".join(out)


def _attr_or_literal(match: re.Match[str] | None, attrs: dict[str, str]) -> str | None:
    if match is None:
        return None
    literal, attr = match.group(1), match.group(2)
    if literal is not None:
        return literal
    return attrs.get(attr)


def _deps_block(text: str) -> str:
    match = _DEPS_FN.search(text)
    if match is None:
        inline = re.search(r"\bdeps:\s*\[", text)
        if inline is None:
            return ""
        start = inline.end() - 1
    else:
        bracket = text.find("[", match.end())
        if bracket < 0:
            return ""
        start = bracket
    depth = 0
    for index in range(start, len(text)):
        char = text[index]
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return text[start : index + 1]
    return text[start:]


def parse_mix_exs(text: str, *, source: str = "mix.exs") -> MixInfo:
    """Read app, version, Elixir requirement and dep names from mix.exs source."""
    clean = _strip_comments(text)
    attrs = dict(_ATTR.findall(clean))
    app_match = _APP.search(clean)
    if app_match is None:
        raise ProjectError(
            f"{source}: no `app: :name` in project/0; add it so noxpit knows the app"
        )
    version = _attr_or_literal(_VERSION.search(clean), attrs)
    if version is None:
        raise ProjectError(
            f'{source}: no readable version; use `@version "X.Y.Z"` with `version: @version`, '
            'or `version: "X.Y.Z"`'
        )
    if not is_semver(version):
        raise ProjectError(
            f'{source}: version "{version}" is not SemVer (X.Y.Z); fix it in mix.exs'
        )
    elixir = _attr_or_literal(_ELIXIR.search(clean), attrs)
    deps_text = _deps_block(clean)
    deps = tuple(dict.fromkeys(_DEP.findall(deps_text)))
    return MixInfo(app=app_match.group(1), version=version, elixir=elixir, deps=deps)


# --- config --------------------------------------------------------------------------


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProjectError(f"{path}: invalid TOML ({exc}); fix the file") from None
    except OSError as exc:
        raise ProjectError(f"{path}: cannot read ({exc.strerror})") from None


def suite_project_setting(suite_root: Path) -> str | None:
    """``[tool.noxpit] project`` from the suite's own pyproject.toml, if set."""
    pyproject = suite_root / "pyproject.toml"
    if not pyproject.is_file():
        return None
    value = _read_toml(pyproject).get("tool", {}).get("noxpit", {}).get("project")
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ProjectError(f"{pyproject}: [tool.noxpit] project must be a path string")
    return value


def resolve_root(suite_root: Path, environ: Mapping[str, str]) -> Path:
    """Where the target is: env, then the suite's pyproject.toml, then ``sample``."""
    if ENV_PROJECT in environ and not environ[ENV_PROJECT].strip():
        # An empty value is a mistake (a typo'd $VAR), never a request for the sample.
        raise ProjectError(
            f"{ENV_PROJECT} is set but empty; set it to a Mix project directory or unset it"
        )
    raw = environ.get(ENV_PROJECT) or suite_project_setting(suite_root) or DEFAULT_PROJECT
    path = Path(raw).expanduser()
    if not path.is_absolute():
        # Relative env values are relative to where the user is; config values to the suite.
        base = Path.cwd() if environ.get(ENV_PROJECT) else suite_root
        path = base / path
    return path.resolve()


def load_config(root: Path) -> tuple[Path | None, dict[str, Any]]:
    """The target's noxpit settings: ``noxpit.toml`` wins over pyproject's [tool.noxpit]."""
    noxpit_toml = root / "noxpit.toml"
    if noxpit_toml.is_file():
        return noxpit_toml, _read_toml(noxpit_toml)
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        table = _read_toml(pyproject).get("tool", {}).get("noxpit")
        if isinstance(table, dict):
            return pyproject, table
    return None, {}


def _str(config: Mapping[str, Any], key: str, default: str, label: str) -> str:
    value = config.get(key, default)
    if not isinstance(value, str) or not value:
        raise ProjectError(f"{label}: `{key}` must be a non-empty string")
    return value


def _str_list(config: Mapping[str, Any], key: str, default: list[str], label: str) -> list[str]:
    value = config.get(key, default)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ProjectError(f"{label}: `{key}` must be a list of strings")
    return list(value)


MIN_FREE_BYTES = 1 << 20  # a run's reports (JUnit, logs) need well under this to start
_PSEUDO_FS = (Path("/proc"), Path("/sys"), Path("/dev"))


def reports_dir_from(environ: Mapping[str, str]) -> Path | None:
    """``NOXPIT_REPORTS`` checked before anything runs: a file, a pseudo-filesystem or a
    read-only place would otherwise fail mid-run (Erlang crash dumps, pytest INTERNALERROR).
    Nothing is created here; the sessions create the directory when they write."""
    if ENV_REPORTS not in environ:
        return None
    raw = environ[ENV_REPORTS]
    fix = f"set {ENV_REPORTS} to a writable directory or unset it"
    if not raw.strip():
        raise ProjectError(f"{ENV_REPORTS} is set but empty; {fix}")
    path = Path(raw).expanduser().resolve()
    if any(path == top or top in path.parents for top in _PSEUDO_FS):
        raise ProjectError(f"{ENV_REPORTS}={raw}: not a place for files; {fix}")
    existing = path
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise ProjectError(f"{ENV_REPORTS}={raw}: {existing} is a file, not a directory; {fix}")
    disk = os.statvfs(existing)
    if disk.f_flag & os.ST_RDONLY or not os.access(existing, os.W_OK | os.X_OK):
        raise ProjectError(f"{ENV_REPORTS}={raw}: {existing} is not writable; {fix}")
    if disk.f_bavail * disk.f_frsize < MIN_FREE_BYTES:
        raise ProjectError(
            f"{ENV_REPORTS}={raw}: no space left on {existing} (under 1 MiB free); "
            "free some space or point it elsewhere"
        )
    return path


def build_target(root: Path, environ: Mapping[str, str]) -> Target:
    """Read mix.exs and the target's config into one ``Target``."""
    if not root.exists():
        raise ProjectError(
            f"target {root} does not exist; set {ENV_PROJECT} to a Mix project directory"
        )
    mix_exs = root / "mix.exs"
    if not mix_exs.is_file():
        raise ProjectError(
            f"{root} is not a Mix project (no mix.exs); set {ENV_PROJECT} to the directory "
            "that holds mix.exs"
        )
    try:
        mix_text = mix_exs.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProjectError(f"{mix_exs}: cannot read ({exc}); check the file") from None
    mix = parse_mix_exs(mix_text, source=str(mix_exs))

    config_file, config = load_config(root)
    label = str(config_file) if config_file else "noxpit config"
    reject_unknown_keys(config, BASIC_KEYS | AREA_KEYS | {"venvs"}, f"{label}:", ProjectError)

    python_dir = root / _str(config, "python_dir", "priv/python", label)
    requirements_default = [str((python_dir / "requirements.txt").relative_to(root))]
    requirements = _str_list(config, "requirements", requirements_default, label)
    python = config.get("python")
    if python is not None and (not isinstance(python, str) or not python):
        raise ProjectError(f"{label}: `python` must be an interpreter name or path")
    reports_dir = reports_dir_from(environ) or root / "_build" / "noxpit"

    return Target(
        root=root,
        app=mix.app,
        version=mix.version,
        elixir_requirement=mix.elixir,
        deps=mix.deps,
        python_dir=python_dir,
        venv_dir=root / _str(config, "venv", ".venv", label),
        python=python,
        python_env_var=_str(config, "python_env", "SNAKEPIT_PYTHON", label),
        requirements=tuple(root / item for item in requirements),
        proto_dir=root / _str(config, "proto_dir", "priv/proto", label),
        examples_dir=root / _str(config, "examples_dir", "examples", label),
        test_tags=tuple(
            _str_list(config, "test_tags", ["python_integration", "integration"], label)
        ),
        reports_dir=reports_dir,
        config_file=config_file,
        config=config,
    )


def load_target(suite_root: Path, environ: Mapping[str, str] | None = None) -> Target:
    """Resolve and read the target in one call: what the noxfile uses."""
    env = os.environ if environ is None else environ
    return build_target(resolve_root(suite_root, env), env)
