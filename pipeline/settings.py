"""The one place that reads the environment and computes paths.

Everything is read when a run (or a command) starts, never at import time, so `dagster dev`, the CLI
and tests can point the same code at different drops and warehouses.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = PROJECT_ROOT / "sql"
TEMPLATES_DIR = PROJECT_ROOT / "reports" / "templates"
DEFAULT_POLICY_FILE = PROJECT_ROOT / "policy" / "sla-policy.yaml"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    warehouse: Path
    statements_dir: Path
    policy_file: Path
    dagster_home: Path

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ

        def path(name: str, default: Path) -> Path:
            value = env.get(name, "").strip()
            return Path(value).expanduser().resolve() if value else default

        return cls(
            data_dir=path("SLA_DATA_DIR", PROJECT_ROOT / "data" / "sample"),
            warehouse=path("SLA_WAREHOUSE", PROJECT_ROOT / "warehouse" / "sla.duckdb"),
            statements_dir=path("SLA_STATEMENTS_DIR", PROJECT_ROOT / "statements"),
            policy_file=path("SLA_POLICY_FILE", DEFAULT_POLICY_FILE),
            dagster_home=path("DAGSTER_HOME", PROJECT_ROOT / ".dagster_home"),
        )


__all__ = ["Settings", "PROJECT_ROOT", "SQL_DIR", "TEMPLATES_DIR", "DEFAULT_POLICY_FILE"]
