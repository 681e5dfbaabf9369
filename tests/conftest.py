"""Fixtures shared by several test files (each file's own fixtures stay in that file)."""

from __future__ import annotations

import pytest
from fixtures.published import PublishedMonth, publish_month
from fixtures.statements import BuiltMonth, build_statement_month


@pytest.fixture(scope="session")
def statement_month(tmp_path_factory) -> BuiltMonth:
    """The designed statement month (fixtures/statements.py) built once by the real pipeline.

    Read it through `statement_con` or `BuiltMonth.connect_copy`: the built file itself is never changed."""
    return build_statement_month(tmp_path_factory.mktemp("statement-month"))


@pytest.fixture
def statement_con(statement_month, tmp_path):
    """A connection to this test's own copy of the statement month's warehouse."""
    con = statement_month.connect_copy(tmp_path / "warehouse")
    yield con
    con.close()


@pytest.fixture(scope="session")
def published_october(tmp_path_factory) -> PublishedMonth:
    """The sample month 2026-10 run once by the real Dagster job and published (statements included).

    Read it only (`read_only=True`, or copy it): every test of the session shares the file."""
    return publish_month(tmp_path_factory.mktemp("published-october"))


@pytest.fixture(scope="session")
def finance_month(published_october):
    """The published sample month as the finance tests see it (fixtures/finance.py): a test that writes
    (the warehouse or the ledger) takes its own `finance_month.copy(tmp_path)`."""
    from fixtures.finance import FinanceWorld

    return FinanceWorld.of(published_october)
