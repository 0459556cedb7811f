"""The install is locked: requirements.lock pins, with hashes, exactly what the virtualenv holds."""

from __future__ import annotations

import re
import sysconfig
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==(\S+)")


def _locked() -> dict[str, tuple[str, list[str]]]:
    """name → (version, hashes) from requirements.lock (pip-compile's format)."""
    pins: dict[str, tuple[str, list[str]]] = {}
    current: str | None = None
    for line in (REPO / "requirements.lock").read_text().splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            pins[current] = (match.group(2), [])
        elif current and "--hash=sha256:" in line:
            pins[current][1].append(line.split("--hash=sha256:")[1].split()[0])
    return pins


def test_every_locked_requirement_is_pinned_with_a_hash() -> None:
    pins = _locked()
    assert pins, "requirements.lock lists nothing"
    assert [name for name, (_, hashes) in pins.items() if not hashes] == []


def test_every_declared_dependency_and_extra_is_in_the_lock() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    declared = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        declared.extend(extra)
    pins = _locked()
    for text in declared:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is declared but not locked: run make lock"
        assert requirement.specifier.contains(pins[name][0], prereleases=True), (
            f"{name}=={pins[name][0]} in the lock does not satisfy {requirement.specifier}")


def test_the_virtualenv_holds_exactly_the_locked_versions() -> None:
    pins = _locked()
    # Only the virtualenv's own site-packages: once anything imports setuptools, it appends its
    # vendored packages (setuptools/_vendor: wheel, jaraco.*, zipp...) to sys.path, and
    # distributions() would list them as if installed.
    site = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    installed = {canonicalize_name(dist.metadata["Name"]): dist.version
                 for dist in metadata.distributions(path=site)}
    installed.pop("auteur-canvas", None)
    installed.pop("auteur-testpack", None)  # tests/plugins: the test suite's third-party pack
    differing = {name: (version, pins.get(name, ("not locked",))[0])
                 for name, version in installed.items()
                 if name not in pins or pins[name][0] != version}
    assert differing == {}, "installed ≠ locked (name: (installed, locked)); run make setup"
