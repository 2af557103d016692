"""The full analysis run: load arrays from the database, call `analysis`, store the results.

Only active wishes count. Results of the newest finished run are what reports read; older
runs keep their parameters and figures (`analysis_runs`) but their result rows are removed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

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
)
from wishmap.models._types import utcnow
from wishmap.services import follows, tenant_matching
from wishmap.services.analysis_arrays import index_of, insert_rows, read_active_wishes
from wishmap.services.tenant_matching import RankedTenant

if TYPE_CHECKING:
    # Imported where used: the analysis pulls in scipy, and the views load this module for
    # latest_run and friends at every start-up, web workers included.
    from analysis import FullResult

Say = Callable[[str], None]


class NothingToAnalyse(Exception):
    """The database holds no streets, premises, shops or wishes yet: no run is stored."""


class Inputs:
    """The arrays of one run and the database ids behind each index."""

    def __init__(self, session: Session, premise_statuses: tuple[str, ...]) -> None:
        from analysis import Premises, Shops, Streets, Wishes  # deferred: see TYPE_CHECKING

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

        # Column-wise, no Row objects: at 1,000,000 wishes the rows cost more than the analysis.
        rows = read_active_wishes(session)
        self.wishes = Wishes(
            lat=rows["lat"],
            lon=rows["lon"],
            type_idx=index_of(self.type_ids, rows["shop_type_id"]),
            resident_id=rows["resident_id"],
            created_at=rows["created_s"],
            street_idx=index_of(self.street_ids, rows["street_id"]),
        )
        del rows

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
    from analysis import run_full  # deferred: see TYPE_CHECKING above

    say = say or (lambda _message: None)
    now = now or utcnow()
    started = time.perf_counter()
    say("loading wishes, premises, shops and streets")
    inputs = Inputs(session, premise_statuses)
    if not (len(inputs.streets) or len(inputs.wishes) or len(inputs.premises) or len(inputs.shops)):
        # A fresh installation, or a cron job ahead of the first import: not a failure, but no
        # place to centre the analysis on either.
        raise NothingToAnalyse(
            "nothing to analyse yet: no streets, premises, shops or wishes (load a district "
            "with `flask import-streets`, `flask import-premises` … or `flask demo`)"
        )
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
    # One transaction: a run that fails while storing leaves the previous results as they were.
    try:
        session.add(run)
        session.flush()
        _store(session, run.id, inputs, result)
        # Older runs keep their record (parameters, figures) but not their result rows.
        for model in (Hotspot, StreetDemand, PremiseGap):
            session.execute(delete(model).where(model.run_id != run.id))
        run.seconds = round(time.perf_counter() - started, 3)
        run.finished_at = utcnow()
        run.params = json.dumps(
            {**_jsonable(result.params), "timings": result.timings}, default=str
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    follows.note_report_changes(session, run)  # premises whose top types changed: news
    say(f"run {run.id}: {run.hotspots} hotspots, {run.seconds:.1f} s in all")
    return run


def _store(session: Session, run_id: int, inputs: Inputs, result: FullResult) -> None:
    # Rows are built column-wise (numpy → lists) and written in bulk by the driver (COPY on
    # PostgreSQL): at 5,000 premises × 40 types the gap rows alone number up to 200,000.
    spots = result.hotspots.hotspots
    spot_street = np.array([spot.street_idx for spot in spots], dtype=np.int64)
    _insert(
        session,
        Hotspot,
        run_id=run_id,
        shop_type_id=inputs.type_ids[[spot.type_idx for spot in spots]],
        lat=[float(spot.lat) for spot in spots],
        lon=[float(spot.lon) for spot in spots],
        radius_m=[float(spot.radius_m) for spot in spots],
        wishes=[int(spot.wishes) for spot in spots],
        residents=[int(spot.residents) for spot in spots],
        street_id=_ids_or_none(inputs.street_ids, spot_street),
    )
    streets = result.streets
    s_idx, t_idx = np.nonzero(streets.wishes)
    _insert(
        session,
        StreetDemand,
        run_id=run_id,
        street_id=inputs.street_ids[s_idx],
        shop_type_id=inputs.type_ids[t_idx],
        wishes=streets.wishes[s_idx, t_idx],
        residents=streets.residents[s_idx, t_idx],
        recent=streets.recent[s_idx, t_idx],
        previous=streets.previous[s_idx, t_idx],
    )
    demand = result.premises
    # Store a premise × type only where someone wished it within walking distance.
    p_idx, t_idx = np.nonzero(demand.residents)
    near = demand.nearest_competitor_m[p_idx, t_idx].tolist()
    profile = demand.profile[p_idx, t_idx]
    _insert(
        session,
        PremiseGap,
        run_id=run_id,
        premise_id=inputs.premise_ids[p_idx],
        shop_type_id=inputs.type_ids[t_idx],
        # Python's round, as before: np.round may differ in the last digit.
        gap=[round(value, 2) for value in demand.gap[p_idx, t_idx].tolist()],
        demand=[round(value, 3) for value in demand.demand[p_idx, t_idx].tolist()],
        wishes=demand.wishes[p_idx, t_idx],
        residents=demand.residents[p_idx, t_idx],
        competitors=demand.competitors[p_idx, t_idx],
        nearest_competitor_m=[round(m, 1) if np.isfinite(m) else None for m in near],
        within_100=profile[:, 0],
        within_200=profile[:, 1],
        within_300=profile[:, 2],
        within_400=profile[:, 3],
    )


def _ids_or_none(ids: np.ndarray, index: np.ndarray) -> list[int | None]:
    return [int(ids[i]) if i >= 0 else None for i in index.tolist()]


def _insert(session: Session, model: type, run_id: int, **columns: Any) -> None:
    """Insert one row per position of the equally long columns (arrays or lists), with run_id."""
    values = [
        column.tolist() if isinstance(column, np.ndarray) else column for column in columns.values()
    ]
    count = len(values[0])
    rows = list(zip([run_id] * count, *values, strict=True))
    insert_rows(session, model.__table__, ["run_id", *columns], rows)


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
