"""One publication (issue 9): a run's warehouse and statements become visible together, in one rename
of the `current` link, and the invariant of tests/fixtures/publication.py holds before, during and after."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

from fixtures.publication import invariant_violations

from pipeline.statements.month import ensure_statements_table
from pipeline.warehouse import WarehouseBuild, connection
from pipeline.warehouse.build import current_release, releases_dir

MONTH = "2026-10"


def _stage(build: WarehouseBuild, month: str, files: dict[str, bytes]) -> None:
    """What the statements step does, reduced to files and rows: write into the release, record in the build."""
    folder = build.staged_statements(month)
    with build.connect() as con:
        ensure_statements_table(con)
        for name, data in files.items():
            target = folder / f"{name}.pdf"
            tmp = folder / f".{name}.tmp"
            tmp.write_bytes(data)
            os.replace(tmp, target)  # never in place: the published file is a hard link of this name
            sha = hashlib.sha256(data).hexdigest()
            con.execute("DELETE FROM main.statements WHERE month = ? AND customer_id = ?", [month, name])
            con.execute(
                "INSERT INTO main.statements (customer_id, month, version, is_current, path, sha256)"
                " VALUES (?, ?, 1, true, ?, ?)",
                [name, month, str(build.published_statements(month) / f"{name}.pdf"), sha],
            )


def test_nothing_of_a_run_is_visible_before_publication_and_all_of_it_after(tmp_path):
    warehouse, statements = tmp_path / "warehouse" / "sla.duckdb", tmp_path / "statements"
    first = WarehouseBuild(warehouse, "first", statements)
    _stage(first, MONTH, {"acme": b"acme v1", "globex": b"globex v1"})
    assert not warehouse.exists() and not (statements / MONTH).exists()  # nothing before the first publication
    first.publish()
    assert warehouse.is_symlink() and (statements / MONTH).is_symlink()
    assert (statements / MONTH / "acme.pdf").read_bytes() == b"acme v1"
    assert invariant_violations(warehouse, statements) == []

    second = WarehouseBuild(warehouse, "second", statements)
    _stage(second, MONTH, {"acme": b"acme v2"})
    # Staged: the build lists the new file, the published paths still show the old month, consistently.
    assert (statements / MONTH / "acme.pdf").read_bytes() == b"acme v1"
    assert (second.staged_statements(MONTH) / "globex.pdf").stat().st_ino == (statements / MONTH / "globex.pdf").stat().st_ino
    assert invariant_violations(warehouse, statements) == []
    second.publish()
    assert (statements / MONTH / "acme.pdf").read_bytes() == b"acme v2"
    assert (statements / MONTH / "globex.pdf").read_bytes() == b"globex v1"
    assert invariant_violations(warehouse, statements) == []
    # The previous release is intact (kept for a rollback by hand), its file was never written in place.
    assert (releases_dir(warehouse) / "run-first" / "statements" / MONTH / "acme.pdf").read_bytes() == b"acme v1"
    assert current_release(warehouse).name == "run-second"


def test_other_months_travel_with_every_release(tmp_path):
    warehouse, statements = tmp_path / "sla.duckdb", tmp_path / "statements"
    october = WarehouseBuild(warehouse, "october", statements)
    _stage(october, "2026-10", {"acme": b"october"})
    october.publish()
    september = WarehouseBuild(warehouse, "september", statements)
    _stage(september, "2026-09", {"acme": b"september"})
    september.publish()
    assert (statements / "2026-10" / "acme.pdf").read_bytes() == b"october"
    assert (statements / "2026-09" / "acme.pdf").read_bytes() == b"september"
    assert sorted(p.name for p in (current_release(warehouse) / "statements").iterdir()) == ["2026-09", "2026-10"]
    assert invariant_violations(warehouse, statements) == []


def test_an_old_layout_is_taken_over_by_the_first_publication(tmp_path):
    warehouse, statements = tmp_path / "sla.duckdb", tmp_path / "statements"
    with connection(warehouse) as con:  # a plain file and plain month folders, as before releases
        ensure_statements_table(con)
        con.execute(
            "INSERT INTO main.statements (customer_id, month, version, is_current, path, sha256) VALUES"
            " ('acme', '2026-09', 1, true, ?, ?)",
            [str(statements / "2026-09" / "acme.pdf"), hashlib.sha256(b"old").hexdigest()],
        )
    (statements / "2026-09").mkdir(parents=True)
    (statements / "2026-09" / "acme.pdf").write_bytes(b"old")
    build = WarehouseBuild(warehouse, "takeover", statements)
    _stage(build, MONTH, {"acme": b"new"})
    build.publish()
    assert warehouse.is_symlink() and (statements / "2026-09").is_symlink()
    assert (statements / "2026-09" / "acme.pdf").read_bytes() == b"old"
    assert invariant_violations(warehouse, statements) == []
    assert not [p for p in statements.iterdir() if p.name.startswith(".")]  # the old folder is gone


def test_a_failed_run_is_discarded_and_the_published_release_never_is(tmp_path):
    warehouse, statements = tmp_path / "sla.duckdb", tmp_path / "statements"
    good = WarehouseBuild(warehouse, "good", statements)
    _stage(good, MONTH, {"acme": b"good"})
    good.publish()
    failed = WarehouseBuild(warehouse, "failed", statements)
    _stage(failed, MONTH, {"acme": b"half"})
    failed.discard()
    assert not failed.release.exists()
    good.discard()  # a late discard of a run that did publish is refused silently
    assert (statements / MONTH / "acme.pdf").read_bytes() == b"good"
    assert invariant_violations(warehouse, statements) == []


def test_an_analyst_keeps_the_snapshot_opened_through_the_link(tmp_path):
    warehouse, statements = tmp_path / "sla.duckdb", tmp_path / "statements"
    first = WarehouseBuild(warehouse, "first", statements)
    _stage(first, MONTH, {"acme": b"one"})
    first.publish()
    analyst = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys\n"
         "con = duckdb.connect(sys.argv[1], read_only=True)\n"
         "q = 'SELECT sha256 FROM statements'\n"
         "print(con.execute(q).fetchone()[0], flush=True)\n"
         "sys.stdin.readline()\n"
         "print(con.execute(q).fetchone()[0], flush=True)\n",
         str(warehouse)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        before = analyst.stdout.readline().strip()
        for run in ("second", "third", "fourth", "fifth"):  # old releases get collected meanwhile
            build = WarehouseBuild(warehouse, run, statements)
            _stage(build, MONTH, {"acme": run.encode()})
            build.publish()
        analyst.stdin.write("\n")
        analyst.stdin.flush()
        assert analyst.stdout.readline().strip() == before == hashlib.sha256(b"one").hexdigest()
    finally:
        analyst.kill()
        analyst.wait()
    assert not (releases_dir(warehouse) / "run-first").exists()  # collected; the open session did not care
    assert sorted(p.name for p in releases_dir(warehouse).glob("run-*")) == ["run-fifth", "run-fourth", "run-third"]
