"""The uptime fixture itself: it must build exactly the interface tables ingestion provides."""

from fixtures.uptime import UptimeCase


def test_harness_builds_the_interface_tables(tmp_path):
    case = UptimeCase(tmp_path)
    case.run()
    columns = case.rows("SELECT table_name, count(*) AS n FROM information_schema.columns "
                        "WHERE table_schema = 'intermediate' AND table_name LIKE 'valid_%' GROUP BY ALL ORDER BY 1")
    assert {r["table_name"]: r["n"] for r in columns} == {
        "valid_contracts": 10, "valid_customers": 3, "valid_incidents": 6, "valid_maintenance": 6}
    assert case.uptime()["total_minutes"] == 44640
    assert case.states() == {}
    case.close()
