"""The one place that reads the environment and computes paths.

Everything is read when a run (or a command) starts, never at import time, so `dagster dev`, the CLI
and tests can point the same code at different drops and warehouses.

Bundled files (the SQL models, the statement templates with their fonts, the default SLA policy) are
resolved once, at import, from where the `pipeline` package itself lives — that is a fact of the
install, not of the environment:

* **installed wheel** — the wheel carries them under `pipeline/_resources/`, in the same layout as the
  repository (`_resources/sql/`, `_resources/reports/templates/`, `_resources/policy/sla-policy.yaml`;
  mapped at build time by `[tool.hatch.build.targets.wheel.force-include]` in `pyproject.toml`).
* **source checkout** (`uv sync`'s editable install, `make run`/`make test`) — `_resources/` does not
  exist and the repository's own `sql/`, `reports/templates/` and `policy/` are used.

The folder is found with `importlib.resources.files("pipeline")`. It must be a real directory on disk,
not only a readable resource: DuckDB, Jinja's FileSystemLoader, WeasyPrint's `file://` base URL and the
`BundledAssetFetcher` (which confines loads to the templates folder by resolved path) all need real
paths, so the constants are plain `pathlib.Path`s. pip and uv always unpack a wheel, so `files()` is a
`pathlib.Path` there; a zip import (where it would not be) is refused with a clear error rather than
extracted to a temporary folder with `as_file`, which would give every process different paths that
vanish when the context closes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path


def _package_dir() -> Path:
    package = files("pipeline")
    if not isinstance(package, Path):
        raise RuntimeError(
            f"sla-report must be installed as files on disk (it was imported from {package}); "
            "install the wheel with pip or uv instead of importing it from a zip"
        )
    return package.resolve()


def _source_checkout(package_dir: Path) -> Path | None:
    """The repository root when `pipeline` is imported from a source checkout, else None."""
    root = package_dir.parent
    if (root / "pyproject.toml").is_file() and (root / "sql").is_dir():
        return root
    return None


_PACKAGE_DIR = _package_dir()
# The folder of bundled resources inside an installed wheel (see the module docstring).
BUNDLED_RESOURCES = _PACKAGE_DIR / "_resources"
# The repository root when running from a source checkout; None when running from an installed wheel.
SOURCE_ROOT: Path | None = None if BUNDLED_RESOURCES.is_dir() else _source_checkout(_PACKAGE_DIR)
if SOURCE_ROOT is None and not BUNDLED_RESOURCES.is_dir():
    raise RuntimeError(
        f"sla-report's bundled SQL, templates and policy are missing: neither {BUNDLED_RESOURCES} "
        f"(an installed wheel) nor a source checkout at {_PACKAGE_DIR.parent} exists"
    )

# Where `sql/`, `reports/templates/` and `policy/` are: the repository in a source checkout, the
# wheel's read-only `_resources/` folder when installed (never a default output location).
PROJECT_ROOT = SOURCE_ROOT if SOURCE_ROOT is not None else BUNDLED_RESOURCES
SQL_DIR = PROJECT_ROOT / "sql"
TEMPLATES_DIR = PROJECT_ROOT / "reports" / "templates"
DEFAULT_POLICY_FILE = PROJECT_ROOT / "policy" / "sla-policy.yaml"


def default_root() -> Path:
    """The folder the default data drop, warehouse, statements and Dagster home are relative to.

    The repository in a source checkout (so `make run` behaves as it always has); the current working
    directory — read when called — for an installed package, which has no source tree.
    """
    return SOURCE_ROOT if SOURCE_ROOT is not None else Path.cwd().resolve()


def absolute_path(value: str | Path) -> Path:
    """An absolute path whose folders are resolved but whose last part is kept as named: the published
    warehouse and month folders are symlinks through the `current` release (pipeline/warehouse/build.py),
    and resolving them would pin a run to one release."""
    path = Path(value).expanduser()
    return path.parent.resolve() / path.name if path.name else path.resolve()


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    warehouse: Path
    statements_dir: Path
    policy_file: Path
    dagster_home: Path
    # The finance ledger (SLA_LEDGER); None = `sla-ledger.jsonl` beside the warehouse, see `ledger`.
    ledger_file: Path | None = None
    users_file: Path | None = None  # the portal's users (SLA_USERS_FILE); None = `sla-users.yaml` beside the ledger
    smtp_url: str | None = None  # SLA_SMTP_URL, e.g. smtp://mail.example:587; None = write .eml files
    smtp_from: str | None = None  # SLA_SMTP_FROM, the sender of statement emails

    @property
    def ledger(self) -> Path:
        """The approval / issuance ledger: outside the recomputable warehouse, never rebuilt by a run."""
        return self.ledger_file if self.ledger_file is not None else self.warehouse.parent / "sla-ledger.jsonl"

    @property
    def users(self) -> Path:
        return self.users_file if self.users_file is not None else self.ledger.parent / "sla-users.yaml"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        root = default_root()

        def path(name: str, default: Path | None) -> Path | None:
            value = env.get(name, "").strip()
            return absolute_path(value) if value else default

        return cls(
            data_dir=path("SLA_DATA_DIR", root / "data" / "sample"),
            warehouse=path("SLA_WAREHOUSE", root / "warehouse" / "sla.duckdb"),
            statements_dir=path("SLA_STATEMENTS_DIR", root / "statements"),
            policy_file=path("SLA_POLICY_FILE", DEFAULT_POLICY_FILE),
            dagster_home=path("DAGSTER_HOME", root / ".dagster_home"),
            ledger_file=path("SLA_LEDGER", None),
            users_file=path("SLA_USERS_FILE", None),
            smtp_url=env.get("SLA_SMTP_URL", "").strip() or None,
            smtp_from=env.get("SLA_SMTP_FROM", "").strip() or None,
        )


__all__ = [
    "Settings",
    "PROJECT_ROOT",
    "SQL_DIR",
    "TEMPLATES_DIR",
    "DEFAULT_POLICY_FILE",
    "SOURCE_ROOT",
    "BUNDLED_RESOURCES",
    "default_root",
    "absolute_path",
]
