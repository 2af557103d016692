"""The demo district as import files: real streets of Paris 19th, synthetic demand on top.

The streets, existing shops and quartiers are a real extract of the Ville de Paris open data
(wishmap/demo/paris19/, ODbL; wishmap/demo/extract.py made it), around Avenue Secrétan, Rue de
Meaux and Rue de Belleville, so the demo lies on the base map's streets. Premises (a share of
them vacant), residents and wishes are synthetic and deterministic per seed: premises line the
real streets, denser on the shopping streets, with addresses numbered along them; wishes gather
in a few hotspots per shop type, where no real shop of that type stands nearby. Nothing here
touches the database: `wishmap.services.demo` loads these files through the real importers.
"""

from __future__ import annotations

import csv
import json
import math
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from wishmap.demo.frontage import (
    EXTRACT,
    SHOPPING_STREETS,
    FrontStreet,
    Plane,
    read_extract,
    shop_fronts,
    streets_in_area,
)
from wishmap.taxonomy import BY_CODE, SHOP_TYPES, code_for

__all__ = ["DEMO_DOMAIN", "EXTRACT", "HOTSPOT_GAP_M", "DemoSize", "build_demo_files"]

DEMO_DOMAIN = "demo.wishmap.example"
# Shop types residents of the demo district miss, each wished for around one or two places.
HOTSPOT_TYPES = (
    "bakery",
    "greengrocer",
    "books",
    "bicycle",
    "cheese",
    "pharmacy",
    "cafe",
    "shoemaker",
)
# A hotspot is where its type is missing: no real shop of the type within this distance.
HOTSPOT_GAP_M = 350.0
REASONS = {
    "food": (
        "Depuis la fermeture de l'ancienne, il faut traverser tout le quartier.",
        "On achèterait sur place plutôt qu'au supermarché.",
        "Avec les enfants, un commerce à deux pas changerait tout.",
    ),
    "daily": (
        "Les personnes âgées de la rue n'ont rien à proximité.",
        "Indispensable au quotidien, le plus proche est à 15 minutes.",
    ),
    "culture": (
        "Il n'y a plus aucun lieu pour flâner dans le quartier.",
        "Un endroit pour les enfants et les rencontres.",
    ),
    "services": (
        "Je fais réparer ailleurs faute de mieux.",
        "Un service de proximité qui manque vraiment.",
    ),
    "leisure": (
        "Un lieu pour se retrouver entre voisins.",
        "La rue est morte le soir, ça l'animerait.",
    ),
}
FIRST_NAMES = (
    "Camille", "Léa", "Hugo", "Inès", "Lucas", "Chloé", "Nathan", "Manon", "Yanis", "Sarah",
    "Louis", "Amina", "Jules", "Zoé", "Karim", "Emma", "Noah", "Fatou", "Thomas", "Julie",
    "Mehdi", "Anaïs", "Paul", "Lina",
)  # fmt: skip


@dataclass
class DemoSize:
    premises: int = 400
    # At most this many of the extract's real shops (all of them by default).
    shops: int | None = None
    residents: int = 3000
    wishes: int = 10000
    vacancy: float = 0.15


def _shop_code(feature: dict) -> str | None:
    return code_for(feature["properties"].get("type_de_commerce"))


def build_demo_files(folder: Path, seed: int = 42, size: DemoSize | None = None) -> dict[str, Path]:
    """Write the demo district as import files (streets, premises, shops, residents, wishes)."""
    size = size or DemoSize()
    rng = np.random.default_rng(seed)
    area_lonlat = shape(read_extract("area.geojson")[0]["geometry"])
    centre = area_lonlat.centroid
    plane = Plane(centre.y, centre.x)
    area = plane.xy(area_lonlat)
    shops = read_extract("shops.geojson")[: size.shops]
    streets = streets_in_area(plane, area, shops)
    real_shops = [(code, plane.xy(shape(f["geometry"]))) for f in shops if (code := _shop_code(f))]
    hotspots = _hotspots(rng, streets, real_shops)

    premise_rows = []
    vacant_xy = []
    today = datetime(2026, 11, 1, tzinfo=UTC)
    managers = [f"owner@{DEMO_DOMAIN}", f"agency@{DEMO_DOMAIN}", "", "", ""]
    for index, (x, y, street, number) in enumerate(shop_fronts(streets, size.premises, rng, area)):
        vacant = rng.random() < size.vacancy
        surface = float(np.clip(rng.lognormal(math.log(65), 0.45), 18, 400))
        shopping = street in SHOPPING_STREETS
        per_m2_year = rng.uniform(320, 460) if shopping else rng.uniform(190, 300)
        lon, lat = plane.lonlat(x, y)
        ref = f"DEMO-{index + 1:04d}"
        premise_rows.append(
            {
                "ref": ref,
                "address": f"{number} {street}",
                "street": street,
                "lat": lat,
                "lon": lon,
                "surface_m2": round(surface, 1),
                "rent_eur_month": int(round(surface * per_m2_year / 12, -1)),
                "status": "vacant" if vacant else "let",
                "vacant_since": (today - timedelta(days=int(rng.integers(30, 1100))))
                .date()
                .isoformat()
                if vacant
                else "",
                "manager": managers[index % len(managers)],
            }
        )
        if vacant:
            vacant_xy.append((x, y, ref))

    residents = []
    for index in range(1, size.residents + 1):
        first_name = FIRST_NAMES[int(rng.integers(len(FIRST_NAMES)))]
        initial = chr(65 + int(rng.integers(26)))
        residents.append((f"resident{index:04d}@{DEMO_DOMAIN}", f"{first_name} {initial}."))
    # Residents live along the streets of the area (not in the park), a few metres off them.
    homes = np.array(_homes(rng, streets, area, size.residents))
    wish_rows = _wishes(rng, size, residents, homes, hotspots, vacant_xy, today, plane, area)

    folder.mkdir(parents=True, exist_ok=True)
    names = ("streets.geojson", "premises.csv", "shops.geojson", "residents.csv", "wishes.csv")
    paths = {name: folder / name for name in (*names, "quartiers.geojson")}
    # The real files go to the importers as the city publishes them.
    shutil.copyfile(EXTRACT / "streets.geojson", paths["streets.geojson"])
    shutil.copyfile(EXTRACT / "quartiers.geojson", paths["quartiers.geojson"])
    paths["shops.geojson"].write_text(
        json.dumps({"type": "FeatureCollection", "features": shops}, ensure_ascii=False),
        encoding="utf-8",
    )
    _write_csv(paths["premises.csv"], premise_rows)
    _write_csv(paths["residents.csv"], [{"email": e, "name": n} for e, n in residents])
    _write_csv(paths["wishes.csv"], wish_rows)
    return paths


