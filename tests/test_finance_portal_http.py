"""The finance portal at the HTTP level (issue #10, §4), against a real uvicorn server.

Sign-in, sessions and their cookie flags, CSRF on every POST, throttling of failed sign-ins, 401 /
redirect without a session, 403 for a viewer's POST, downloads only of files the warehouse lists
(traversal and unknown months / customers are 404), each download in the ledger.
"""

from __future__ import annotations

import hashlib

import pytest
from fixtures.finance import MONTH
from fixtures.portal import Client, add_portal_users, running_portal

from pipeline.finance.ledger import Ledger
from pipeline.finance.users import load_users, verify_password


@pytest.fixture(scope="module")
def portal(finance_month, tmp_path_factory):
    world = finance_month.copy(tmp_path_factory.mktemp("portal-http"))
    settings = world.settings()
    add_portal_users(settings)
    with running_portal(settings) as base:
        yield world, base


@pytest.fixture
def ann(portal):
    client = Client(portal[1])
    assert client.sign_in("ann").status == 303
    return client


def test_user_add_stores_a_salted_kdf_hash_read_from_stdin(tmp_path, monkeypatch, capsys):
    import io

    from pipeline.cli import main

    users = tmp_path / "users.yaml"
    monkeypatch.setenv("SLA_USERS_FILE", str(users))
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-words\n"))
    assert main(["user", "add", "fiona", "--role", "approver"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-words\n"))
    assert main(["user", "add", "gary", "--role", "viewer"]) == 0
    saved = load_users(users)
    assert {n: u.role for n, u in saved.items()} == {"fiona": "approver", "gary": "viewer"}
    assert saved["fiona"].password_hash.startswith("scrypt$n=16384,r=8,p=1$")
    assert saved["fiona"].password_hash != saved["gary"].password_hash  # salted
    assert "s3cret" not in users.read_text()
    assert verify_password("s3cret-words", saved["fiona"].password_hash)
    assert not verify_password("s3cret-word", saved["fiona"].password_hash)
    with pytest.raises(SystemExit):  # argparse refuses an unknown role
        main(["user", "add", "hal", "--role", "boss"])
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["user", "add", "hal", "--role", "viewer"]) == 1
    assert "at least 8 characters" in capsys.readouterr().err


def test_login_form_has_the_username_and_password_fields(portal):
    page = Client(portal[1]).get("/login")
    assert page.status == 200
    assert 'name="username"' in page.text and 'name="password"' in page.text and 'name="csrf_token"' in page.text


def test_session_cookie_is_httponly_and_samesite(portal):
    client = Client(portal[1])
    assert client.sign_in("ann").status == 303
    (session_cookie,) = [h for h in client.set_cookie_headers if h.startswith("sla_session=")]
    flags = [part.strip().lower() for part in session_cookie.split(";")]
    assert "httponly" in flags and "samesite=strict" in flags and "path=/" in flags


@pytest.mark.parametrize("path", ["/", f"/months/{MONTH}", f"/months/{MONTH}/customers/globex"])
def test_pages_without_a_session_redirect_to_login(portal, path):
    reply = Client(portal[1]).get(path)
    assert (reply.status, reply.headers["location"]) == (303, "/login")


@pytest.mark.parametrize(
    "path", [f"/months/{MONTH}/statements/globex.pdf", f"/months/{MONTH}/summary.pdf", f"/months/{MONTH}/credit_notes.csv"]
)
def test_files_without_a_session_are_401(portal, path):
    reply = Client(portal[1]).get(path)
    assert reply.status == 401 and reply.body == b"sign in first"


def test_a_post_without_a_session_is_401(portal):
    assert Client(portal[1]).post(f"/months/{MONTH}/approve", {"csrf_token": "x"}).status == 401


def test_a_post_without_the_csrf_token_is_403(portal, ann):
    world, _ = portal
    before = len(Ledger(world.ledger).events())
    assert ann.post(f"/months/{MONTH}/approve", {"customer_id": "acme"}).status == 403
    assert ann.post(f"/months/{MONTH}/approve", {"customer_id": "acme", "csrf_token": "forged"}).status == 403
    assert len(Ledger(world.ledger).events()) == before


def test_sign_in_needs_the_login_csrf_token(portal):
    client = Client(portal[1])
    client.get("/login")
    assert client.post("/login", {"username": "ann", "password": "approver-secret"}).status == 403


def test_a_viewer_post_is_403(portal):
    vic = Client(portal[1])
    assert vic.sign_in("vic").status == 303
    token = vic.csrf(f"/months/{MONTH}")
    assert vic.post(f"/months/{MONTH}/approve", {"csrf_token": token}).status == 403
    assert vic.post(f"/months/{MONTH}/issue", {"csrf_token": token, "customer_id": "acme"}).status == 403
    assert "Approve" not in vic.get(f"/months/{MONTH}").text


def test_an_approver_approves_one_customer_with_the_form_field(portal, ann):
    world, _ = portal
    token = ann.csrf(f"/months/{MONTH}")
    reply = ann.post(f"/months/{MONTH}/approve", {"csrf_token": token, "customer_id": "hooli"})
    assert (reply.status, reply.headers["location"]) == (303, f"/months/{MONTH}")
    page = ann.get(f"/months/{MONTH}").text
    assert "hooli v1: approved by ann" in page
    approvals = [(e.customer_id, e.by) for e in Ledger(world.ledger).events() if e.event == "approved"]
    assert ("hooli", "ann") in approvals and all(c == "hooli" for c, _ in approvals)


def test_ten_failed_sign_ins_lock_the_user_name_for_15_minutes(portal):
    base = portal[1]
    client = Client(base)
    for _ in range(10):
        assert client.sign_in("vic", "wrong password").status == 401
    assert client.sign_in("vic", "wrong password").status == 429
    locked = client.sign_in("vic")  # the right password does not help while locked
    assert locked.status == 429 and locked.headers["retry-after"] == "900"
    assert Client(base).sign_in("ann").status == 303  # another user name is not locked


def test_downloads_serve_exactly_the_file_the_warehouse_lists(portal, ann):
    world, _ = portal
    from pipeline.warehouse import connection

    with connection(world.warehouse, read_only=True) as con:
        path, sha = con.execute(
            "SELECT path, sha256 FROM statements WHERE customer_id = 'globex' AND month = $m AND is_current", {"m": MONTH}
        ).fetchone()
    reply = ann.get(f"/months/{MONTH}/statements/globex.pdf")
    assert reply.status == 200 and reply.headers["content-type"] == "application/pdf"
    assert reply.headers["content-disposition"].startswith('attachment; filename="globex.pdf"')
    assert hashlib.sha256(reply.body).hexdigest() == sha == hashlib.sha256(open(path, "rb").read()).hexdigest()
    summary = ann.get(f"/months/{MONTH}/summary.pdf")
    assert summary.status == 200 and summary.body.startswith(b"%PDF")
    assert summary.headers["content-disposition"].startswith("attachment;")
    csv_reply = ann.get(f"/months/{MONTH}/statements.csv")
    assert csv_reply.status == 200 and csv_reply.text.startswith("customer_id,")
    notes = ann.get(f"/months/{MONTH}/credit_notes.csv")
    assert notes.status == 200 and notes.text.startswith("credit_note_id,kind,customer_id,billing_email,month,")
    downloads = [(e.by, e.customer_id, e.version, e.detail) for e in Ledger(world.ledger).events() if e.event == "download"]
    assert downloads[-4:] == [
        ("ann", "globex", 1, f"/months/{MONTH}/statements/globex.pdf"),
        ("ann", None, None, f"/months/{MONTH}/summary.pdf"),
        ("ann", None, None, f"/months/{MONTH}/statements.csv"),
        ("ann", None, None, f"/months/{MONTH}/credit_notes.csv"),
    ]


@pytest.mark.parametrize(
    "path",
    [
        f"/months/{MONTH}/statements/../../../etc/passwd",
        f"/months/{MONTH}/statements/..%2F..%2Fetc%2Fpasswd",
        f"/months/{MONTH}/statements/%2e%2e",
        f"/months/{MONTH}/statements/%2e%2e%2f_summary.pdf",
        f"/months/{MONTH}/statements//etc/passwd",
        f"/months/{MONTH}/statements/%2Fetc%2Fpasswd",
        f"/months/{MONTH}/statements/globex.pdf%00.txt",
        f"/months/{MONTH}/statements/globex.v9.pdf",
        f"/months/{MONTH}/statements/nobody.pdf",
        f"/months/{MONTH}/statements/_summary.pdf",
        f"/months/{MONTH}/..%2F..%2Fsla.duckdb",
        f"/months/{MONTH}/%2e%2e",
        f"/months/{MONTH}/sla-ledger.jsonl",
        f"/months/{MONTH}/customers/nobody",
        f"/months/{MONTH}/customers/..",
        "/months/2026-09",
        "/months/2026-13",
        "/months/..%2F..",
        "/months/2026-09/statements/globex.pdf",
        "/months/2026-09/summary.pdf",
    ],
)
def test_traversal_and_unknown_months_or_customers_are_404(portal, ann, path):
    world, _ = portal
    before = len(Ledger(world.ledger).events())
    reply = ann.get(path)
    assert reply.status == 404, path
    assert b"root:" not in reply.body
    assert len(Ledger(world.ledger).events()) == before


def test_an_earlier_version_is_served_by_its_v_name(portal, ann, tmp_path):
    """`<customer>.v<N>.pdf` serves version N as the warehouse lists it (here: made by adding a row)."""
    world, base = portal
    other = world.copy(tmp_path / "versions")
    from pipeline.warehouse import connection

    with connection(other.warehouse) as con:
        con.execute(
            "INSERT INTO statements SELECT * REPLACE (2 AS version, 1 AS supersedes) FROM statements "
            "WHERE customer_id = 'acme' AND month = $m",
            {"m": MONTH},
        )
        con.execute("UPDATE statements SET is_current = (version = 2) WHERE customer_id = 'acme' AND month = $m",
                    {"m": MONTH})
        (v1_path,) = con.execute("SELECT path FROM statements WHERE customer_id = 'acme' AND version = 1").fetchone()
    settings = other.settings()
    add_portal_users(settings)
    with running_portal(settings) as other_base:
        client = Client(other_base)
        client.sign_in("ann")
        reply = client.get(f"/months/{MONTH}/statements/acme.v1.pdf")
        assert reply.status == 200 and reply.body == open(v1_path, "rb").read()
        assert reply.headers["content-disposition"].startswith('attachment; filename="acme.v1.pdf"')
        assert client.get(f"/months/{MONTH}/statements/acme.v3.pdf").status == 404
        history = client.get(f"/months/{MONTH}/customers/acme").text
        assert "first version" in history and "the document changed, not the credit" in history
