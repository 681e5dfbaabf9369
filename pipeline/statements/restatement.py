"""When a statement is restated, and what the new version says about the one it replaces (R21, issue 9).

A new version is made only when a figure changes: the content of `statement.json` other than what
describes the run rather than the month (`FIGURES_EXCLUDE`: the statement id, which is derived from
the rest, the as-of instant, the input fingerprint, and the restatement block itself). The digest of
that content is recorded per version (`statements.figures_sha256`); a rerun whose digest equals the
current version's keeps the current file byte for byte.

A new version names the statement it supersedes, when that one was produced, and what changed, in
words a person checks against the old PDF: "credit 0.00 → 100.81 EUR; uptime 99.912 % → 99.874 %".
"""

from __future__ import annotations

from typing import Any

from pipeline.statements.viewmodel import Restatement, canonical_json, sha256_hex

# Keys of statement.json that describe the run, not the month's figures.
FIGURES_EXCLUDE = ("statement_id", "as_of", "input_fingerprint", "restates")


def figures_of(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k not in FIGURES_EXCLUDE}


def figures_digest(document: dict[str, Any]) -> str:
    """sha256 of a statement.json document's figures (canonical JSON, run-describing keys left out)."""
    return sha256_hex(canonical_json(figures_of(document)))


def _get(document: dict[str, Any], *keys: str) -> Any:
    node: Any = document
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _support_key(row: dict[str, Any]) -> tuple[str, str]:
    return (str(row.get("severity")), str(row.get("clock")))


def describe_changes(old: dict[str, Any] | None, new: dict[str, Any]) -> str:
    """The figures that differ between two statement.json documents, most important first."""
    if old is None:
        return "figures changed (the previous statement's data could not be read)"
    parts: list[str] = []
    old_credit, new_credit = _get(old, "credit") or {}, _get(new, "credit") or {}
    if (old_credit.get("credit_amount"), old_credit.get("currency")) != (
        new_credit.get("credit_amount"),
        new_credit.get("currency"),
    ):
        if old_credit.get("currency") == new_credit.get("currency"):
            parts.append(
                f"credit {old_credit.get('credit_amount')} → {new_credit.get('credit_amount')} {new_credit.get('currency')}"
            )
        else:
            parts.append(
                f"credit {old_credit.get('credit_amount')} {old_credit.get('currency')} → "
                f"{new_credit.get('credit_amount')} {new_credit.get('currency')}"
            )
    if old_credit.get("fee_base") != new_credit.get("fee_base"):
        parts.append(f"fee base {old_credit.get('fee_base')} → {new_credit.get('fee_base')}")
    old_uptime, new_uptime = _get(old, "uptime") or {}, _get(new, "uptime") or {}
    if old_uptime.get("uptime_percent") != new_uptime.get("uptime_percent"):
        parts.append(f"uptime {old_uptime.get('uptime_percent')} % → {new_uptime.get('uptime_percent')} %")
    for key, label in (
        ("unavailable_minutes", "unavailable minutes"),
        ("total_minutes", "measured minutes"),
        ("maintenance_minutes", "maintenance minutes"),
        ("customer_caused_minutes", "customer-caused minutes"),
        ("upstream_minutes", "upstream minutes"),
        ("no_data_minutes", "no-data minutes"),
    ):
        if old_uptime.get(key) != new_uptime.get(key):
            parts.append(f"{label} {old_uptime.get(key)} → {new_uptime.get(key)}")
    old_support = {_support_key(r): r for r in old.get("support") or []}
    for row in new.get("support") or []:
        before = old_support.get(_support_key(row))
        fields = ("met", "breached", "pending")
        if before is None or any(before.get(f) != row.get(f) for f in fields):
            was = "none" if before is None else "/".join(str(before.get(f)) for f in fields)
            now = "/".join(str(row.get(f)) for f in fields)
            parts.append(f"{row.get('severity')} {row.get('clock')} met/breached/pending {was} → {now}")
    old_breached = {(b.get("ticket_id"), b.get("clock")): b for b in old.get("breached_tickets") or []}
    new_breached = {(b.get("ticket_id"), b.get("clock")): b for b in new.get("breached_tickets") or []}
    for key in sorted(set(old_breached) | set(new_breached), key=str):
        before, after = old_breached.get(key), new_breached.get(key)
        if before == after:
            continue
        if before is None:
            parts.append(f"{key[0]} {key[1]} now breached")
        elif after is None:
            parts.append(f"{key[0]} {key[1]} no longer breached")
        elif before.get("elapsed_seconds") != after.get("elapsed_seconds"):
            parts.append(f"{key[0]} {key[1]} elapsed {before.get('elapsed_seconds')} s → {after.get('elapsed_seconds')} s")
        else:
            parts.append(f"{key[0]} {key[1]} breach details")
    if _get(old, "customer", "name") != _get(new, "customer", "name"):
        parts.append(f"customer name {_get(old, 'customer', 'name')!r} → {_get(new, 'customer', 'name')!r}")
    described = {"credit", "uptime", "support", "customer", "breached_tickets"}
    others = sorted(
        key
        for key in set(figures_of(old)) | set(figures_of(new))
        if key not in described and old.get(key) != new.get(key)
    )
    if others:
        parts.append("also changed: " + ", ".join(others))
    return "; ".join(parts) or "figures changed"


__all__ = ["FIGURES_EXCLUDE", "Restatement", "describe_changes", "figures_digest", "figures_of"]
