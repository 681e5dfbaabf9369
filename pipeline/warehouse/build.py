"""One publication: the run's warehouse and statements, built in a release folder, made visible together.

Layout, beside the published warehouse path `SLA_WAREHOUSE` (say `warehouse/sla.duckdb`):

    warehouse/.sla.duckdb.releases/run-<id>/sla.duckdb             the warehouse of run <id>
    warehouse/.sla.duckdb.releases/run-<id>/statements/YYYY-MM/…   every month's statement folder
    warehouse/.sla.duckdb.releases/current -> run-<id>              THE pointer: what is published
    warehouse/sla.duckdb          -> .sla.duckdb.releases/current/sla.duckdb
    $SLA_STATEMENTS_DIR/YYYY-MM   -> …/.sla.duckdb.releases/current/statements/YYYY-MM

A run copies the current release's warehouse into its own release folder (`ensure`), every step
writes that copy, the statements step renders into the release's month folder (`staged_statements`,
which starts as hard links of the published files: a file in a release is never written in place, only
replaced by rename), and the last step swaps `current` to the new release with one `rename(2)` of a
temporary symlink (`publish`). Before that instant nothing of the run is visible; after it, the
warehouse and every statement of the release are, together. The published paths are symlinks through
`current` that never change once made, so `duckdb -readonly warehouse/sla.duckdb` and
`statements/2026-10/acme.pdf` keep working. An analyst's open session holds the inode of the file it
opened and keeps that snapshot, also when old releases are removed.

A folder of the old layout (a plain `sla.duckdb` file, plain month folders) is taken over by the first
publication: its files are linked or copied into the release, then each old path is replaced by its
symlink (docs/reliability.md says what a reader can see during that one-time switch).
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

from pipeline.faults import kill_point
from pipeline.warehouse.connection import STORAGE_COMPATIBILITY_VERSION, WarehouseError, connection

_RUN_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_MONTH_DIR = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
CURRENT = "current"
RELEASE_PREFIX = "run-"
STATEMENTS = "statements"
# Published releases kept besides the current one (a rollback by hand is one `ln -sfn`).
KEEP_PREVIOUS_RELEASES = 2
_PUBLISHED_MARK = "published.json"


def releases_dir(published: Path) -> Path:
    """The folder of release folders for the warehouse published at `published`."""
    return published.with_name(f".{published.name}.releases")


def current_release(published: Path) -> Path | None:
    """The release folder `current` points at, or None before the first publication."""
    link = releases_dir(published) / CURRENT
    try:
        target = os.readlink(link)
    except FileNotFoundError:
        return None
    return releases_dir(published) / target


def _identity(path: Path) -> dict[str, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return {"inode": st.st_ino, "mtime_ns": st.st_mtime_ns, "size": st.st_size}


def _legacy_file(path: Path) -> bool:
    """A plain file (not our symlink) at a published path: the layout before releases."""
    return path.exists() and not path.is_symlink()


def _symlink_atomically(target: str, link: Path) -> None:
    """Make `link` point at `target` in one rename (never a moment without `link`)."""
    tmp = link.with_name(f".{link.name}.link-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, link)


def link_or_copy(source: Path, target: Path) -> None:
    """`target` becomes the same file as `source` (a hard link; a copy where links are impossible)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def link_tree(source: Path, target: Path) -> None:
    """A folder of hard links of `source`'s files (hidden temporary files are left out)."""
    target.mkdir(parents=True, exist_ok=True)
    for entry in sorted(source.iterdir()):
        if entry.name.startswith(".") or not entry.is_file():
            continue
        link_or_copy(entry, target / entry.name)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
    """The release folder of one run: its warehouse copy and statements, published together at the end.

    `statements_root` is `SLA_STATEMENTS_DIR`: where the month links are made at publication (None:
    a warehouse without statements, as in unit tests of the warehouse alone)."""

    published: Path
    run_id: str
    statements_root: Path | None = None

    def __post_init__(self) -> None:
        if not _RUN_ID.match(self.run_id):
            raise WarehouseError(f"run id {self.run_id!r} cannot name a build file")

    @property
    def release(self) -> Path:
        return releases_dir(self.published) / f"{RELEASE_PREFIX}{self.run_id}"

    @property
    def path(self) -> Path:
        """This run's warehouse file (in its release folder)."""
        return self.release / self.published.name

    @property
    def _base_file(self) -> Path:
        return self.release / "base.json"

    def _base(self) -> dict[str, object]:
        """What is published now: the current release's name, or the identity of an old-layout file."""
        current = current_release(self.published)
        if current is not None:
            return {"release": current.name}
        return {"release": None, "legacy": _identity(self.published) if _legacy_file(self.published) else None}

    def ensure(self) -> Path:
        """Create this run's release folder with a copy of the published warehouse, once; return its path."""
        if self.path.exists():
            return self.path
        with _publish_lock(self.published):
            self.release.mkdir(parents=True, exist_ok=True)
            base = self._base()
            current = current_release(self.published)
            source = (
                current / self.published.name
                if current is not None
                else (self.published if _legacy_file(self.published) else None)
            )
            tmp = self.path.with_name(self.path.name + ".copying")
            tmp.unlink(missing_ok=True)
            if source is not None:
                shutil.copyfile(source, tmp)
            else:
                duckdb.connect(str(tmp), config={"storage_compatibility_version": STORAGE_COMPATIBILITY_VERSION}).close()
            # The base is recorded before the file appears: an existing build file always has its base.
            self._base_file.write_text(json.dumps(base))
            os.replace(tmp, self.path)
        return self.path

    def base_warehouse(self) -> Path | None:
        """The published warehouse this run's copy was made from (None before `ensure`, or when the run
        started from nothing): what the month looked like before this run."""
        try:
            base = json.loads(self._base_file.read_text())
        except (FileNotFoundError, ValueError):
            return None
        if base.get("release"):
            path = releases_dir(self.published) / base["release"] / self.published.name
        elif base.get("legacy"):
            path = self.published
        else:
            return None
        return path if path.is_file() else None

    def readable_path(self) -> Path:
        """What a reader of this run should open: the build while it exists, else the published file
        (for a check launched on its own from the UI)."""
        return self.path if self.path.exists() else self.published

    def connect(self) -> contextlib.AbstractContextManager[duckdb.DuckDBPyConnection]:
        return connection(self.ensure())

    # --- statements -------------------------------------------------------------------------------

    def _published_month_folder(self, month: str) -> Path | None:
        """The folder of `month`'s statements as published now (in the current release, or an
        old-layout folder), or None."""
        current = current_release(self.published)
        if current is not None:
            folder = current / STATEMENTS / month
            return folder if folder.is_dir() else None
        if self.statements_root is not None:
            folder = self.statements_root / month
            if folder.is_dir() and not folder.is_symlink():
                return folder
        return None

    def staged_statements(self, month: str) -> Path:
        """This run's folder for `month`'s statements: on first use, hard links of the published ones
        (the renderer keeps a file whose figures did not change, and moves a restated one aside)."""
        if not _MONTH_DIR.match(month):
            raise WarehouseError(f"{month!r} is not a month folder name")
        folder = self.release / STATEMENTS / month
        if folder.is_dir():
            return folder
        self.ensure()
        tmp = folder.with_name(f".{month}.staging")
        shutil.rmtree(tmp, ignore_errors=True)
        source = self._published_month_folder(month)
        if source is not None:
            link_tree(source, tmp)
        else:
            tmp.mkdir(parents=True)
        os.replace(tmp, folder)
        return folder

    def check_month_link_writable(self, month: str) -> None:
        """Fail now, not after the whole build, when publication will have to make `month`'s link in
        `SLA_STATEMENTS_DIR` and cannot (read-only file system, no permission, a file in the way):
        raises the OSError naming that folder. A month whose link already exists needs no write there."""
        if self.statements_root is None or (self.statements_root / month).is_symlink():
            return
        # The folder publication will write in: the statements folder, or the first ancestor that
        # exists (publication creates the rest). Probed, not created: a refused run leaves no trace.
        folder = self.statements_root
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        probe = folder / f".write-test-{self.run_id}"
        try:
            probe.touch()
            probe.unlink()
        except OSError as exc:
            raise OSError(exc.errno, exc.strerror, str(folder)) from exc

    def published_statements(self, month: str) -> Path:
        """Where `month`'s statements are read once published (`SLA_STATEMENTS_DIR/YYYY-MM`)."""
        if self.statements_root is None:
            raise WarehouseError("no statements folder is configured for this warehouse")
        return self.statements_root / month

    # --- publication ------------------------------------------------------------------------------

    def publish(self) -> Path:
        """Make this release current — warehouse and statements in one rename — refusing if another
        run published meanwhile."""
        if not self.path.exists():
            raise WarehouseError(f"run {self.run_id} has no build file to publish ({self.path})")
        wal = self.path.with_name(self.path.name + ".wal")
        if wal.exists():
            # A clean close checkpoints; a WAL left behind means a connection is still open or crashed.
            raise WarehouseError(f"build file {self.path} still has a write-ahead log; not publishing")
        releases = releases_dir(self.published)
        with _publish_lock(self.published):
            recorded = json.loads(self._base_file.read_text()) if self._base_file.exists() else None
            if self._base() != recorded:
                raise WarehouseError(
                    f"another run published {self.published} while run {self.run_id} was building; "
                    "nothing was overwritten — rerun this month"
                )
            months = self._carry_other_months()
            legacy_months = self._month_links(months)
            legacy_warehouse = _legacy_file(self.published)
            kill_point("mid_publication")  # months carried and links made; `current` not yet swapped
            if not legacy_warehouse:
                _symlink_atomically(f"{releases.name}/{CURRENT}/{self.published.name}", self.published)
            (self.release / _PUBLISHED_MARK).write_text(json.dumps({"run_id": self.run_id}))
            os.sync()  # the release's files are on disk before the pointer names them
            _symlink_atomically(self.release.name, releases / CURRENT)  # ← the publication instant
            _fsync_dir(releases)
            if legacy_warehouse:
                _symlink_atomically(f"{releases.name}/{CURRENT}/{self.published.name}", self.published)
            for month in legacy_months:
                self._replace_legacy_month(month)
            self._base_file.unlink(missing_ok=True)
            self._collect_old_releases()
        return self.published

    def _carry_other_months(self) -> list[str]:
        """Link every published month this run did not stage into its release; return all its months."""
        staged = self.release / STATEMENTS
        staged.mkdir(parents=True, exist_ok=True)
        sources: dict[str, Path] = {}
        current = current_release(self.published)
        if current is not None and (current / STATEMENTS).is_dir():
            sources = {p.name: p for p in (current / STATEMENTS).iterdir() if _MONTH_DIR.match(p.name) and p.is_dir()}
        elif self.statements_root is not None and self.statements_root.is_dir():
            sources = {
                p.name: p
                for p in self.statements_root.iterdir()
                if _MONTH_DIR.match(p.name) and p.is_dir() and not p.is_symlink()
            }
        for month, source in sources.items():
            if not (staged / month).exists():
                link_tree(source, staged / month)
        return sorted(p.name for p in staged.iterdir() if _MONTH_DIR.match(p.name) and p.is_dir())

    def _month_links(self, months: list[str]) -> list[str]:
        """Make `SLA_STATEMENTS_DIR/YYYY-MM` a link through `current` for every month (a new month's
        link dangles until the swap: no file is visible there before its warehouse is); return the
        months that are still old-layout folders."""
        if self.statements_root is None:
            return []
        self.statements_root.mkdir(parents=True, exist_ok=True)
        legacy = []
        for month in months:
            link = self.statements_root / month
            target = os.path.relpath(releases_dir(self.published) / CURRENT / STATEMENTS / month, self.statements_root)
            if link.is_symlink():
                if os.readlink(link) != target:
                    _symlink_atomically(target, link)
            elif link.exists():
                legacy.append(month)
            else:
                _symlink_atomically(target, link)
        return legacy

    def _replace_legacy_month(self, month: str) -> None:
        assert self.statements_root is not None
        folder = self.statements_root / month
        aside = self.statements_root / f".{month}.old-layout-{self.run_id}"
        target = os.path.relpath(releases_dir(self.published) / CURRENT / STATEMENTS / month, self.statements_root)
        os.replace(folder, aside)
        _symlink_atomically(target, folder)
        shutil.rmtree(aside, ignore_errors=True)

    def _collect_old_releases(self) -> None:
        """Remove published releases older than the previous KEEP_PREVIOUS_RELEASES (open sessions keep
        their files: an unlinked inode lives until its last reader closes it)."""
        releases = releases_dir(self.published)
        published = sorted(
            (p for p in releases.glob(f"{RELEASE_PREFIX}*") if (p / _PUBLISHED_MARK).exists()),
            key=lambda p: (p / _PUBLISHED_MARK).stat().st_mtime_ns,
        )
        current = current_release(self.published)
        older = [p for p in published if current is None or p.name != current.name]
        for release in older[: max(0, len(older) - KEEP_PREVIOUS_RELEASES)]:
            shutil.rmtree(release, ignore_errors=True)

    def discard(self) -> None:
        """Remove this run's release folder — never the published one."""
        current = current_release(self.published)
        if current is not None and current.name == self.release.name:
            return
        if (self.release / _PUBLISHED_MARK).exists():
            return
        shutil.rmtree(self.release, ignore_errors=True)


__all__ = ["WarehouseBuild", "current_release", "releases_dir", "link_or_copy", "link_tree", "CURRENT", "STATEMENTS"]
