"""The importers on real Paris open data, as the city publishes it (../shared/data/paris)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wishmap.models import Shop, ShopType, Street
from wishmap.services.importing import read_records
from wishmap.services.shops import import_shops
from wishmap.services.streets import area_from_file, import_streets


@pytest.mark.sqlite_only
def test_paris_streets_import_whole_city(session: Session, paris_data: Path) -> None:
    records = read_records(paris_data / "voies.geojson")
    report = import_streets(session, records)
    assert report.created == 6564 and not report.skipped
    crimee = session.scalar(select(Street).where(Street.name == "Rue de Crimée"))
    assert crimee is not None and 2700 < crimee.length_m < 2950  # 2,870 m end to end
    kinds = [json.loads(geometry)["type"] for geometry in session.scalars(select(Street.geometry))]
    assert kinds.count("MultiLineString") == 1080
    total_km = session.scalar(select(func.sum(Street.length_m))) / 1000
    assert total_km == pytest.approx(1967, rel=0.01)
    again = import_streets(session, records)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6564)


def test_paris_19th_streets_and_shops(session: Session, paris_data: Path) -> None:
    area = area_from_file(str(paris_data / "arrondissements.geojson"), "c_ar=19")
    report = import_streets(session, read_records(paris_data / "voies.geojson"), within=area)
    # Streets that touch the 19th, including those that cross into the 10th, 18th and 20th.
    assert 350 < report.created < 550
    assert report.skipped["outside the area"] == 6564 - report.created
    names = set(session.scalars(select(Street.name)))
    assert {"Rue de Crimée", "Avenue Secrétan", "Rue de l'Ourcq"} <= names

    shops = import_shops(session, read_records(paris_data / "commerces.geojson"))
    assert shops.created == 2503 - 375  # every category maps, but 'Autre' names no type
    assert shops.skipped == {"category 'Autre' names no shop type": 375}
    bakeries = session.scalar(
        select(func.count()).select_from(Shop).join(ShopType).where(ShopType.code == "bakery")
    )
    assert bakeries == 120
    # Shops within 200 m of an imported street were linked to it: those of the 19th.
    linked = session.scalar(select(func.count()).where(Shop.street_id.is_not(None)))
    assert 80 < linked < 400
