"""Statement safety (R21): deny-by-default fetching, escaping of customer text, injected URLs fetch nothing.

A real listening socket on 127.0.0.1 stands in for "the network": after rendering documents that
point at it, it must have seen no connection. `file:///etc/hostname` must not end up in any PDF.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from fixtures.statements import ACME, AS_OF, MONTH, build_statement_month, statement_drop

from pipeline.settings import TEMPLATES_DIR
from pipeline.statements.builder import build_views
from pipeline.statements.fetcher import BundledAssetFetcher, RefusedURL
from pipeline.statements.inspect import pdf_attachments, pdf_text
from pipeline.statements.render import PDFAttachment, Renderer, render_messages
from pipeline.warehouse import connection

HOSTNAME = Path("/etc/hostname")


@pytest.fixture
def listener():
    """A local TCP listener; yields (url, function returning whether anything connected)."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.3)
    port = server.getsockname()[1]

    def contacted() -> bool:
        try:
            connection, _ = server.accept()
        except TimeoutError:
            return False
        connection.close()
        return True

    yield f"http://127.0.0.1:{port}", contacted
    server.close()


@pytest.fixture(scope="module")
def renderer():
    return Renderer()


def test_fetcher_serves_bundled_assets_only():
    fetcher = BundledAssetFetcher()
    response = fetcher.fetch((TEMPLATES_DIR / "fonts" / "DejaVuSans.ttf").as_uri())
    assert response.read(4) == b"\x00\x01\x00\x00"
    for url in (
        "file:///etc/hostname",
        "file:///etc/passwd",
        (TEMPLATES_DIR / ".." / ".." / "pyproject.toml").as_uri(),  # escapes the folder
        (TEMPLATES_DIR / "statement.html.j2").as_uri(),  # inside, but not an asset type
        "http://127.0.0.1:9/x.css",
        "https://example.com/font.ttf",
        "data:text/css,body{}",
        "ftp://127.0.0.1/x.css",
        "file://otherhost" + str(TEMPLATES_DIR / "statement.css"),
    ):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)
    assert fetcher.served == ["fonts/DejaVuSans.ttf"] and len(fetcher.refused) == 9


def test_fetcher_refuses_a_symlink_out_of_the_templates(tmp_path):
    root = tmp_path / "templates"
    root.mkdir()
    (root / "ok.css").write_text("body {}")
    (root / "leak.css").symlink_to("/etc/hostname")
    fetcher = BundledAssetFetcher(root)
    assert fetcher.fetch((root / "ok.css").as_uri()).read() == b"body {}"
    with pytest.raises(RefusedURL):
        fetcher.fetch((root / "leak.css").as_uri())


def test_r21_injected_urls_fetch_nothing(renderer, listener):
    url, contacted = listener
    html = f"""<!DOCTYPE html><html><head><meta charset="utf-8">
    <link rel="stylesheet" href="statement.css">
    <link rel="stylesheet" href="{url}/evil.css">
    <link rel="attachment" href="file:///etc/hostname" title="hostname">
    <link rel="attachment" href="{url}/leak.txt">
    </head><body><p>Injected</p>
    <img src="{url}/pixel.png"><img src="file:///etc/hostname">
    <div style="background: url({url}/bg.png)">x</div>
    </body></html>"""
    with render_messages() as messages:
        result = renderer.render_html(
            html,
            dated=AS_OF,
            attachments=(PDFAttachment("ok.txt", "fine", "a legitimate attachment"),),
        )
    assert not contacted(), "the renderer opened a connection to the local listener"
    assert set(result.refused) >= {
        f"{url}/evil.css",
        "file:///etc/hostname",
        f"{url}/leak.txt",
        f"{url}/pixel.png",
    }
    assert result.served[0] == "statement.css"
    attachments = pdf_attachments(result.pdf)
    assert list(attachments) == ["ok.txt"]
    if HOSTNAME.exists() and HOSTNAME.read_text().strip():
        assert HOSTNAME.read_text().strip() not in pdf_text(result.pdf)
    # The one place WeasyPrint errors are expected: each refusal is logged.
    assert messages and all(m.startswith("weasyprint|ERROR|") for m in messages)


def test_r21_markup_in_customer_data_is_text_not_markup(tmp_path, renderer, listener):
    url, contacted = listener
    # The markup arrives the way customer text does: in the drop's customers.csv and tickets.csv, run
    # through the real pipeline (T-100 is one of acme's breached tickets, so its subject is printed).
    name = f'Evil <img src="{url}/name.png"> & <link rel="attachment" href="file:///etc/hostname"> Ltd'
    drop = statement_drop()
    drop.row("customers", customer_id=ACME)["name"] = name
    drop.row("tickets", ticket_id="T-100")["subject"] = f'<style>@import "{url}/x.css";</style><script>alert(1)</script>'
    built = build_statement_month(tmp_path / "month", drop=drop)
    with connection(built.warehouse, read_only=True) as con:
        view = build_views(con, MONTH, AS_OF, customer_ids=[ACME])[0]
    assert view.customer_name == name
    with render_messages() as messages:
        result = renderer.render_statement(view)
    assert messages == []
    assert result.refused == ()
    assert not contacted()
    (tmp_path / "injected-name.pdf").write_bytes(result.pdf)
    squeeze = lambda t: "".join(t.split())  # noqa: E731 - long text wraps anywhere across lines
    text = squeeze(pdf_text(result.pdf))
    assert squeeze(name) in text
    assert squeeze("<script>alert(1)</script>") in text
    assert sorted(pdf_attachments(result.pdf)) == ["breached-tickets.csv", "statement.json"]