def _hotspots(
    rng: np.random.Generator, streets: list[FrontStreet], real_shops: list[tuple[str, Point]]
) -> list[tuple[str, float, float]]:
    """Return (shop type, x, y) centres of demand on shopping streets, away from that type."""
    lines = [part for street in streets if street.weight >= 1 for part in street.inside]
    lengths = np.array([line.length for line in lines])
    spots = []
    for code in HOTSPOT_TYPES:
        wanted = 1 + int(rng.random() < 0.5)
        for _attempt in range(50):
            line = lines[int(rng.choice(len(lines), p=lengths / lengths.sum()))]
            point = line.interpolate(rng.uniform(0.2, 0.8), normalized=True)
            if all(c != code or point.distance(p) > HOTSPOT_GAP_M for c, p in real_shops):
                spots.append((code, point.x, point.y))
                wanted -= 1
                if not wanted:
                    break
    return spots


def _homes(
    rng: np.random.Generator, streets: list[FrontStreet], area: BaseGeometry, count: int
) -> list[tuple[float, float]]:
    lines = [part for street in streets if street.weight for part in street.inside]
    lengths = np.array([line.length for line in lines])
    homes: list[tuple[float, float]] = []
    while len(homes) < count:
        line = lines[int(rng.choice(len(lines), p=lengths / lengths.sum()))]
        point = line.interpolate(rng.uniform(0, line.length))
        x, y = point.x + rng.normal(0, 25), point.y + rng.normal(0, 25)
        if area.contains(Point(x, y)):
            homes.append((x, y))
    return homes


def _wishes(
    rng: np.random.Generator,
    size: DemoSize,
    residents: list,
    homes: np.ndarray,
    hotspots: list,
    vacant_xy: list,
    today: datetime,
    plane: Plane,
    area: BaseGeometry,
) -> list[dict]:
    """Return wish rows: most near a hotspot of their type, on a vacant premise or a free point."""
    codes = [spec.code for spec in SHOP_TYPES]
    vacant = np.array([(x, y) for x, y, _ref in vacant_xy])
    per_resident = np.minimum(rng.poisson(size.wishes / size.residents, size.residents), 10)
    rows, voices = [], set()
    for resident_index, count in enumerate(per_resident):
        hx, hy = homes[resident_index]
        distance = np.array([math.hypot(hx - x, hy - y) for _c, x, y in hotspots])
        pull = np.exp(-distance / 300)
        for _ in range(int(count)):
            if rng.random() < 0.75:
                code, cx, cy = hotspots[int(rng.choice(len(hotspots), p=pull / pull.sum()))]
            else:
                code = codes[int(rng.integers(len(codes)))]
                cx, cy = hx, hy
            row = {
                "resident": residents[resident_index][0],
                "shop_type": code,
                "premise": "",
                "lat": "",
                "lon": "",
            }
            if rng.random() < 0.8 and len(vacant):
                near = np.hypot(vacant[:, 0] - cx, vacant[:, 1] - cy)
                choice = np.exp(-near / 120)
                premise_index = int(rng.choice(len(vacant), p=choice / choice.sum()))
                row["premise"] = vacant_xy[premise_index][2]
                voice = (row["resident"], row["premise"], code)
            else:
                x, y = cx + rng.normal(0, 60), cy + rng.normal(0, 60)
                # A free wish stays within the district (and so within one of its quartiers).
                if not area.contains(Point(x, y)):
                    x, y = hx, hy
                lon, lat = plane.lonlat(x, y)
                row["lat"], row["lon"] = lat, lon
                voice = (row["resident"], lon, lat, code)
            if voice in voices:
                continue
            voices.add(voice)
            group = BY_CODE[code].group
            row["reason"] = (
                REASONS[group][int(rng.integers(len(REASONS[group])))] if rng.random() < 0.3 else ""
            )
            row["frequency"] = str(rng.choice(["weekly", "monthly", "occasionally", ""]))
            # Demand grows over the year: later months carry more wishes.
            age_days = int(365 * (1 - math.sqrt(rng.random())))
            row["created_at"] = today - timedelta(days=age_days, minutes=int(rng.integers(1440)))
            row["created_at"] = row["created_at"].isoformat()
            rows.append(row)
    return rows


def _write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
