"""Automation of the monthly job (issue 11): the drop sensor, the run-failure alert and a backfill.

Real Dagster everywhere: sensors are evaluated as the daemon does (`evaluate_tick` on a real
instance, cursor carried from tick to tick), the runs they ask for are executed, the alert goes to a
real SMTP server (aiosmtpd) and a real HTTP listener, both started here.
"""

from __future__ import annotations

import json
import os
import threading
import time
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import dagster as dg
import pytest
from fixtures.drops import write_drop
from fixtures.mail import free_port, smtp_servers
from fixtures.months import DOWN_MINUTES, mark_ready, write_months_drop

from pipeline.defs import defs
from pipeline.defs.jobs import MONTHLY_JOB_NAME
from pipeline.defs.resources import SlaEnvironment
from pipeline.defs.sensors import LAUNCHED_BY_TAG, drop_sensor, run_failure_alert
from pipeline.warehouse import connection

MONTHS = sorted(DOWN_MINUTES)


@pytest.fixture(scope="module")
def drop(tmp_path_factory) -> Path:
    return write_months_drop(tmp_path_factory.mktemp("drop") / "drop", DOWN_MINUTES)


def environment(drop: Path, out: Path) -> SlaEnvironment:
    return SlaEnvironment(data_dir=str(drop), warehouse=str(out / "sla.duckdb"), statements_dir=str(out / "statements"))


def run_month(instance, sla: SlaEnvironment, month: str, tags=None) -> dg.ExecuteInProcessResult:
    return defs.resolve_job_def(MONTHLY_JOB_NAME).execute_in_process(
        partition_key=month, instance=instance, resources={"sla": sla}, tags=tags, raise_on_error=False
    )


def tick(sensor, instance, cursor=None, sla=None):
    context = dg.build_sensor_context(instance=instance, cursor=cursor, resources={"sla": sla} if sla else None,
                                      definitions=defs)
    return sensor.evaluate_tick(context)


# --- drop sensor --------------------------------------------------------------------------------------


def test_drop_sensor_waits_for_the_marker_and_for_every_required_file(tmp_path):
    incomplete = tmp_path / "incoming"
    (incomplete / "probes").mkdir(parents=True)
    (incomplete / "customers.csv").write_text("customer_id,name\n")
    sla = SlaEnvironment(data_dir=str(incomplete))
    with dg.instance_for_test() as instance:
        first = tick(drop_sensor, instance, sla=sla)
        assert first.run_requests == [] and first.skip_message == f"no _READY marker in {incomplete} yet"
        mark_ready(incomplete, "2026-03")
        second = tick(drop_sensor, instance, sla=sla)
        assert second.run_requests == []
        assert second.skip_message.endswith("says 2026-03 is ready, but the drop lacks contracts.csv, tickets.csv, "
                                            "ticket_events.csv")
        mark_ready(incomplete, "March")
        assert "must name the month the drop completes on its first line (YYYY-MM), got 'March'" in (
            tick(drop_sensor, instance, sla=sla).skip_message)


def test_drop_sensor_does_not_launch_a_month_that_has_not_ended(tmp_path):
    copy = write_drop(tmp_path / "future")
    mark_ready(copy, "2099-01")
    with dg.instance_for_test() as instance:
        result = tick(drop_sensor, instance, sla=SlaEnvironment(data_dir=str(copy)))
    assert result.run_requests == [] and "2099-01, which is not a runnable month yet" in result.skip_message


