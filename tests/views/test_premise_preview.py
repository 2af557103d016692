"""A premise's share preview: og:image points (absolute URL) to a 1200 × 630 PNG drawn here,
with its streets, a marker and the data's attribution, cached by ETag."""

from __future__ import annotations

import re
from io import BytesIO

from factories import make_premise, make_street, make_wish
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy.orm import Session

from wishmap.services.share_image import MARKER, MARKER_X, MARKER_Y, STREET_FILL


def test_og_image_is_an_absolute_url_to_a_1200_by_630_png(
    client: FlaskClient, session: Session
) -> None:
    street = make_street(session, "Rue de Test", [[2.3800, 48.8801], [2.3900, 48.8801]])
    premise = make_premise(session, street_id=street.id, lat=48.8801, lon=2.3850)
    make_wish(session, premise=premise)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    page = client.get(f"/premises/{premise.id}").get_data(as_text=True)
    found = re.search(r'<meta property="og:image" content="([^"]+)">', page)
    assert found, page
    url = found.group(1)
    assert url == f"http://localhost/premises/{premise.id}/preview.png?lang=fr"
    assert '<meta property="og:image:width" content="1200">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page

    answer = client.get(url.removeprefix("http://localhost"))
    assert answer.status_code == 200 and answer.mimetype == "image/png"
    assert answer.data[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(BytesIO(answer.data))
    assert image.format == "PNG" and image.size == (1200, 630)
    rgb = image.convert("RGB")
    assert rgb.getpixel((MARKER_X, MARKER_Y)) == MARKER  # the marker on the premise
    assert rgb.getpixel((MARKER_X + 120, MARKER_Y)) == STREET_FILL  # its street, drawn
    assert (
        "public" in answer.headers["Cache-Control"]
        and "max-age=86400" in answer.headers["Cache-Control"]
    )

    etag = answer.headers["ETag"]
    again = client.get(url.removeprefix("http://localhost"), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""

    # A new wish changes what is drawn, so the image and its ETag change.
    make_wish(session, premise=premise, code="books")
    changed = client.get(url.removeprefix("http://localhost"), headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_preview_of_an_unknown_premise_is_404_and_an_odd_language_is_english(
    client: FlaskClient, session: Session
) -> None:
    assert client.get("/premises/999999/preview.png").status_code == 404
    premise = make_premise(session)
    answer = client.get(f"/premises/{premise.id}/preview.png?lang=xx")
    assert answer.status_code == 200 and Image.open(BytesIO(answer.data)).size == (1200, 630)
