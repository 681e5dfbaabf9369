"""The wheel is a package that installs and runs: it carries every file the program opens, declares
what it imports, and an installed `sla-report` with no source tree makes the same month as `make run`.

Builds the wheel with uv, installs it into a fresh venv (with the versions pinned by `uv.lock`, from
uv's cache or the index), then runs the sample month with it from an empty folder and compares the
result with the golden snapshot the source tree is held to. A missing prerequisite (uv) fails with
what to do, never a skip.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from pipeline import settings
from tools.snapshot import snapshot

REPO = Path(__file__).resolve().parent.parent
MONTH = "2026-10"
# Where pyproject.toml's force-include puts the repository's sql/, reports/templates/ and policy/.
RESOURCES = "pipeline/_resources/"
RESOURCE_SOURCES = ("sql", "reports/templates", "policy/sla-policy.yaml")
# Declared but never imported: they ship a program, not a module — the Dagster UI (`dagster dev`) and
# the analysts' `duckdb` shell (duckdb-cli).
# Declared but imported by others: the UI server, the analysts' shell, Starlette's form parser (the portal's forms).
NOT_IMPORTED = {"dagster-webserver", "duckdb-cli", "python-multipart"}
RUN_TIMEOUT = 300

# Installed into the test venv only: records every file or folder the program opens inside the
# repository (the installed program must open none; its data drop is a copy outside the repository).
AUDIT_MODULE = """\
import os, sys
_root = os.environ.get("SLA_TEST_FORBIDDEN_ROOT")
_log = os.environ.get("SLA_TEST_AUDIT_LOG")
if _root and _log:
    _root = os.path.realpath(_root)
    def _hook(event, args):
        # (Opening the log re-enters the hook harmlessly: it is outside the root.)
        if event in ("open", "os.listdir", "os.scandir") and args and isinstance(args[0], (str, bytes, os.PathLike)):
            full = os.path.realpath(os.fsdecode(args[0]))
            if full == _root or full.startswith(_root + os.sep):
                with open(_log, "a", encoding="utf-8") as log:
                    log.write(f"{event} {full}\\n")
    sys.addaudithook(_hook)
"""


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _clean_env(**extra: str | Path) -> dict[str, str]:
    """This process's environment without anything that could point a child at the source tree."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SLA_") and k not in ("DAGSTER_HOME", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")
    }
    env.update({k: str(v) for k, v in extra.items()})
    return env


def _check(cmd: list[str], what: str, **kwargs) -> subprocess.CompletedProcess:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=RUN_TIMEOUT, **kwargs)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.fail(f"{what}: {' '.join(map(str, cmd))} could not run: {exc}")
    if proc.returncode != 0:
        pytest.fail(
            f"{what} failed (exit {proc.returncode}): {' '.join(map(str, cmd))}\n"
            f"--- stdout\n{proc.stdout[-4000:]}\n--- stderr\n{proc.stderr[-4000:]}"
        )
    return proc


def _site_packages(python: Path) -> Path:
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    return Path(_check([str(python), "-c", code], "finding the venv's site-packages", env=_clean_env()).stdout.strip())


@pytest.fixture(scope="module")
def uv() -> list[str]:
    for cmd in ([sys.executable, "-m", "uv"], ["python3", "-m", "uv"], ["uv"]):
        try:
            if subprocess.run([*cmd, "--version"], capture_output=True, timeout=60).returncode == 0:
                return cmd
        except (OSError, subprocess.TimeoutExpired):
            continue
    pytest.fail("uv is needed to build and install the wheel: `python3 -m pip install uv` (make install does it)")