def test_drop_sensor_launches_a_month_once_per_marker_and_the_run_it_asks_for_builds_it(drop, tmp_path):
    sla = environment(drop, tmp_path)
    marker = mark_ready(drop, "2026-03", note="exported by billing-export 4.2")
    try:
        with dg.instance_for_test() as instance:
            first = tick(drop_sensor, instance, sla=sla)
            [request] = first.run_requests
            assert request.partition_key == "2026-03" and request.run_key == first.cursor
            assert request.run_key.startswith("2026-03@") and len(request.run_key) == len("2026-03@") + 12
            assert request.tags[LAUNCHED_BY_TAG] == "drop_sensor"

            again = tick(drop_sensor, instance, cursor=first.cursor, sla=sla)
            assert again.run_requests == [] and "already launched for this marker" in again.skip_message

            # a re-drop rewrites the marker: same month, new run key
            stat = marker.stat()
            os.utime(marker, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
            [redrop] = tick(drop_sensor, instance, cursor=first.cursor, sla=sla).run_requests
            assert redrop.partition_key == "2026-03" and redrop.run_key != request.run_key

            result = run_month(instance, sla, request.partition_key, tags=request.tags)
            assert result.success
            with connection(tmp_path / "sla.duckdb", read_only=True) as con:
                rows = con.execute("SELECT month, customer_id, credit_amount::VARCHAR FROM credits").fetchall()
            assert rows == [("2026-03", "acme", "500.0000")]
            [run] = instance.get_runs()
            assert run.tags[LAUNCHED_BY_TAG] == "drop_sensor" and run.tags["dagster/partition"] == "2026-03"
    finally:
        marker.unlink()


# --- backfill -----------------------------------------------------------------------------------------


def test_a_backfill_of_two_months_builds_each_month_with_its_own_figures(drop, tmp_path):
    """A backfill is one run per month, one at a time (the instance allows one run): run them as the
    backfill daemon would, in partition order, into one warehouse, and read each month back."""
    sla = environment(drop, tmp_path)
    keys = defs.resolve_job_def(MONTHLY_JOB_NAME).partitions_def.get_partition_keys_in_range(
        dg.PartitionKeyRange(MONTHS[0], MONTHS[-1]))
    assert keys == ["2026-03", "2026-04"]
    with dg.instance_for_test() as instance:
        for month in keys:
            assert run_month(instance, sla, month, tags={"dagster/backfill": "bf-test"}).success, month
        materialized = instance.get_materialized_partitions(dg.AssetKey("statements"))
        assert materialized == {"2026-03", "2026-04"}
    with connection(tmp_path / "sla.duckdb", read_only=True) as con:
        uptime = con.execute("SELECT month, total_minutes, unavailable_minutes FROM uptime_monthly"
                             " WHERE customer_id = 'acme' ORDER BY month").fetchall()
        credits = con.execute("SELECT month, credit_pct::VARCHAR, credit_amount::VARCHAR FROM credits ORDER BY month").fetchall()
        statements = con.execute("SELECT month, count(*) FROM statements WHERE is_current GROUP BY 1 ORDER BY 1").fetchall()
        tickets = con.execute("SELECT month, count(*) FROM ticket_sla GROUP BY 1 ORDER BY 1").fetchall()
    assert uptime == [("2026-03", 44640, 120), ("2026-04", 43200, 200)]
    assert credits == [("2026-03", "5.0000", "500.0000"), ("2026-04", "15.0000", "1500.0000")]
    assert statements == [("2026-03", 1), ("2026-04", 1)]
    assert tickets == [("2026-03", 2), ("2026-04", 2)]
    for month in keys:
        assert (tmp_path / "statements" / month / "acme.pdf").read_bytes()[:5] == b"%PDF-"


# --- run-failure alert --------------------------------------------------------------------------------


@pytest.fixture
def smtp_server():
    with smtp_servers() as start:
        yield start()


@pytest.fixture
def webhook():
    received: list[tuple[str, str, dict]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, self.headers["Content-Type"], json.loads(body)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hooks/sla", received
    finally:
        server.shutdown()
        server.server_close()


def test_a_failed_run_is_emailed_and_posted_to_the_webhook(tmp_path, smtp_server, webhook, monkeypatch):
    inbox, smtp_url = smtp_server
    url, received = webhook
    monkeypatch.setenv("SLA_SMTP_URL", smtp_url)
    monkeypatch.setenv("SLA_SMTP_FROM", "sla-report@vendor.test")
    monkeypatch.setenv("SLA_ALERT_EMAIL", "ops@vendor.test, oncall@vendor.test")
    monkeypatch.setenv("SLA_ALERT_WEBHOOK_URL", url)
    monkeypatch.setenv("SLA_DAGSTER_UI_URL", "http://dagster.internal:3000/")
    broken = write_months_drop(tmp_path / "drop", {"2026-03": 0})
    (broken / "contracts.csv").unlink()
    with dg.instance_for_test() as instance:
        start = tick(run_failure_alert, instance)  # the daemon's first tick starts at the newest event
        result = run_month(instance, environment(broken, tmp_path), "2026-03", tags={LAUNCHED_BY_TAG: "cli"})
        assert not result.success
        tick(run_failure_alert, instance, cursor=start.cursor)
    deadline = time.monotonic() + 5
    while not inbox.messages and time.monotonic() < deadline:
        time.sleep(0.05)

    [(sender, recipients, raw)] = inbox.messages
    message = message_from_bytes(raw)
    assert (sender, recipients) == ("sla-report@vendor.test", ["ops@vendor.test", "oncall@vendor.test"])
    assert message["Subject"] == "sla-report: run of 2026-03 failed (input_tables)"
    body = message.get_payload(decode=True).decode()
    assert "Failed step: input_tables" in body
    assert f"In the UI:   http://dagster.internal:3000/runs/{result.run_id}" in body
    assert "contracts.csv" in body and "(launched by cli)" in body

    [(path, content_type, payload)] = received
    assert (path, content_type) == ("/hooks/sla", "application/json")
    assert payload["event"] == "run_failed" and payload["run_id"] == result.run_id
    assert (payload["job"], payload["month"], payload["step"]) == (MONTHLY_JOB_NAME, "2026-03", "input_tables")
    assert "contracts.csv" in payload["reason"] and "\n" not in payload["reason"]
    assert payload["run_url"] == f"http://dagster.internal:3000/runs/{result.run_id}"


def test_an_alert_channel_that_cannot_deliver_says_why_and_the_other_still_goes(webhook):
    from pipeline.alerts import AlertSettings, RunFailure, notify_failure

    url, received = webhook
    closed = free_port()  # nothing listens there
    settings = AlertSettings(smtp_url=f"smtp://127.0.0.1:{closed}", smtp_from="sla@vendor.test",
                             email_to=("ops@vendor.test",), webhook_url=url)
    failure = RunFailure("r-1", MONTHLY_JOB_NAME, "2026-03", "credits", "a currency clash")
    outcome = notify_failure(failure, settings)
    assert outcome["email"].startswith(f"failed: cannot send through smtp://127.0.0.1:{closed}: ")
    assert outcome["webhook"] == "sent (204)" and received[0][2]["reason"] == "a currency clash"
    unset = notify_failure(failure, AlertSettings(None, None, (), None))
    assert unset == {"email": "skipped: SLA_ALERT_EMAIL is not set", "webhook": "skipped: SLA_ALERT_WEBHOOK_URL is not set"}
