"""Report pages as PDF documents (WeasyPrint), one at a time or many in a streamed zip.

The HTML comes from the page's own template in its print variant; WeasyPrint lays it out with
the print stylesheet. It may only read our static folder: a report never fetches from the
network, so a PDF renders the same offline and cannot be made to call out.
"""

from __future__ import annotations

import logging
import mimetypes
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# Most reports one archive holds: each PDF takes a fraction of a second to lay out, and a
# download that runs for minutes helps nobody. The archive says when it was cut.
MAX_REPORTS_PER_ZIP = 200
BASE_URL = "http://wishmap.invalid/"
# The site's stylesheet also holds screen-only rules WeasyPrint does not know; it would log a
# warning for each on every PDF.
logging.getLogger("weasyprint").setLevel(logging.ERROR)


def _static_fetcher(static_folder: str, static_path: str) -> Any:
    """Return a WeasyPrint URL fetcher that serves our static files and refuses the rest."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = Path(static_folder).resolve()
    prefix = BASE_URL.rstrip("/") + static_path.rstrip("/") + "/"

    class StaticFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if not url.startswith(prefix):
                raise ValueError(f"a report may only use the site's static files, not {url}")
            path = (root / url[len(prefix) :].split("?", 1)[0]).resolve()
            if root not in path.parents or not path.is_file():
                raise ValueError(f"no static file {url}")
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})

    return StaticFetcher(allowed_protocols=("http",))


# Parsed stylesheets, kept per process: parsing them took a third of each PDF's time.
_STYLESHEETS: dict[tuple[str, float], Any] = {}


def _stylesheet(path: Path) -> Any:
    from weasyprint import CSS

    key = (str(path), path.stat().st_mtime)
    if key not in _STYLESHEETS:
        _STYLESHEETS[key] = CSS(filename=str(path))
    return _STYLESHEETS[key]


def render_pdf(
    html: str,
    static_folder: str,
    stylesheets: tuple[str, ...] = (),
    static_path: str = "/static",
) -> bytes:
    """Return the PDF of an HTML page whose assets live in static_folder (served at static_path).

    stylesheets: paths under static_folder applied to the page (parsed once per process).
    """
    from weasyprint import HTML  # imported here: pango loads once, on the first PDF

    document = HTML(
        string=html, base_url=BASE_URL, url_fetcher=_static_fetcher(static_folder, static_path)
    )
    sheets = [_stylesheet(Path(static_folder) / name) for name in stylesheets]
    return document.write_pdf(stylesheets=sheets)


class _Sink:
    """A write-only stream that hands out what was written since the last call."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self._chunks = b"".join(self._chunks), []
        return data


def stream_zip(files: Iterable[tuple[str, Callable[[], bytes]]]) -> Iterator[bytes]:
    """Yield a zip archive chunk by chunk, building each file only when its turn comes.

    files: (name inside the archive, function returning its bytes). The download starts with
    the first file, so a browser shows progress instead of waiting for the whole archive.
    """
    sink = _Sink()
    now = datetime.now(UTC).timetuple()[:6]
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, build in files:
            info = zipfile.ZipInfo(name, date_time=now)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, build())
            yield sink.take()
    yield sink.take()
