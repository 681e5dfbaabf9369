"""The run's as-of instant (R11): the instant the ticket data describes.

By default the newest timestamp among the loaded tickets and ticket events of the whole drop (not only
the month's); an operator may set it (`--as-of`, or the input step's config in the UI). Decided once by
the input step and recorded in `main.report_runs` for every later step.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb

from pipeline.months import RunParams


def default_as_of(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """R11: the newest timestamp among the loaded tickets and ticket events of the whole drop (not
    only the month's); None when there are none."""
    newest = con.execute(
        "SELECT greatest("
        " (SELECT max(created_at) FROM intermediate.valid_tickets),"
        " (SELECT max(occurred_at) FROM intermediate.valid_ticket_events))"
    ).fetchone()[0]
    return None if newest is None else newest.astimezone(UTC)


class AsOfError(ValueError):
    pass


def parse_as_of(text: str, params: RunParams) -> datetime:
    """An operator's `--as-of`: ISO 8601 with an offset, not before the month, not after the run start."""
    try:
        instant = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise AsOfError(f"--as-of {text!r} is not an ISO 8601 instant") from exc
    if instant.tzinfo is None:
        raise AsOfError(f"--as-of {text!r} has no UTC offset (write Z or ±hh:mm)")
    instant = instant.astimezone(UTC)
    if instant < params.month_start:
        raise AsOfError(f"--as-of {text} is before {params.month} starts")
    if instant > params.run_started_at:
        raise AsOfError(f"--as-of {text} is in the future")
    return instant


def resolve_as_of(
    con: duckdb.DuckDBPyConnection, params: RunParams, override: str | None
) -> tuple[datetime, str]:
    """The run's as-of and where it came from: the operator, the data, or (no tickets at all) month end."""
    if override:
        return parse_as_of(override, params), "override"
    newest = default_as_of(con)
    if newest is not None:
        return newest, "data"
    return min(params.month_end, params.run_started_at), "month_end"


__all__ = ["AsOfError", "default_as_of", "parse_as_of", "resolve_as_of"]
