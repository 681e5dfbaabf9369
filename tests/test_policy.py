"""The policy file (R5): the default reproduces the contract table, versions are effective-dated,
and a bad file fails with a message that names the bad key."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from pipeline.policy import PolicyError, load_policy
from pipeline.settings import DEFAULT_POLICY_FILE

H = 3600


@pytest.fixture()
def default_raw() -> dict:
    return yaml.safe_load(DEFAULT_POLICY_FILE.read_text())


def write(tmp_path: Path, document: dict) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def test_r5_default_policy_targets_match_the_contract_table():
    version = load_policy(DEFAULT_POLICY_FILE).version_for("2025-03")
    expected = {
        ("enterprise", "S1"): ((1 * H, False), (4 * H, False)),
        ("enterprise", "S2"): ((4 * H, True), (8 * H, True)),
        ("enterprise", "S3"): ((8 * H, True), (40 * H, True)),
        ("enterprise", "S4"): ((24 * H, True), None),
        ("growth", "S1"): ((4 * H, True), None),
        ("growth", "S2"): ((8 * H, True), None),
        ("growth", "S3"): ((24 * H, True), None),
        ("growth", "S4"): (None, None),
    }
    for (plan, severity), clocks in expected.items():
        for clock, want in zip(("response", "resolution"), clocks):
            target = version.support_target(plan, severity, clock)
            got = None if target is None else (target.seconds, target.business_time)
            assert got == want, (plan, severity, clock)
            if target is not None and target.business_time:
                assert target.schedule == "brussels"


def test_r6_default_schedule_is_brussels_nine_to_five_with_belgian_holidays():
    schedule = load_policy(DEFAULT_POLICY_FILE).version_for("2024-01").schedules["brussels"]
    assert schedule.timezone == "Europe/Brussels"
    assert schedule.opening_minutes[:5] == (((9 * 60, 17 * 60),),) * 5
    assert schedule.opening_minutes[5:] == ((), ())
    assert schedule.holiday_country == "BE"
    assert schedule.weekly_open_seconds == 40 * H


def test_r18_credit_scheme_is_exact_decimals():
    version = load_policy(DEFAULT_POLICY_FILE).version_for("2024-06")
    assert version.uptime_targets == {"enterprise": Decimal("0.999"), "growth": None}
    assert version.credits.mode == "whole_steps"
    assert version.credits.step == Decimal("0.001")
    assert version.credits.credit_per_step_pct == Decimal(5)
    assert version.credits.cap_pct == Decimal(25)
    assert isinstance(version.credits.step, Decimal)


def test_r5_versions_are_effective_from_the_first_day_of_a_month(tmp_path, default_raw):
    newer = yaml.safe_load(yaml.safe_dump(default_raw["versions"][0]))
    newer["effective_from"] = "2025-07"
    newer["support"]["targets"]["enterprise"]["S2"]["response"] = {"business_hours": 2}
    newer["uptime"]["credits"]["mode"] = "pro_rata"
    default_raw["versions"].append(newer)
    policy = load_policy(write(tmp_path, default_raw))
    assert policy.version_for("2025-06").support_target("enterprise", "S2", "response").seconds == 4 * H
    assert policy.version_for("2025-07").support_target("enterprise", "S2", "response").seconds == 2 * H
    assert policy.version_for("2026-01").credits.mode == "pro_rata"
    old, new = policy.version_for("2025-06"), policy.version_for("2025-07")
    assert (old.version_id, new.version_id) == ("2024-01", "2025-07")
    assert old.content_hash != new.content_hash
    # The hash depends on content only: reloading gives the same ids and hashes.
    again = load_policy(write(tmp_path, default_raw))
    assert [v.content_hash for v in again.versions] == [v.content_hash for v in policy.versions]


def test_r5_month_before_the_first_version_is_an_error_naming_it():
    with pytest.raises(PolicyError, match="2023-12.*first version is effective from 2024-01"):
        load_policy(DEFAULT_POLICY_FILE).version_for("2023-12")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda v: v["uptime"]["credits"].__setitem__("step", 0.001),
            r"versions\[0\]\.uptime\.credits\.step: .*quoted decimal",
        ),
        (
            lambda v: v["uptime"]["targets"].__setitem__("enterprise", "99.9"),
            r"uptime\.targets\.enterprise: .*at most 1",
        ),
        (lambda v: v["uptime"]["credits"].__setitem__("mode", "rounded"), r"uptime\.credits\.mode: must be one of"),
        (
            lambda v: v["support"]["targets"]["enterprise"]["S2"].__setitem__("response", {"hours": 4}),
            r"support\.targets\.enterprise\.S2\.response\.hours: unknown key",
        ),
        (
            lambda v: v["support"]["targets"]["enterprise"]["S2"].__setitem__("response", {}),
            r"support\.targets\.enterprise\.S2\.response: give exactly one",
        ),
        (lambda v: v["support"]["targets"]["growth"].pop("S3"), r"support\.targets\.growth\.S3: missing"),
        (
            lambda v: v["support"]["targets"]["enterprise"]["S1"].__setitem__(
                "response", {"calendar_hours": 1, "schedule": "brussels"}
            ),
            r"S1\.response\.schedule: a calendar-hours",
        ),
        (
            lambda v: v["support"]["targets"]["enterprise"]["S3"].__setitem__(
                "response", {"business_hours": 8, "schedule": "paris"}
            ),
            r"S3\.response\.schedule: unknown schedule 'paris'",
        ),
        (
            lambda v: v["schedules"]["brussels"].__setitem__("timezone", "Europe/Bruxelles"),
            r"schedules\.brussels\.timezone: unknown IANA time zone",
        ),
        (
            lambda v: v["schedules"]["brussels"]["opening_hours"].__setitem__("monday", ["17:00-09:00"]),
            r"opening_hours\.monday\[0\]: .*must open before it closes",
        ),
        (
            lambda v: v["schedules"]["brussels"]["opening_hours"].__setitem__("funday", []),
            r"opening_hours\.funday: unknown key",
        ),
        (
            lambda v: v["schedules"]["brussels"]["holidays"].__setitem__("country", "XX"),
            r"schedules\.brussels\.holidays: the holidays package does not know XX",
        ),
        (
            lambda v: v["schedules"]["brussels"].__setitem__("extra_closures", ["2025-13-01"]),
            r"extra_closures\[0\]: not a date",
        ),
        (lambda v: v.__setitem__("effective_from", "2024"), r"versions\[0\]\.effective_from: must be a quoted"),
        (lambda v: v.__setitem__("business_day_hours", "0"), r"business_day_hours: must be positive"),
    ],
)
def test_r5_bad_policy_names_the_bad_key(tmp_path, default_raw, edit, message):
    edit(default_raw["versions"][0])
    with pytest.raises(PolicyError, match=message):
        load_policy(write(tmp_path, default_raw))


def test_r5_duplicate_effective_from_is_an_error(tmp_path, default_raw):
    default_raw["versions"].append(default_raw["versions"][0])
    with pytest.raises(PolicyError, match=r"versions\[1\]\.effective_from: 2024-01 is also"):
        load_policy(write(tmp_path, default_raw))


def test_r5_business_days_follow_the_business_day_length(tmp_path, default_raw):
    default_raw["versions"][0]["business_day_hours"] = "7.5"
    version = load_policy(write(tmp_path, default_raw)).version_for("2024-01")
    assert version.support_target("enterprise", "S3", "resolution").seconds == int(5 * 7.5 * H)
    assert version.support_target("enterprise", "S2", "response").seconds == 4 * H
