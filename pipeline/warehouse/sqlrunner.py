"""A small runner for the SQL models in `sql/` (lea-style: folder = schema, file = table).

Each model file is one bare SELECT that opens with a comment (purpose, grain, inputs). The runner wraps
it: `staging` and `intermediate` models become tables rebuilt every run; `marts` models are month-keyed
and the runner replaces the run's month only. Parameters are bound (`$month`, `$as_of`, …), never
formatted into the SQL text; each model receives exactly the parameters it names.
"""

from __future__ import annotations

import graphlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from pipeline.settings import SQL_DIR

LAYERS = ("staging", "intermediate", "marts")
# The schema a layer's tables live in: marts are the analysts' interface and sit in `main`.
LAYER_SCHEMA = {"staging": "staging", "intermediate": "intermediate", "marts": "main"}
_REFERENCE = re.compile(r"\b(raw|staging|intermediate|main)\.([a-z_][a-z0-9_]*)\b")
_LINE_COMMENT = re.compile(r"--[^\n]*")


class ModelError(RuntimeError):
    """A SQL model failed; the message names the model file."""


def table_references(sql: str) -> frozenset[str]:
    """The schema-qualified tables (`raw.x`, `staging.x`, `intermediate.x`, `main.x`) a query reads,
    comments left out: what orders the models and draws the lineage."""
    return frozenset(f"{s}.{t}" for s, t in _REFERENCE.findall(_LINE_COMMENT.sub("", sql)))


def named_parameters(sql: str) -> frozenset[str]:
    """The `$name` parameters one SQL statement binds, as DuckDB's own parser sees them (comments and
    string literals never count)."""
    statements = duckdb.extract_statements(sql)
    if len(statements) != 1:
        raise ModelError(f"expected one SQL statement, found {len(statements)}")
    return frozenset(statements[0].named_parameters)


def bind(sql: str, params: Mapping[str, Any], what: str) -> dict[str, Any]:
    """Exactly the parameters `sql` names, taken from `params`; a missing one names `what` needs it."""
    wanted = named_parameters(sql)
    missing = wanted - params.keys()
    if missing:
        raise ModelError(f"{what} needs parameters {sorted(missing)} that the run did not give")
    return {name: params[name] for name in wanted}


@dataclass(frozen=True)
class Model:
    """One `sql/<layer>/[<domain>/]<name>.sql` file; its table is `<schema of the layer>.<name>`."""

    layer: str
    name: str
    path: Path
    sql: str
    domain: str | None = None

    @property
    def schema(self) -> str:
        return LAYER_SCHEMA[self.layer]

    @property
    def table(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def key(self) -> str:
        return "/".join(part for part in (self.layer, self.domain, self.name) if part)

    @property
    def references(self) -> frozenset[str]:
        return table_references(self.sql) - {self.table}

    @property
    def parameters(self) -> frozenset[str]:
        return named_parameters(self.sql)

    @property
    def description(self) -> str:
        """The opening comment block: what the Dagster UI shows the person running the job."""
        lines = []
        for line in self.sql.splitlines():
            stripped = line.strip()
            if not stripped.startswith("--"):
                break
            lines.append(stripped[2:].strip())
        return "\n".join(lines).strip()


@cache
def _load(path: Path, mtime_ns: int) -> str:
    return path.read_text(encoding="utf-8")


_MODEL_KEY = re.compile(r"(?P<layer>[a-z]+)/(?:(?P<domain>[a-z_][a-z0-9_]*)/)?(?P<name>[a-z_][a-z0-9_]*)")


def load_model(key: str, sql_dir: Path = SQL_DIR) -> Model:
    """Load `layer/name` or `layer/domain/name` (e.g. `marts/ticket_sla`,
    `intermediate/uptime/minute_states`) from `sql/`."""
    match = _MODEL_KEY.fullmatch(key)
    if match is None or match["layer"] not in LAYERS:
        raise ModelError(f"not a model key: {key!r} (expected one of {LAYERS} / [domain /] snake_case name)")
    path = sql_dir / f"{key}.sql"
    if not path.is_file():
        raise ModelError(f"SQL model file missing: {path}")
    sql = _load(path, path.stat().st_mtime_ns).strip().rstrip(";")
    return Model(match["layer"], match["name"], path, sql, match["domain"])


def order_models(models: Iterable[Model]) -> list[Model]:
    """Order models so that each runs after the models (of this set) whose tables it references."""
    by_table: dict[str, Model] = {}
    for model in models:
        if model.table in by_table and by_table[model.table].key != model.key:
            # two domains may not build one table: the second would silently replace the first
            raise ModelError(f"{by_table[model.table].key} and {model.key} both build {model.table}")
        by_table[model.table] = model
    sorter = graphlib.TopologicalSorter(
        {m.table: [r for r in sorted(m.references) if r in by_table] for m in by_table.values()}
    )
    try:
        return [by_table[t] for t in sorter.static_order()]
    except graphlib.CycleError as exc:
        raise ModelError(f"SQL models reference each other in a cycle: {exc.args[1]}") from exc


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?"
        " ORDER BY ordinal_position",
        [schema, table],
    ).fetchall()
    return [r[0] for r in rows]


