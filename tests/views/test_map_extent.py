"""The maps open on the imported data when WISHMAP_MAP_CENTER is not set."""

from __future__ import annotations

import json
import re

from factories import make_premise, make_street, make_user
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from web import log_in

from wishmap.models import Role
from wishmap.services.extent import data_extent, grid_latitude


def _view(html: str) -> tuple[list[float], int, list | None]:
    """Return the map's initial centre, zoom and fitBounds corners (None without a fit)."""
    center = json.loads(re.search(r"center: (\[[^\]]*\])", html).group(1))
    zoom = int(re.search(r'"zoom": (\d+)', html).group(1))
    fit = re.search(r"\.fitBounds\(\s*(\[\[.*?\]\])", html, re.S)
    return center, zoom, json.loads(fit.group(1)) if fit else None


def test_empty_database_shows_the_world_without_a_fit(client: FlaskClient) -> None:
    center, zoom, fit = _view(client.get("/").get_data(as_text=True))
    assert (center, zoom, fit) == ([20.0, 0.0], 2, None)


def test_streets_alone_give_the_view(client: FlaskClient, session: Session) -> None:
    make_street(session, coordinates=[[4.470, 51.910], [4.490, 51.925]])  # Rotterdam
    center, _zoom, fit = _view(client.get("/").get_data(as_text=True))
    assert fit == [[51.91, 4.47], [51.925, 4.49]]
    assert center == [51.9175, 4.48]


def test_premises_give_the_view_and_an_import_moves_it(
    client: FlaskClient, session: Session
) -> None:
    make_street(session, coordinates=[[4.470, 51.910], [4.490, 51.925]])
    make_premise(session, lat=52.370, lon=4.890)  # premises win over streets
    make_premise(session, lat=52.380, lon=4.900)
    assert _view(client.get("/").get_data(as_text=True))[2] == [[52.37, 4.89], [52.38, 4.9]]
    # No cache to go stale: the next page sees a premise imported in the meantime.
    make_premise(session, lat=52.360, lon=4.910)
    assert _view(client.get("/").get_data(as_text=True))[2] == [[52.36, 4.89], [52.38, 4.91]]


def test_configured_center_wins(app: Flask, client: FlaskClient, session: Session) -> None:
    make_premise(session, lat=52.370, lon=4.890)
    app.config["MAP_CENTER"] = (48.85, 2.35)
    center, zoom, fit = _view(client.get("/").get_data(as_text=True))
    assert (center, zoom, fit) == ([48.85, 2.35], app.config["MAP_ZOOM"], None)


def test_officers_map_opens_on_the_data_too(client: FlaskClient, session: Session) -> None:
    make_premise(session, lat=52.370, lon=4.890)
    make_premise(session, lat=52.380, lon=4.900)
    log_in(client, make_user(session, role=Role.OFFICER))
    page = client.get("/statistics/map")
    assert page.status_code == 200
    assert _view(page.get_data(as_text=True))[2] == [[52.37, 4.89], [52.38, 4.9]]


def test_demand_grid_latitude_is_stable_across_imports(session: Session) -> None:
    assert data_extent(session) is None
    make_premise(session, lat=52.370, lon=4.890)
    assert grid_latitude(session, ()) == 52.0
    make_premise(session, lat=52.440, lon=4.890)  # the data's middle moves, the grid does not
    assert grid_latitude(session, ()) == 52.0
    assert grid_latitude(session, (48.8839, 2.3823)) == 48.8839
