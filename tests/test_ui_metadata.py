"""Definition metadata of the Dagster UI (issue 11): descriptions from the SQL headers, owners per
stage, code references to the SQL file and the Python function, and the typed-table helpers."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import dagster as dg
import pytest

from pipeline.defs import defs
from pipeline.defs.metadata import OWNERS_BY_GROUP, amount_text, table_value
from pipeline.money import MoneyError
from pipeline.settings import SQL_DIR
from pipeline.warehouse.sqlrunner import load_model

MARTS = sorted(p.stem for p in (SQL_DIR / "marts").glob("*.sql"))


def _nodes():
    graph = defs.resolve_asset_graph()
    return {key.to_user_string(): graph.get(key) for key in graph.get_all_asset_keys()}


def test_every_mart_has_its_sql_header_its_table_and_its_sql_file():
    nodes = _nodes()
    assert len(MARTS) >= 15 and set(MARTS) <= set(nodes)
    for mart in MARTS:
        node = nodes[mart]
        assert node.description == load_model(f"marts/{mart}").description, mart
        assert node.metadata["dagster/table_name"] == f"main.{mart}"
        references = node.metadata["dagster/code_references"].code_references
        files = [Path(r.file_path) for r in references]
        assert files[0] == SQL_DIR / "marts" / f"{mart}.sql" and references[0].line_number == 1, mart
        assert files[1].parent.name == "assets" and files[1].suffix == ".py", mart
        # the Python reference points at the decorator of the asset function
        line = files[1].read_text().splitlines()[references[1].line_number - 1]
        assert line.startswith("@dg."), (mart, line)


def test_every_asset_has_the_owners_of_its_stage_and_a_python_reference():
    for name, node in _nodes().items():
        # an intermediate model (group `<stage>_models`) has its stage's owners
        assert node.owners == OWNERS_BY_GROUP[node.group_name.removesuffix("_models")], name
        assert any(str(r.file_path).endswith(".py") for r in node.metadata["dagster/code_references"].code_references)
    assert _nodes()["credits"].owners == ["team:finance"]


@pytest.mark.parametrize(("amount", "currency", "text"), [
    (Decimal("150000.0000"), "JPY", "150000"),
    (Decimal("100.8100"), "EUR", "100.81"),
    (Decimal("0.0000"), "EUR", "0.00"),
    (Decimal("12.3450"), "KWD", "12.345"),
    (0, "JPY", "0"),
])
def test_amounts_show_exactly_their_currencys_minor_unit(amount, currency, text):
    assert amount_text(amount, currency) == text


def test_an_amount_with_more_digits_than_its_minor_unit_is_refused_not_rounded():
    with pytest.raises(MoneyError):
        amount_text(Decimal("150000.5000"), "JPY")


def test_table_value_types_its_columns_from_the_values():
    value = table_value(("file", "rows", "ok", "amount"), [("a.csv", 3, True, Decimal("1.50")), ("b|c.csv", None, False, None)])
    assert isinstance(value, dg.TableMetadataValue)
    assert [(c.name, c.type) for c in value.schema.columns] == [("file", "string"), ("rows", "int"), ("ok", "bool"),
                                                               ("amount", "string")]
    assert [r.data for r in value.records] == [
        {"file": "a.csv", "rows": 3, "ok": True, "amount": "1.50"},
        {"file": "b|c.csv", "rows": None, "ok": False, "amount": None},
    ]
    assert len(table_value(("n",), [(i,) for i in range(30)], limit=20).records) == 20
