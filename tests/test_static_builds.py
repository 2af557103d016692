"""instance/static-build keeps only the current version's compressed copy: each start deletes
the builds of older versions, safely when several processes start at once."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from wishmap.assets import (
    BUILD_GRACE_S,
    SCRATCH_STALE_S,
    compressed_copy,
    prune_builds,
    static_version,
)


def _static(tmp_path: Path, text: str) -> Path:
    root = tmp_path / "static"
    (root / "js").mkdir(parents=True, exist_ok=True)
    (root / "js" / "a.js").write_text(text * 50)
    return root


def _folder(path: Path, age_s: float) -> Path:
    (path / "js").mkdir(parents=True)
    (path / "js" / "a.js").write_text("old")
    past = time.time() - age_s
    os.utime(path, (past, past))
    return path


def test_a_new_build_deletes_the_old_ones_and_leaves_what_may_be_in_use(tmp_path: Path) -> None:
    builds = tmp_path / "static-build"
    old = _folder(builds / "0123456789ab", BUILD_GRACE_S + 5)
    older = _folder(builds / "ba9876543210", 30 * 86400)
    recent = _folder(builds / "feedfacecafe", 5)  # another process may serve it right now
    building = _folder(builds / ".feedfacecafe-x1", 5)  # another process's build in progress
    crashed = _folder(builds / ".0123456789ab-x2", SCRATCH_STALE_S + 5)
    root = _static(tmp_path, "var a = 1;")
    build = compressed_copy(root, builds / static_version(root))

    assert prune_builds(build) == sorted([old.name, older.name, crashed.name])
    assert sorted(p.name for p in builds.iterdir()) == sorted(
        [build.name, recent.name, building.name]
    )
    assert (build / "js" / "a.js.gz").is_file()
    # Ten minutes on, the other version's build goes too; a scratch folder an hour on.
    assert prune_builds(build, now=time.time() + BUILD_GRACE_S + 1) == [recent.name]
    assert prune_builds(build, now=time.time() + SCRATCH_STALE_S + 1) == [building.name]
    assert [p.name for p in builds.iterdir()] == [build.name]


def test_changing_a_static_file_replaces_the_build(tmp_path: Path) -> None:
    builds = tmp_path / "static-build"
    root = _static(tmp_path, "var a = 1;")
    first = compressed_copy(root, builds / static_version(root))
    prune_builds(first)
    root = _static(tmp_path, "var a = 2;")
    second = compressed_copy(root, builds / static_version(root))
    assert second != first
    assert prune_builds(second, now=time.time() + BUILD_GRACE_S + 1) == [first.name]
    assert [p.name for p in builds.iterdir()] == [second.name]
    assert (second / "js" / "a.js.gz").is_file()


def test_processes_starting_at_once_build_and_prune_without_harm(tmp_path: Path) -> None:
    builds = tmp_path / "static-build"
    stale = [_folder(builds / f"{n:012x}", BUILD_GRACE_S + 5) for n in range(6)]
    root = _static(tmp_path, "var a = 3;")
    version = static_version(root)
    start = threading.Barrier(6)
    removed: list[list[str]] = []
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            build = compressed_copy(root, builds / version)
            removed.append(prune_builds(build))
        except BaseException as error:  # reported below with the others
            failures.append(error)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    # Each old build was deleted exactly once, by one of the processes; the current one is whole.
    deleted = [name for names in removed for name in names if not name.startswith(".")]
    assert sorted(deleted) == sorted(p.name for p in stale)
    assert [p.name for p in builds.iterdir() if not p.name.startswith(".")] == [version]
    assert (builds / version / "js" / "a.js.gz").is_file()
    assert (builds / version / "js" / "a.js.br").is_file()
