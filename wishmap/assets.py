"""Static files served compressed and cached for a year, under URLs that change with their content.

WhiteNoise wraps the WSGI app (so `flask run`, gunicorn and the test client all go through it)
and answers /static/<version>/… itself: the gzip or Brotli copy the browser accepts, with
`Cache-Control: max-age=315360000, public, immutable`. <version> is a hash of every file under
static/, and url_for("static", …) puts it in each URL, so a changed file is fetched anew at once.
The compressed copies are built once per version in the instance folder (the checkout may be
read-only), and the older versions' builds are deleted then. Plain /static/… URLs still work,
cached for a minute only.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from flask import Flask, url_for
from markupsafe import Markup
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

from wishmap.type_icons import icon_path

log = logging.getLogger(__name__)

# Unversioned URLs (typed by hand, or cached by an old page) may change under the same name.
PLAIN_MAX_AGE = 60
# Another version's build used this recently may still be served: by workers of the previous
# deploy draining their requests, or by a process started beside this one. It goes at a later
# start instead.
BUILD_GRACE_S = 600
# A half-built scratch folder takes seconds: older ones were left by a process that died.
SCRATCH_STALE_S = 3600


def static_version(root: Path) -> str:
    """Return a short hash of every file's path and content under root."""
    digest = hashlib.blake2b(digest_size=6)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def compressed_copy(root: Path, build: Path) -> Path:
    """Return build, a copy of root holding a .gz (and .br) beside each compressible file.

    Built in a temporary folder and renamed into place, so workers starting together never
    serve a half-built tree: the first rename wins, the others discard theirs.
    """
    if build.is_dir():
        return build
    build.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{build.name}-", dir=build.parent))
    shutil.copytree(root, scratch, dirs_exist_ok=True)
    compressor = Compressor(quiet=True)
    for path in [p for p in scratch.rglob("*") if p.is_file()]:
        if compressor.should_compress(path.name):
            compressor.compress(str(path))
    try:
        os.rename(scratch, build)
    except OSError:  # another process built the same version first
        shutil.rmtree(scratch, ignore_errors=True)
    return build


def prune_builds(build: Path, now: float | None = None) -> list[str]:
    """Delete the other versions' builds beside build; return the names deleted.

    Marks build as in use first. Safe when processes start together: a folder is first renamed
    to a private name (only one process can), so no two delete the same one; another process's
    scratch folder is left alone while it may still be building, and so is a build another
    process used within BUILD_GRACE_S.
    """
    now = time.time() if now is None else now
    try:
        os.utime(build, (now, now))
    except OSError:
        return []  # a read-only instance folder: nothing to prune either
    removed = []
    for entry in build.parent.iterdir():
        if entry.name == build.name or not entry.is_dir():
            continue
        # Dot folders are scratch (being built) or trash (being deleted) of some process.
        grace = SCRATCH_STALE_S if entry.name.startswith(".") else BUILD_GRACE_S
        try:
            if now - entry.stat().st_mtime < grace:
                continue
        except OSError:  # another process renamed it since the listing
            continue
        trash = entry.with_name(f".trash-{uuid.uuid4().hex}")
        try:
            os.rename(entry, trash)
        except OSError:  # another process took it first
            continue
        shutil.rmtree(trash, ignore_errors=True)
        removed.append(entry.name)
    return sorted(removed)


def _nosniff(headers: Any, path: str, url: str) -> None:
    # Static answers bypass Flask's after_request hooks, where the other security headers are.
    headers["X-Content-Type-Options"] = "nosniff"


def type_icon(shop_type: Any, size: int = 18) -> Markup:
    """Return an <img> of a shop type's icon, decorative (alt=""): its label is always beside it."""
    src = url_for("static", filename=icon_path(getattr(shop_type, "code", None)))
    return Markup('<img class="type-icon" src="%s" alt="" width="%d" height="%d">') % (
        src,
        size,
        size,
    )


def init_app(app: Flask) -> None:
    """Serve static/ through WhiteNoise under versioned URLs; add type_icon() to templates."""
    root = Path(app.static_folder or "static")
    version = static_version(root)
    served = root
    if not app.debug:
        try:
            served = compressed_copy(root, Path(app.instance_path) / "static-build" / version)
            # Every change to static/ made a new build; without this the folder kept them all.
            pruned = prune_builds(served)
            if pruned:
                log.info("old static builds deleted: %s", ", ".join(pruned))
        except OSError as error:  # an unwritable instance folder: serve plain files
            log.warning("static files served uncompressed: %s", error)
    prefix = f"{(app.static_url_path or '/static').strip('/')}"
    versioned = f"/{prefix}/{version}/"
    middleware = WhiteNoise(
        app.wsgi_app,
        # In development files change under a running server: look them up on each request.
        autorefresh=app.debug,
        max_age=0 if app.debug else PLAIN_MAX_AGE,
        allow_all_origins=False,
        add_headers_function=_nosniff,
        immutable_file_test=lambda path, url: not app.debug and url.startswith(versioned),
    )
    middleware.add_files(str(served), prefix=f"{prefix}/{version}/")
    middleware.add_files(str(served), prefix=f"{prefix}/")
    app.wsgi_app = middleware  # type: ignore[method-assign]
    app.config["STATIC_VERSION"] = version

    @app.url_defaults
    def _versioned_static(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = f"{version}/{values['filename']}"

    app.add_template_global(type_icon)
