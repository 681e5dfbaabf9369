"""The layout promises of docs/architecture.md: every rule R1–R21 points to one existing file, the SQL
tree is grouped by stage, and the product package holds no test tooling."""

from __future__ import annotations

import re

from pipeline.settings import PROJECT_ROOT

ARCHITECTURE = PROJECT_ROOT / "docs" / "architecture.md"


def _rule_rows() -> dict[str, str]:
    rows = re.findall(r"^\| (R\d+) \| `([^`]+)` \|", ARCHITECTURE.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return dict(rows)


def test_every_rule_r1_to_r21_points_to_one_existing_file():
    rows = _rule_rows()
    assert sorted(rows, key=lambda r: int(r[1:])) == [f"R{n}" for n in range(1, 22)]
    missing = {rule: path for rule, path in rows.items() if not (PROJECT_ROOT / path).is_file()}
    assert missing == {}


def test_each_rule_file_names_its_rule():
    """The file a rule points to cites that rule, so the table and the code cannot drift apart."""
    unnamed = {
        rule: path
        for rule, path in _rule_rows().items()
        if not re.search(rf"\b{rule}\b", (PROJECT_ROOT / path).read_text(encoding="utf-8"))
    }
    assert unnamed == {}


def test_intermediate_models_live_in_their_domain_folder():
    intermediate = PROJECT_ROOT / "sql" / "intermediate"
    assert sorted(p.name for p in intermediate.iterdir()) == ["credits", "ingest", "support", "uptime"]
    assert list(intermediate.glob("*.sql")) == []


def test_the_product_package_ships_no_test_tooling():
    package = PROJECT_ROOT / "pipeline"
    names = {p.stem for p in package.rglob("*.py")}
    assert not names & {"samplegen", "synthetic", "drop_builder"}
    assert not list(package.rglob("*.sql")), "SQL lives in sql/, mapped into the wheel at build time"
