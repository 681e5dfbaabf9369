"""A deny-by-default URL fetcher for WeasyPrint: only the bundled template assets load (R21 safety).

WeasyPrint's default fetcher reads any local file and the network, so a `<link rel=attachment
href="file:///…">` or `<img src="http://…">` that slipped into a document would embed a local file or
call out. This fetcher serves `file:` URLs that resolve (symlinks followed) inside the templates folder
and whose suffix is an asset type we ship; everything else — other schemes, other paths, `data:` —
is refused before any file or socket is opened. WeasyPrint then logs the refusal at ERROR and renders
without the resource.

WeasyPrint 70 calls `url_fetcher._fail_on_errors`, so the fetcher must subclass `URLFetcher`
(a plain function crashes on the first refusal).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from pipeline.settings import TEMPLATES_DIR

ASSET_TYPES = {
    ".css": "text/css",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}


class RefusedURL(ValueError):
    """A URL outside the bundled assets was requested."""


class BundledAssetFetcher(URLFetcher):
    """Serve the template folder's assets; refuse everything else. Keeps a record of both for tests."""

    def __init__(self, root: Path = TEMPLATES_DIR) -> None:
        super().__init__(allowed_protocols={"file"}, allow_redirects=False, timeout=1)
        self.root = root.resolve()
        self.served: list[str] = []
        self.refused: list[str] = []

    def _asset_path(self, url: str) -> Path:
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            raise RefusedURL(f"refused {url!r}: only bundled template assets may load")
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self.root) or path.suffix.lower() not in ASSET_TYPES:
            raise RefusedURL(f"refused {url!r}: not a bundled template asset")
        if not path.is_file():
            raise RefusedURL(f"refused {url!r}: no such bundled asset")
        return path

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        try:
            path = self._asset_path(url)
        except RefusedURL:
            self.refused.append(url)
            raise
        self.served.append(path.relative_to(self.root).as_posix())
        return URLFetcherResponse(
            path.as_uri(),
            body=path.read_bytes(),
            headers={"Content-Type": ASSET_TYPES[path.suffix.lower()]},
        )


__all__ = ["BundledAssetFetcher", "RefusedURL", "ASSET_TYPES"]
