"""The project's one resource: where the drop, warehouse, statements and policy are, resolved per run.

Every field is optional; unset fields come from the environment (`Settings.from_env`) when a step runs,
so `dagster dev`, the CLI and tests share code but not paths. We do not use dagster-duckdb's resource:
it opens read-write on the published file and can leave the lock behind on an exception.
"""

from __future__ import annotations

import dagster as dg

from pipeline.settings import Settings, absolute_path
from pipeline.warehouse import WarehouseBuild


class SlaEnvironment(dg.ConfigurableResource):
    data_dir: str | None = None
    warehouse: str | None = None
    statements_dir: str | None = None
    policy_file: str | None = None

    def settings(self) -> Settings:
        base = Settings.from_env()
        overrides = {
            name: absolute_path(value)
            for name, value in (
                ("data_dir", self.data_dir),
                ("warehouse", self.warehouse),
                ("statements_dir", self.statements_dir),
                ("policy_file", self.policy_file),
            )
            if value
        }
        return Settings(**{**base.__dict__, **overrides})

    def build(self, run_id: str) -> WarehouseBuild:
        """The release folder (warehouse copy and statements) this run writes and its last step publishes."""
        settings = self.settings()
        return WarehouseBuild(published=settings.warehouse, run_id=run_id, statements_root=settings.statements_dir)


__all__ = ["SlaEnvironment"]
