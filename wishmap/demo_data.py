"""The demo district as import files: a believable synthetic neighbourhood, deterministic per seed.

Streets form a small town-centre grid around three shopping streets; premises and shops line
the streets, denser on the shopping streets; residents live around them, and their wishes
gather in a few hotspots per shop type, where that type is missing. Nothing here touches the
database: `wishmap.services.demo` loads these files through the real importers.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from shapely.geometry import LineString, MultiLineString

from wishmap.geo import M_PER_DEG_LAT
from wishmap.taxonomy import BY_CODE, SHOP_TYPES

CENTER = (48.8839, 2.3823)
DEMO_DOMAIN = "demo.wishmap.example"
MAIN_STREETS = ("Rue du Marché", "Avenue de la Gare", "Rue des Tilleuls")
SIDE_STREETS = (
    "Rue des Lilas",
    "Rue Pasteur",
    "Rue Victor-Hugo",
    "Rue de l'Église",
    "Rue des Écoles",
    "Passage du Moulin",
    "Rue Émile-Zola",
    "Rue de la Fontaine",
    "Rue Jean-Jaurès",
    "Rue des Rosiers",
    "Impasse des Peupliers",
    "Rue Condorcet",
)
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
    "Camille",
    "Léa",
    "Hugo",
    "Inès",
    "Lucas",
    "Chloé",
    "Nathan",
    "Manon",
    "Yanis",
    "Sarah",
    "Louis",
    "Amina",
    "Jules",
    "Zoé",
    "Karim",
    "Emma",
    "Noah",
    "Fatou",
    "Thomas",
    "Julie",
    "Mehdi",
    "Anaïs",
    "Paul",
    "Lina",
)


@dataclass
class DemoSize:
    premises: int = 400
    shops: int = 600
    residents: int = 3000
    wishes: int = 10000
    vacancy: float = 0.15


def _to_lonlat(x: float, y: float) -> tuple[float, float]:
    """Return (lon, lat) of a point x metres east and y metres north of the centre."""
    lat = CENTER[0] + y / M_PER_DEG_LAT
    lon = CENTER[1] + x / (M_PER_DEG_LAT * math.cos(math.radians(CENTER[0])))
    return round(lon, 7), round(lat, 7)


def _street_network(rng: np.random.Generator) -> list[tuple[str, LineString | MultiLineString]]:
    """Return named streets in metres: three gently curving shopping streets and side streets."""
    streets: list[tuple[str, LineString | MultiLineString]] = []
    for index, name in enumerate(MAIN_STREETS):
        y0 = (index - 1) * 320.0
        xs = np.linspace(-700, 700, 15)
        ys = y0 + 25 * np.sin(xs / 260 + index) + rng.normal(0, 4, xs.size)
        line = LineString(zip(xs, ys, strict=True))
        if index == 1:
            # The avenue is cut by the station square: two parts, one street.
            streets.append((name, MultiLineString([line.coords[:7], line.coords[8:]])))
        else:
            streets.append((name, line))
    for index, name in enumerate(SIDE_STREETS):
        x0 = -660 + index * 120 + rng.normal(0, 12)
        length = 260 if name.startswith("Impasse") else 820
        ys = np.linspace(-length / 2, length / 2, 6)
        xs = x0 + rng.normal(0, 6, ys.size).cumsum()
        streets.append((name, LineString(zip(xs, ys, strict=True))))
    return streets


def _positions_along(
    geometry: LineString | MultiLineString, count: int, rng: np.random.Generator
) -> list[tuple[float, float, int]]:
    """Return count (x, y, house number) shop fronts along a street, on alternating sides."""
    parts = list(geometry.geoms) if isinstance(geometry, MultiLineString) else [geometry]
    line = LineString([coord for part in parts for coord in part.coords])
    spots = np.sort(rng.uniform(0.02, 0.98, count)) * line.length
    fronts = []
    for rank, distance in enumerate(spots):
        here = line.interpolate(distance)
        ahead = line.interpolate(min(distance + 1.0, line.length))
        dx, dy = ahead.x - here.x, ahead.y - here.y
        norm = math.hypot(dx, dy) or 1.0
        side = 1 if rank % 2 else -1
        # Shop fronts stand about 9 m off the centre line: half a street plus a pavement.
        fronts.append(
            (
                here.x - side * 9 * dy / norm,
                here.y + side * 9 * dx / norm,
                2 * (rank // 2) + (1 if side < 0 else 2),
            )
        )
    return fronts


def build_demo_files(folder: Path, seed: int = 42, size: DemoSize | None = None) -> dict[str, Path]:
    """Write the demo district as import files (streets, premises, shops, residents, wishes)."""
    size = size or DemoSize()
    rng = np.random.default_rng(seed)
    streets = _street_network(rng)
    is_main = [name in MAIN_STREETS for name, _geometry in streets]
    weights = np.array([4.0 if main else 1.0 for main in is_main]) * np.array(
        [geometry.length for _name, geometry in streets]
    )
    weights /= weights.sum()

    def lonlat_geometry(geometry: LineString | MultiLineString) -> dict:
        if isinstance(geometry, MultiLineString):
            return {
                "type": "MultiLineString",
                "coordinates": [
                    [_to_lonlat(x, y) for x, y in part.coords] for part in geometry.geoms
                ],
            }
        return {"type": "LineString", "coordinates": [_to_lonlat(x, y) for x, y in geometry.coords]}

    street_features = [
        {
            "type": "Feature",
            "properties": {"ref": f"demo-street-{index}", "name": name},
            "geometry": lonlat_geometry(geometry),
        }
        for index, (name, geometry) in enumerate(streets)
    ]

    # Premises and shops share the shop fronts of each street.
    fronts_needed = rng.multinomial(size.premises + size.shops, weights)
    fronts: list[tuple[float, float, str, int]] = []
    for (name, geometry), count in zip(streets, fronts_needed, strict=True):
        fronts += [(x, y, name, number) for x, y, number in _positions_along(geometry, count, rng)]
    order = rng.permutation(len(fronts))
    premise_fronts = [fronts[i] for i in order[: size.premises]]
    shop_fronts = [fronts[i] for i in order[size.premises :]]

    hotspots = _hotspots(rng, streets)
    premise_rows = []
    vacant_xy = []
    today = datetime(2026, 11, 1, tzinfo=UTC)
    managers = [f"owner@{DEMO_DOMAIN}", f"agency@{DEMO_DOMAIN}", "", "", ""]
    for index, (x, y, street, number) in enumerate(premise_fronts):
        vacant = rng.random() < size.vacancy
        surface = float(np.clip(rng.lognormal(math.log(65), 0.45), 18, 400))
        per_m2_year = rng.uniform(320, 460) if street in MAIN_STREETS else rng.uniform(190, 300)
        lon, lat = _to_lonlat(x, y)
        premise_rows.append(
            {
                "ref": f"DEMO-{index + 1:04d}",
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
            vacant_xy.append((x, y, f"DEMO-{index + 1:04d}"))

    shop_features = _shops(rng, shop_fronts, hotspots)
    residents = []
    for index in range(1, size.residents + 1):
        first_name = FIRST_NAMES[int(rng.integers(len(FIRST_NAMES)))]
        initial = chr(65 + int(rng.integers(26)))
        residents.append((f"resident{index:04d}@{DEMO_DOMAIN}", f"{first_name} {initial}."))
    # Residents live within the district's blocks, a short walk from some street.
    homes = np.clip(rng.normal(0, [450, 330], size=(size.residents, 2)), [-720, -450], [720, 450])
    wish_rows = _wishes(rng, size, residents, homes, hotspots, vacant_xy, today)

    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        name: folder / name
        for name in (
            "streets.geojson",
            "premises.csv",
            "shops.geojson",
            "residents.csv",
            "wishes.csv",
            "quartiers.geojson",
        )
    }
    paths["quartiers.geojson"].write_text(
        json.dumps({"type": "FeatureCollection", "features": _quartier_features()})
    )
    paths["streets.geojson"].write_text(
        json.dumps({"type": "FeatureCollection", "features": street_features}, ensure_ascii=False)
    )
    paths["shops.geojson"].write_text(
        json.dumps({"type": "FeatureCollection", "features": shop_features}, ensure_ascii=False)
    )
    _write_csv(paths["premises.csv"], premise_rows)
    _write_csv(paths["residents.csv"], [{"email": e, "name": n} for e, n in residents])
    _write_csv(paths["wishes.csv"], wish_rows)
    return paths


def _hotspots(rng: np.random.Generator, streets: list) -> list[tuple[str, float, float]]:
    """Return (shop type, x, y) centres of demand, each on a street."""
    spots = []
    for code in HOTSPOT_TYPES:
        for _ in range(1 + int(rng.random() < 0.5)):
            _name, geometry = streets[int(rng.integers(len(streets)))]
            point = geometry.interpolate(rng.uniform(0.2, 0.8), normalized=True)
            spots.append((code, point.x, point.y))
    return spots


def _shops(rng: np.random.Generator, fronts: list, hotspots: list) -> list[dict]:
    """Return existing shops as OSM-style features; a hotspot's type is absent around it."""
    codes = [spec.code for spec in SHOP_TYPES]
    frequency = np.array([spec.frequency for spec in SHOP_TYPES])
    features = []
    for index, (x, y, street, number) in enumerate(fronts):
        for _attempt in range(10):
            code = codes[int(rng.choice(len(codes), p=frequency / frequency.sum()))]
            # Hotspots are where a type is missing: no shop of it within 350 m.
            if all(code != hot or math.hypot(x - hx, y - hy) > 350 for hot, hx, hy in hotspots):
                break
        key, value = BY_CODE[code].osm.split("=")
        lon, lat = _to_lonlat(x, y)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "@id": f"node/{9_000_000 + index}",
                    key: value,
                    "name": f"{BY_CODE[code].fr} {street.split(' ', 2)[-1]}",
                    "addr:housenumber": str(number),
                    "addr:street": street,
                },
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
            }
        )
    return features


def _wishes(
    rng: np.random.Generator,
    size: DemoSize,
    residents: list,
    homes: np.ndarray,
    hotspots: list,
    vacant_xy: list,
    today: datetime,
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
                lon, lat = _to_lonlat(cx + rng.normal(0, 60), cy + rng.normal(0, 60))
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


# The demo's quartiers in metres from the centre: (ref, name, west, south, east, north). They
# tile the whole district, so every home, premise and free wish falls in one of them.
QUARTIERS = (
    ("Q1", "Quartier du Marché", -950, -650, 950, -160),
    ("Q2", "Gare Ouest", -950, -160, 0, 160),
    ("Q3", "Gare Est", 0, -160, 950, 160),
    ("Q4", "Quartier des Tilleuls", -950, 160, 950, 650),
)


def _quartier_features() -> list[dict]:
    """Return the demo quartiers as GeoJSON Polygon features."""
    features = []
    for ref, name, west, south, east, north in QUARTIERS:
        ring = [(west, south), (east, south), (east, north), (west, north), (west, south)]
        features.append(
            {
                "type": "Feature",
                "properties": {"ref": ref, "name": name},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[_to_lonlat(x, y) for x, y in ring]],
                },
            }
        )
    return features


def _write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