@pytest.fixture(scope="module")
def wheel(uv, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    _check([*uv, "build", "--wheel", "--out-dir", str(out)], "building the wheel", cwd=REPO, env=_clean_env())
    wheels = list(out.glob("*.whl"))
    assert len(wheels) == 1, f"expected one wheel in {out}, found {wheels}"
    return wheels[0]


@pytest.fixture(scope="module")
def wheel_names(wheel) -> set[str]:
    with zipfile.ZipFile(wheel) as zf:
        return set(zf.namelist())


@pytest.fixture(scope="module")
def venv(uv, wheel, tmp_path_factory) -> Path:
    """A fresh venv with only the wheel and its declared dependencies (versions pinned by uv.lock)."""
    root = tmp_path_factory.mktemp("venv")
    venv = root / "venv"
    env = _clean_env()
    _check([*uv, "venv", "--quiet", "--python", sys.executable, str(venv)], "creating a venv", cwd=root, env=env)
    constraints = root / "constraints.txt"
    _check(
        [*uv, "export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project", "--quiet", "-o", str(constraints)],
        "exporting uv.lock's versions",
        cwd=REPO,
        env=env,
    )
    python = venv / "bin" / "python"
    _check(
        [*uv, "pip", "install", "--quiet", "--python", str(python), "-c", str(constraints), str(wheel)],
        "installing the wheel",
        cwd=root,
        env=env,
    )
    site_packages = _site_packages(python)
    (site_packages / "_sla_test_audit.py").write_text(AUDIT_MODULE)
    (site_packages / "_sla_test_audit.pth").write_text("import _sla_test_audit\n")
    return venv


def _repo_runtime_files() -> set[str]:
    """Every file the program opens at run time, as its path inside the wheel (computed now)."""
    names: set[str] = set()
    for source in RESOURCE_SOURCES:
        path = REPO / source
        assert path.exists(), f"{path} is missing from the repository"
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        names.update(RESOURCES + p.relative_to(REPO).as_posix() for p in files)
    return names


def test_the_wheel_carries_every_file_the_program_opens(wheel_names):
    # settings.py's layout contract: the source tree's folders, relative to PROJECT_ROOT, under _resources.
    assert settings.SOURCE_ROOT == REPO
    for path in (settings.SQL_DIR, settings.TEMPLATES_DIR, settings.DEFAULT_POLICY_FILE):
        assert path.relative_to(settings.PROJECT_ROOT).as_posix() in RESOURCE_SOURCES
    assert settings.BUNDLED_RESOURCES.relative_to(REPO).as_posix() + "/" == RESOURCES

    expected = _repo_runtime_files()
    bundled = {n for n in wheel_names if n.startswith(RESOURCES)}
    assert sorted(expected - bundled) == [], "files the program opens are missing from the wheel"
    assert sorted(bundled - expected) == [], "the wheel bundles files the repository does not have"
    assert any(n.startswith(RESOURCES + "reports/templates/fonts/") and n.endswith(".ttf") for n in bundled)
    assert any(n.startswith(RESOURCES + "sql/statements/") for n in bundled)

    modules = {p.relative_to(REPO).as_posix() for p in (REPO / "pipeline").rglob("*.py")}
    assert sorted(modules - wheel_names) == [], "pipeline modules are missing from the wheel"


def test_the_wheel_ships_no_tools_tests_or_benchmarks(wheel_names):
    shipped = sorted(n for n in wheel_names if {"tools", "tests", "bench", "data"} & set(n.split("/")[:-1]))
    assert shipped == []
    assert {n.split("/")[0] for n in wheel_names} == {"pipeline", _dist_info(wheel_names)}


def _dist_info(wheel_names: set[str]) -> str:
    (folder,) = {n.split("/")[0] for n in wheel_names if n.split("/")[0].endswith(".dist-info")}
    return folder


def _third_party_imports() -> set[str]:
    roots: set[str] = set()
    for path in (REPO / "pipeline").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                roots.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots.add(node.module.split(".")[0])
    return {r for r in roots if r != "pipeline" and r not in sys.stdlib_module_names}


def test_declared_dependencies_are_exactly_the_imported_ones(wheel, wheel_names):
    with zipfile.ZipFile(wheel) as zf:
        metadata = Parser().parsestr(zf.read(f"{_dist_info(wheel_names)}/METADATA").decode())
    declared = {
        _normalize(re.match(r"[A-Za-z0-9._-]+", req).group())
        for req in metadata.get_all("Requires-Dist") or []
        if "extra ==" not in req
    }
    providers = {m: {_normalize(d) for d in dists} for m, dists in packages_distributions().items()}
    imports = _third_party_imports()
    unknown = sorted(m for m in imports if m not in providers)
    assert unknown == [], f"imported by pipeline/ but not installed in this environment: {unknown}"
    undeclared = sorted(m for m in imports if not providers[m] & declared)
    assert undeclared == [], f"imported by pipeline/ but not declared in [project].dependencies: {undeclared}"
    used = set().union(*(providers[m] for m in imports)) | NOT_IMPORTED
    assert sorted(declared - used) == [], "declared in [project].dependencies but never imported by pipeline/"
    assert "numpy" not in declared and "pandas" not in declared


def test_the_installed_package_reads_its_own_files(venv, tmp_path):
    probe = """\
import json, sys
import pipeline, pipeline.cli
from pipeline import settings
s = settings.Settings.from_env({})
print(json.dumps({
    "pipeline": pipeline.__file__, "cli": pipeline.cli.__file__, "source_root": settings.SOURCE_ROOT,
    "project_root": str(settings.PROJECT_ROOT), "sql": str(settings.SQL_DIR),
    "templates": str(settings.TEMPLATES_DIR), "policy": str(settings.DEFAULT_POLICY_FILE),
    "defaults": {k: str(v) for k, v in vars(s).items()}, "path": sys.path,
}))
"""
    cwd = tmp_path / "anywhere"
    cwd.mkdir()
    python = venv / "bin" / "python"
    site_packages = _site_packages(python).resolve()
    out = json.loads(_check([str(python), "-c", probe], "probing the installed package", cwd=cwd, env=_clean_env()).stdout)

    package = site_packages / "pipeline"
    assert Path(out["pipeline"]) == package / "__init__.py"
    assert Path(out["cli"]).is_relative_to(package)
    assert out["source_root"] is None
    resources = package / "_resources"
    assert Path(out["project_root"]) == resources
    assert Path(out["sql"]) == resources / "sql" and (resources / "sql" / "macros.sql").is_file()
    assert Path(out["templates"]) == resources / "reports" / "templates"
    assert Path(out["policy"]) == resources / "policy" / "sla-policy.yaml"
    assert not any(Path(p).resolve().is_relative_to(REPO) for p in out["path"] if p), out["path"]
    # No source tree: the defaults that used to point into it are relative to the working directory.
    real_cwd = cwd.resolve()
    assert out["defaults"] == {
        "data_dir": str(real_cwd / "data" / "sample"),
        "warehouse": str(real_cwd / "warehouse" / "sla.duckdb"),
        "statements_dir": str(real_cwd / "statements"),
        "policy_file": str(resources / "policy" / "sla-policy.yaml"),
        "dagster_home": str(real_cwd / ".dagster_home"),
        # finance: the ledger and users file default beside the warehouse (properties), SMTP unset
        "ledger_file": "None",
        "users_file": "None",
        "smtp_url": "None",
        "smtp_from": "None",
    }
    # The audit hook the run test relies on does record an open inside the repository.
    log = tmp_path / "audit.log"
    audited = _clean_env(SLA_TEST_FORBIDDEN_ROOT=REPO, SLA_TEST_AUDIT_LOG=log)
    opener = f"open({str(REPO / 'pyproject.toml')!r}).close()"
    _check([str(python), "-c", opener], "the audit hook's self-test", cwd=cwd, env=audited)
    assert log.read_text().splitlines() == [f"open {REPO / 'pyproject.toml'}"]
    # The console script runs the venv's interpreter, so it imports the package probed above.
    shebang = (venv / "bin" / "sla-report").read_text().splitlines()[0]
    assert Path(shebang.removeprefix("#!")).parent == python.parent


def test_the_installed_program_runs_the_sample_month_like_the_source_tree(venv, tmp_path):
    """The installed wheel, run from an empty folder on a copy of the sample drop, produces exactly the
    sample month the source tree does: every mart row and every statement byte equal the golden
    snapshot the end-to-end test holds the source tree to (tests/golden, `tools.snapshot`)."""
    drop = tmp_path / "drop"
    shutil.copytree(REPO / "data" / "sample", drop)
    audit_log = tmp_path / "opened-in-repo.log"
    out, empty = tmp_path / "installed", tmp_path / "empty"
    empty.mkdir()
    env = _clean_env(
        SLA_DATA_DIR=drop,
        SLA_WAREHOUSE=out / "warehouse" / "sla.duckdb",
        SLA_STATEMENTS_DIR=out / "statements",
        DAGSTER_HOME=out / "dagster_home",
        SLA_TEST_FORBIDDEN_ROOT=REPO,
        SLA_TEST_AUDIT_LOG=audit_log,
    )
    _check([str(venv / "bin" / "sla-report"), "run", "--month", MONTH], "the installed `sla-report run`", cwd=empty, env=env)

    opened = audit_log.read_text().splitlines() if audit_log.exists() else []
    assert opened == [], "the installed program opened files in the source tree"
    assert list(empty.iterdir()) == [], "the installed run wrote into its working directory"
    golden = json.loads((REPO / "tests" / "golden" / f"sample-{MONTH}.json").read_text())
    produced = snapshot(out / "warehouse" / "sla.duckdb", out / "statements", MONTH)
    assert produced["tables"]["credits"]["rows"] == 7
    assert sorted(produced["files"]) == sorted(golden["files"])
    assert produced == golden
