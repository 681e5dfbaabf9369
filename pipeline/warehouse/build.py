"""The build-then-publish life cycle of the warehouse file.

A run never writes the published file. It copies it to a build file beside it, every step writes the
build file, and the last step renames the build file over the published one. On Linux a rename is
atomic and leaves open readers on the old inode: an analyst's read-only session never blocks a run and
never sees half a month; a failed run leaves what was published untouched.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline.warehouse.connection import STORAGE_COMPATIBILITY_VERSION, WarehouseError, connection

_RUN_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _identity(path: Path) -> dict[str, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return {"inode": st.st_ino, "mtime_ns": st.st_mtime_ns, "size": st.st_size}


@contextlib.contextmanager
def _publish_lock(published: Path) -> Iterator[None]:
    published.parent.mkdir(parents=True, exist_ok=True)
    with open(published.with_name(published.name + ".lock"), "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass(frozen=True)
class WarehouseBuild:
    """The build file of one run: created from the published warehouse, published at the end."""

    published: Path
    run_id: str

    def __post_init__(self) -> None:
        if not _RUN_ID.match(self.run_id):
            raise WarehouseError(f"run id {self.run_id!r} cannot name a build file")

    @property
    def path(self) -> Path:
        return self.published.with_name(f"{self.published.name}.build-{self.run_id}")

    @property
    def _base_file(self) -> Path:
        return self.path.with_name(self.path.name + ".base.json")

    def ensure(self) -> Path:
        """Create the build file from the published one if this run has none yet; return its path."""
        if self.path.exists():
            return self.path
        with _publish_lock(self.published):
            base = _identity(self.published)
            tmp = self.path.with_name(self.path.name + ".copying")
            if base is not None:
                shutil.copyfile(self.published, tmp)
            else:
                duckdb.connect(str(tmp), config={"storage_compatibility_version": STORAGE_COMPATIBILITY_VERSION}).close()
            os.replace(tmp, self.path)
            self._base_file.write_text(json.dumps(base))
        return self.path

    def readable_path(self) -> Path:
        """What a reader of this run should open: the build while it exists, else the published file
        (after publication, or for a check launched on its own from the UI)."""
        return self.path if self.path.exists() else self.published

    def connect(self) -> contextlib.AbstractContextManager[duckdb.DuckDBPyConnection]:
        return connection(self.ensure())

    def publish(self) -> Path:
        """Rename the build file over the published one, refusing if another run published meanwhile."""
        if not self.path.exists():
            raise WarehouseError(f"run {self.run_id} has no build file to publish ({self.path})")
        wal = self.path.with_name(self.path.name + ".wal")
        if wal.exists():
            # A clean close checkpoints; a WAL left behind means a connection is still open or crashed.
            raise WarehouseError(f"build file {self.path} still has a write-ahead log; not publishing")
        with _publish_lock(self.published):
            recorded = json.loads(self._base_file.read_text()) if self._base_file.exists() else None
            if _identity(self.published) != recorded:
                raise WarehouseError(
                    f"another run published {self.published} while run {self.run_id} was building; "
                    "nothing was overwritten — rerun this month"
                )
            os.replace(self.path, self.published)
            self._base_file.unlink(missing_ok=True)
        return self.published

    def discard(self) -> None:
        for path in (self.path, self._base_file, self.path.with_name(self.path.name + ".wal")):
            path.unlink(missing_ok=True)


__all__ = ["WarehouseBuild"]
