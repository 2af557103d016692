"""The full analysis run: load arrays from the database, call `analysis`, store the results.

Only active wishes count. Results of the newest finished run are what reports read; older
runs keep their parameters and figures (`analysis_runs`) but their result rows are removed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import numpy as np
import shapely
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from analysis import FullResult, Premises, Shops, Streets, Wishes, run_full
from wishmap.models import (
    AnalysisRun,
    Hotspot,
    Premise,
    PremiseGap,
    PremiseStatus,
    Shop,
    ShopType,
    Street,
    StreetDemand,
    Wish,
    WishStatus,
)
from wishmap.models._types import utcnow
from wishmap.services import follows, tenant_matching
from wishmap.services.tenant_matching import RankedTenant

Say = Callable[[str], None]


class Inputs:
    """The arrays of one run and the database ids behind each index."""

    def __init__(self, session: Session, premise_statuses: tuple[str, ...]) -> None:
        types = list(session.execute(select(ShopType.id, ShopType.code).order_by(ShopType.id)))
        self.type_ids = np.array([type_id for type_id, _code in types], dtype=np.int64)
        self.type_codes = [code for _id, code in types]
        type_index = {type_id: index for index, type_id in enumerate(self.type_ids)}

        streets = list(session.execute(select(Street.id, Street.name, Street.geometry)))
        self.street_ids = np.array([row[0] for row in streets], dtype=np.int64)
        street_index = {street_id: index for index, street_id in enumerate(self.street_ids)}
        self.streets = Streets(
            [shapely.from_geojson(geometry) for _id, _name, geometry in streets],
            [name for _id, name, _geometry in streets],
        )

        rows = session.execute(
            select(
                Wish.id,
                Wish.lat,
                Wish.lon,
                Wish.shop_type_id,
                Wish.user_id,
                Wish.created_at,
                Wish.street_id,
            ).where(Wish.status == WishStatus.ACTIVE.value)
        ).all()
        self.wishes = Wishes(
            lat=np.array([row[1] for row in rows], dtype=np.float64),
            lon=np.array([row[2] for row in rows], dtype=np.float64),
            type_idx=np.array([type_index[row[3]] for row in rows], dtype=np.int64),
            # A wish kept from a deleted account counts as its own anonymous resident.
            resident_id=np.array(
                [row[4] if row[4] is not None else -row[0] for row in rows], dtype=np.int64
            ),
            created_at=np.array([row[5].timestamp() for row in rows], dtype=np.float64),
            street_idx=np.array([street_index.get(row[6], -1) for row in rows], dtype=np.int64),
        )

        premises = list(
            session.execute(
                select(
                    Premise.id,
                    Premise.lat,
                    Premise.lon,
                    Premise.street_id,
                    Premise.surface_m2,
                    Premise.rent_eur_month,
                )
                .where(Premise.status.in_(premise_statuses))
                .order_by(Premise.id)
            )
        )
        self.premise_ids = np.array([row[0] for row in premises], dtype=np.int64)
        self.premises = Premises(
            lat=np.array([row[1] for row in premises], dtype=np.float64),
            lon=np.array([row[2] for row in premises], dtype=np.float64),
            street_idx=np.array([street_index.get(row[3], -1) for row in premises], dtype=np.int64),
            surface_m2=np.array([row[4] or np.nan for row in premises], dtype=np.float64),
            rent=np.array(
                [row[5] if row[5] is not None else np.nan for row in premises], dtype=np.float64
            ),
        )
        shops = session.execute(select(Shop.lat, Shop.lon, Shop.shop_type_id)).all()
        self.shops = Shops(
            lat=np.array([row[0] for row in shops], dtype=np.float64),
            lon=np.array([row[1] for row in shops], dtype=np.float64),
            type_idx=np.array([type_index[row[2]] for row in shops], dtype=np.int64),
        )


def run_analysis(
    session: Session,
    now: datetime | None = None,
    premise_statuses: tuple[str, ...] = (PremiseStatus.VACANT.value,),
    say: Say | None = None,
) -> AnalysisRun:
    """Run the full analysis over the active wishes and store it as the newest run; commits."""
    say = say or (lambda _message: None)
    now = now or utcnow()
    started = time.perf_counter()
    say("loading wishes, premises, shops and streets")
    inputs = Inputs(session, premise_statuses)
    say(
        f"analysing {len(inputs.wishes):,} wishes, {len(inputs.premises):,} premises, "
        f"{len(inputs.shops):,} shops, {len(inputs.streets):,} streets"
    )
    result = run_full(
        inputs.wishes,
        inputs.premises,
        inputs.shops,
        inputs.streets,
        n_types=len(inputs.type_ids),
        now=now.timestamp(),
    )
    say("storing results: " + ", ".join(f"{k} {v:.2f} s" for k, v in result.timings.items()))
    run = AnalysisRun(
        started_at=now,
        wishes=len(inputs.wishes),
        premises=len(inputs.premises),
        hotspots=len(result.hotspots.hotspots),
        status="finished",
    )
    session.add(run)
    session.flush()
    _store(session, run.id, inputs, result)
    # Older runs keep their record (parameters, figures) but not their result rows.
    for model in (Hotspot, StreetDemand, PremiseGap):
        session.execute(delete(model).where(model.run_id != run.id))
    run.seconds = round(time.perf_counter() - started, 3)
    run.finished_at = utcnow()
    run.params = json.dumps({**_jsonable(result.params), "timings": result.timings}, default=str)
    session.commit()
    follows.note_report_changes(session, run)  # premises whose top types changed: news
    say(f"run {run.id}: {run.hotspots} hotspots, {run.seconds:.1f} s in all")
    return run


def _store(session: Session, run_id: int, inputs: Inputs, result: FullResult) -> None:
    hotspot_rows = [
        {
            "run_id": run_id,
            "shop_type_id": int(inputs.type_ids[spot.type_idx]),
            "lat": float(spot.lat),
            "lon": float(spot.lon),
            "radius_m": float(spot.radius_m),
            "wishes": int(spot.wishes),
            "residents": int(spot.residents),
            "street_id": int(inputs.street_ids[spot.street_idx]) if spot.street_idx >= 0 else None,
        }
        for spot in result.hotspots.hotspots
    ]
    streets = result.streets
    s_idx, t_idx = np.nonzero(streets.wishes)
    street_rows = [
        {
            "run_id": run_id,
            "street_id": int(inputs.street_ids[s]),
            "shop_type_id": int(inputs.type_ids[t]),
            "wishes": int(streets.wishes[s, t]),
            "residents": int(streets.residents[s, t]),
            "recent": int(streets.recent[s, t]),
            "previous": int(streets.previous[s, t]),
        }
        for s, t in zip(s_idx, t_idx, strict=True)
    ]
    demand = result.premises
    # Store a premise × type only where someone wished it within walking distance.
    p_idx, t_idx = np.nonzero(demand.residents)
    gap_rows = []
    for p, t in zip(p_idx, t_idx, strict=True):
        near = float(demand.nearest_competitor_m[p, t])
        profile = demand.profile[p, t]
        gap_rows.append(
            {
                "run_id": run_id,
                "premise_id": int(inputs.premise_ids[p]),
                "shop_type_id": int(inputs.type_ids[t]),
                "gap": round(float(demand.gap[p, t]), 2),
                "demand": round(float(demand.demand[p, t]), 3),
                "wishes": int(demand.wishes[p, t]),
                "residents": int(demand.residents[p, t]),
                "competitors": int(demand.competitors[p, t]),
                "nearest_competitor_m": round(near, 1) if np.isfinite(near) else None,
                "within_100": int(profile[0]),
                "within_200": int(profile[1]),
                "within_300": int(profile[2]),
                "within_400": int(profile[3]),
            }
        )
    for model, rows in (
        (Hotspot, hotspot_rows),
        (StreetDemand, street_rows),
        (PremiseGap, gap_rows),
    ):
        if rows:
            session.execute(insert(model), rows)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def latest_run(session: Session) -> AnalysisRun | None:
    """Return the newest finished analysis run, if any."""
    return session.scalar(
        select(AnalysisRun)
        .where(AnalysisRun.status == "finished")
        .order_by(AnalysisRun.id.desc())
        .limit(1)
    )


def latest_hotspots(
    session: Session, min_residents: int, type_code: str | None = None, group: str | None = None
) -> list[Hotspot]:
    """Return the newest run's hotspots with at least min_residents, optionally of a type/group."""
    run = latest_run(session)
    if run is None:
        return []
    query = (
        select(Hotspot)
        .join(ShopType, ShopType.id == Hotspot.shop_type_id)
        .where(Hotspot.run_id == run.id, Hotspot.residents >= min_residents)
        .order_by(Hotspot.residents.desc(), Hotspot.id)
    )
    if type_code:
        query = query.where(ShopType.code == type_code)
    if group:
        query = query.where(ShopType.group == group)
    return list(session.scalars(query))


