"""The asset graph reads forward: inputs → support, uptime → credits → statements → publication.

No asset depends on an asset of a later stage, the checks that gate a stage sit on an asset upstream
of it, and every mart the statement queries read is an upstream asset of `statements`.
"""

from __future__ import annotations

from pipeline.defs import defs
from pipeline.statements.queries import statement_inputs

STAGE_OF_GROUP = {"inputs": 0, "support": 1, "uptime": 1, "credits": 2, "statements": 3, "publication": 4}
# the intermediate models of a stage sit in its collapsed `<stage>_models` group (pipeline/defs/models.py)
STAGE_OF_GROUP |= {f"{group}_models": stage for group, stage in list(STAGE_OF_GROUP.items()) if stage < 3}


def _graph():
    graph = defs.resolve_asset_graph()
    return {key.to_user_string(): graph.get(key) for key in graph.get_all_asset_keys()}


def test_no_asset_depends_on_a_later_stage():
    nodes = _graph()
    assert {n.group_name for n in nodes.values()} == set(STAGE_OF_GROUP)
    backwards = [
        (name, parent.to_user_string())
        for name, node in nodes.items()
        for parent in node.parent_keys
        if STAGE_OF_GROUP[nodes[parent.to_user_string()].group_name] > STAGE_OF_GROUP[node.group_name]
    ]
    assert backwards == []


def test_every_intermediate_model_is_an_asset_in_its_stages_collapsed_group():
    """Issue 11: the models are visible. Each `sql/intermediate/<domain>/` model a step runs is the asset
    `intermediate/<name>` in the `<stage>_models` group of the step that runs it, its deps its table
    references (`intermediate.valid_contracts` → `intermediate/valid_contracts`)."""
    from pipeline.defs.models import INTERMEDIATE_KEYS
    from pipeline.warehouse.sqlrunner import load_model

    nodes = _graph()
    models = {name: node for name, node in nodes.items() if name.startswith("intermediate/")}
    assert set(models) == {f"intermediate/{load_model(k).name}" for k in INTERMEDIATE_KEYS}
    assert len(models) == len(INTERMEDIATE_KEYS) >= 36
    assert {n.group_name for n in models.values()} == {"inputs_models", "support_models", "uptime_models",
                                                         "credits_models"}
    assert models["intermediate/minute_states"].group_name == "uptime_models"
    assert models["intermediate/valid_contracts"].group_name == "inputs_models"
    assert {p.to_user_string() for p in models["intermediate/contract_periods"].parent_keys} == {
        "intermediate/valid_contracts"
    }
    # marts depend on the models they read
    assert "intermediate/minute_states" in {p.to_user_string() for p in nodes["availability_minutes"].parent_keys}


def test_stages_hold_the_assets_of_their_stage():
    groups: dict[str, set[str]] = {}
    for name, node in _graph().items():
        if not node.group_name.endswith("_models"):
            groups.setdefault(node.group_name, set()).add(name)
    assert groups == {
        "inputs": {"customers", "contracts", "tickets", "ticket_events", "maintenance_windows", "incidents",
                   "probe_files", "rejected_rows", "input_file_accounting"},
        "support": {"ticket_sla", "ticket_sla_segments", "support_attainment", "ticket_pause_audit"},
        "uptime": {"measured_periods", "enterprise_tenure", "exclusion_windows", "availability_minutes",
                   "uptime_monthly",
                   "downtime_attribution"},
        "credits": {"credits", "chronic_breaches"},
        "statements": {"statements"},
        "publication": {"warehouse"},
    }


def test_accounting_gate_is_upstream_of_every_figure():
    """The blocking `accounting_balances` check sits on `input_file_accounting`, which support and
    uptime (and so credits and statements) depend on: a file that does not add up stops the run before
    any figure is computed."""
    nodes = _graph()
    for name in ("ticket_sla", "support_attainment", "measured_periods", "availability_minutes", "uptime_monthly"):
        assert "input_file_accounting" in {p.to_user_string() for p in nodes[name].parent_keys}, name
    checks = {(c.asset_key.to_user_string(), c.name) for c in defs.resolve_asset_graph().asset_check_keys}
    assert ("input_file_accounting", "accounting_balances") in checks


def test_statements_depend_on_exactly_the_marts_their_queries_read():
    nodes = _graph()
    parents = {p.to_user_string() for p in nodes["statements"].parent_keys}
    assert parents == set(statement_inputs())
    assert {"credits", "measured_periods", "exclusion_windows", "ticket_sla"} <= parents


def test_an_intermediate_model_materializes_with_its_row_count(published_october):
    """The run of the sample month materialized each model with the rows its table holds."""
    import dagster as dg

    result = published_october.result
    events = {
        e.asset_key.to_user_string(): e.materialization.metadata for e in result.get_asset_materialization_events()
    }
    from pipeline.warehouse import connection

    with connection(published_october.warehouse, read_only=True) as con:
        valid = con.execute("SELECT count(*) FROM intermediate.valid_tickets").fetchone()[0]
    assert events["intermediate/valid_tickets"]["dagster/row_count"] == dg.IntMetadataValue(valid)