def quote_identifier(name: str) -> str:
    """A snake_case identifier in double quotes; anything else is refused (identifiers never come from data)."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ModelError(f"refusing identifier {name!r}")
    return f'"{name}"'


def run_model(con: duckdb.DuckDBPyConnection, model: Model, params: Mapping[str, Any]) -> int:
    """Build one model; return the number of rows it produced for this run."""
    bound = bind(model.sql, params, model.path.name)
    # Identifiers below come from validated file names, never from data; values are always bound.
    schema, table = quote_identifier(model.schema), quote_identifier(model.name)
    target = f"{schema}.{table}"
    try:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        if model.layer != "marts":
            con.execute(f"CREATE OR REPLACE TABLE {target} AS {model.sql}", bound)
            return con.execute(f"SELECT count(*) FROM {target}").fetchone()[0]
        if "month" not in params:
            raise ModelError(f"{model.path.name} is a mart and needs the run's $month")
        scratch = f"{quote_identifier('_build_' + model.name)}"
        con.execute(f"CREATE OR REPLACE TEMP TABLE {scratch} AS {model.sql}", bound)
        new_columns = [c for c, *_ in con.execute(f"DESCRIBE {scratch}").fetchall()]
        if "month" not in new_columns:
            raise ModelError(f"{model.path.name} is a mart and must return a `month` column")
        outside = con.execute(
            f"SELECT count(*) FROM {scratch} WHERE month IS DISTINCT FROM $month", {"month": params["month"]}
        ).fetchone()[0]
        if outside:
            raise ModelError(f"{model.path.name} returned {outside} rows of another month than {params['month']}")
        existing = _columns(con, model.schema, model.name)
        if not existing:
            con.execute(f"CREATE TABLE {target} AS SELECT * FROM {scratch} LIMIT 0")
        else:
            # A newer model may add columns: widen the table, older months keep NULL there.
            types = dict((c, t) for c, t, *_ in con.execute(f"DESCRIBE {scratch}").fetchall())
            for column in new_columns:
                if column not in existing:
                    con.execute(f"ALTER TABLE {target} ADD COLUMN {quote_identifier(column)} {types[column]}")
        con.execute(f"DELETE FROM {target} WHERE month = $month", {"month": params["month"]})
        con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM {scratch}")
        count = con.execute(f"SELECT count(*) FROM {scratch}").fetchone()[0]
        con.execute(f"DROP TABLE {scratch}")
        return count
    except duckdb.Error as exc:
        raise ModelError(f"SQL model sql/{model.key}.sql failed: {exc}") from exc


def install_macros(con: duckdb.DuckDBPyConnection, sql_dir: Path = SQL_DIR) -> None:
    """Install the shared parsing macros (`sql/macros.sql`) as TEMP macros on this connection."""
    path = sql_dir / "macros.sql"
    con.execute(_load(path, path.stat().st_mtime_ns))


def run_models(
    con: duckdb.DuckDBPyConnection,
    keys: Iterable[str],
    params: Mapping[str, Any],
    sql_dir: Path = SQL_DIR,
) -> dict[str, int]:
    """Run the given models in reference order; return rows produced per model key."""
    models = order_models(load_model(k, sql_dir) for k in keys)
    install_macros(con, sql_dir)
    return {m.key: run_model(con, m, params) for m in models}


__all__ = [
    "LAYERS",
    "quote_identifier",
    "Model",
    "ModelError",
    "bind",
    "install_macros",
    "load_model",
    "named_parameters",
    "order_models",
    "run_model",
    "run_models",
    "table_references",
]