def premise_gaps(session: Session, premise_id: int, limit: int = 10) -> list[PremiseGap]:
    """Return the premise's gap rows from the newest run, highest gap first."""
    run = latest_run(session)
    if run is None:
        return []
    return list(
        session.scalars(
            select(PremiseGap)
            .where(PremiseGap.run_id == run.id, PremiseGap.premise_id == premise_id)
            .order_by(PremiseGap.gap.desc(), PremiseGap.residents.desc(), PremiseGap.shop_type_id)
            .limit(limit)
        )
    )


def street_ranking(session: Session, street_id: int) -> list[StreetDemand]:
    """Return the street's demand rows from the newest run, most distinct residents first."""
    run = latest_run(session)
    if run is None:
        return []
    return list(
        session.scalars(
            select(StreetDemand)
            .where(StreetDemand.run_id == run.id, StreetDemand.street_id == street_id)
            .order_by(
                StreetDemand.residents.desc(), StreetDemand.wishes.desc(), StreetDemand.shop_type_id
            )
        )
    )


def rank_tenants(
    session: Session, premise: Premise, candidates: list[dict[str, Any]]
) -> list[RankedTenant]:
    """Rank tenant candidates for a premise by the newest run's gap scores, surface and rent.

    candidates: dicts with shop_type (code), min_surface_m2, max_surface_m2, max_rent, name.
    Each result words its reason in the reader's language (services/tenant_matching.py).
    """
    return tenant_matching.rank(
        session,
        premise,
        candidates,
        latest_run(session),
        premise_gaps(session, premise.id, limit=1000),
    )
