"""The `tidu` command works wherever it is installed, and every app's tests run.

A clean copy of the repository (the files git would ship) is installed into a throwaway virtual environment, the way
`make setup` installs it (editable) and the way a wheel installs it; the console script then has to import every
package from that copy. The environment borrows the project's installed dependencies through a .pth file, so this
takes seconds and needs no network."""

import fnmatch
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
SQLITE_ONLY = pytest.mark.skipif(
    "sqlite" not in settings.DATABASES["default"]["ENGINE"],
    reason="installs into a throwaway environment whatever the suite runs on: once per `make test` is enough",
)


def find_uv() -> str | None:
    bootstrap = ROOT / "var" / "bootstrap" / "bin" / "uv"  # where scripts/setup.sh puts uv when none is installed
    return shutil.which("uv") or (str(bootstrap) if bootstrap.exists() else None)


def shipped_files() -> list[str]:
    """What a fresh clone of the working tree holds: tracked and new files, not ignored ones (var/, .venv/)."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [name for name in listing.split("\0") if name and (ROOT / name).is_file()]


def local_packages() -> list[str]:
    """Every top-level package of the repository: the apps, the engines and the project package."""
    return sorted(path.parent.name for path in ROOT.glob("*/__init__.py"))


def copy_of_the_repository(destination: Path) -> Path:
    for name in shipped_files():
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    return destination


def install(source: Path, venv: Path, *, editable: bool) -> Path:
    uv = find_uv()
    if uv is None:
        pytest.skip("uv is not installed (scripts/setup.sh installs it)")
    quiet = {"check": True, "capture_output": True}
    subprocess.run([uv, "venv", "-q", "--offline", "--python", sys.executable, str(venv)], **quiet)
    purelib = subprocess.run(
        [venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        text=True,
        **quiet,
    ).stdout.strip()
    # The project's dependencies without a download: a .pth line puts .venv's site-packages on the path (its own .pth
    # files, among them the editable hook of this checkout, are not run, so the copy is the only Tidu visible).
    Path(purelib, "tidu-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    target = ["-e", str(source)] if editable else [str(source)]
    command = [uv, "pip", "install", "-q", "--offline", "--no-deps", "--python", venv / "bin" / "python", *target]
    installed = subprocess.run(command, capture_output=True, text=True)
    if installed.returncode and "network connectivity is disabled" in installed.stderr:
        pytest.skip("setuptools is not in uv's cache (`make setup` puts it there when it installs Tidu)")
    assert installed.returncode == 0, installed.stderr
    return venv / "bin" / "tidu"


def run_tidu(tidu: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in {"PYTHONPATH", "DJANGO_SETTINGS_MODULE"}}
    env.update(TIDU_VAR_DIR=str(cwd / "var"), TIDU_DATABASE_URL="", PYTHONWARNINGS="ignore")
    # Run from elsewhere, so nothing is imported from the current directory: only what was installed counts.
    return subprocess.run([tidu, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@SQLITE_ONLY
@pytest.mark.parametrize("editable", [True, False], ids=["as make setup installs it", "from a wheel"])
def test_the_installed_tidu_command_imports_every_app_from_a_fresh_copy(tmp_path, editable):
    source = copy_of_the_repository(tmp_path / "clone")
    tidu = install(source, tmp_path / "venv", editable=editable)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    shown = run_tidu(tidu, "--help", cwd=elsewhere)
    assert shown.returncode == 0 and "tidu serve" in shown.stdout

    packages = local_packages()
    if editable:  # an app started after `make setup` imports too: the checkout is on the path, not a list of names
        (source / "latecomer").mkdir()
        (source / "latecomer" / "__init__.py").touch()
        packages.append("latecomer")
    # One process (Django's start-up is the slow part): the system checks load every app in INSTALLED_APPS and the
    # URL tree, then every package of the repository is imported and says where it came from.
    script = (
        "import importlib, json; from django.core.management import call_command; call_command('check'); "
        f"print(json.dumps({{p: importlib.import_module(p).__file__ for p in {packages!r}}}))"
    )
    imported = run_tidu(tidu, "shell", "-c", script, cwd=elsewhere)
    assert imported.returncode == 0, imported.stderr
    files = json.loads(imported.stdout.strip().splitlines()[-1])
    home = source if editable else tmp_path / "venv"
    assert sorted(files) == sorted(packages)
    assert all(Path(file).is_relative_to(home) for file in files.values()), files


def test_every_app_in_installed_apps_is_a_package_of_the_repository():
    local_apps = {app.split(".")[0] for app in settings.INSTALLED_APPS if (ROOT / app.split(".")[0]).is_dir()}
    assert local_apps and local_apps <= set(local_packages())


def test_every_test_file_in_the_repository_is_collected_from_the_root(pytestconfig):
    assert not pytestconfig.getini("testpaths"), "a hand-kept list of test folders skips a new app's tests"
    hidden = pytestconfig.getini("norecursedirs")
    test_files = [name for name in shipped_files() if fnmatch.fnmatch(Path(name).name, "test_*.py")]
    assert "tidu/tests/test_install.py" in test_files
    skipped = [
        name
        for name in test_files
        if any(fnmatch.fnmatch(part, pattern) for part in Path(name).parent.parts for pattern in hidden)
    ]
    assert skipped == []
