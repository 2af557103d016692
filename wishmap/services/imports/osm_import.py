"""Importing an OpenStreetMap extract: streets, shops and vacant premises in one transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from wishmap.services.importing import ImportReport, ProgressFn, Record
from wishmap.services.imports.osm import OsmExtract, SayFn, read_osm
from wishmap.services.premises import import_premises
from wishmap.services.shops import import_shops
from wishmap.services.streets import import_streets


@dataclass
class OsmReport:
    """What import_osm read from the file and what each importer did with it."""

    extract: OsmExtract
    reports: dict[str, ImportReport] = field(default_factory=dict)

    def summary(self) -> list[str]:
        """Return the lines a person reads after an import: merged streets, shops, premises."""
        extract = self.extract
        lines = []
        if "streets" in self.reports:
            lines.append(
                f"streets: {len(extract.streets)} streets merged from "
                f"{len(extract.pieces)} named ways; {self.reports['streets'].summary()}"
            )
        if "shops" in self.reports:
            lines.append(f"shops: {self.reports['shops'].summary()}")
        if "premises" in self.reports:
            lines.append(
                f"premises: {len(extract.premises)} vacant premises found; "
                f"{self.reports['premises'].summary()}"
            )
        lines.append(
            f"shop-like features: {extract.shop_like}, {extract.mapped} mapped to a type, "
            f"{sum(extract.skipped_on_purpose.values())} skipped on purpose, "
            f"{sum(extract.unmapped.values())} unmapped "
            f"({100 * extract.mapping_share:.1f} % mapped or skipped on purpose)"
        )
        for reason, count in extract.skipped_on_purpose.most_common():
            lines.append(f"  {count} skipped ({reason}): {_top(extract.skipped_tags[reason])}")
        if extract.unmapped:
            lines.append(f"  {sum(extract.unmapped.values())} unmapped: {_top(extract.unmapped)}")
        for reason, count in extract.skipped.most_common():
            lines.append(f"  {count} left out: {reason}")
        for label, imported in self.reports.items():
            lines += [f"{label}: warning: {warning}" for warning in imported.warnings]
        return lines


def _top(tags: Counter[str], shown: int = 8) -> str:
    """Return "shop=jewelry (25), shop=shoes (14), …": the most frequent tags first."""
    text = ", ".join(f"{tag} ({count})" for tag, count in tags.most_common(shown))
    return text + (", …" if len(tags) > shown else "")


@contextmanager
def _one_transaction(session: Session) -> Iterator[None]:
    """Run several importers, each of which commits, as one transaction.

    Each importer commits its own file; here three kinds of rows come from one file, and a
    bad premise must not leave the streets behind. While the block runs, their commits only
    flush; the block commits once at the end, or rolls everything back.
    """
    session.commit = session.flush  # type: ignore[method-assign]
    try:
        yield
    except BaseException:
        del session.commit
        session.rollback()
        raise
    del session.commit
    session.commit()


def _street_records(extract: OsmExtract) -> list[Record]:
    """Return one streets-importer record per street; its id is its smallest way id."""
    records = []
    for street in extract.streets:
        count = len(street.refs)
        where = f"way {street.ref}" + (f" (+{count - 1} merged)" if count > 1 else "")
        props = {"ref": f"osm:way/{street.ref}", "name": street.name}
        records.append(Record(where, props, street.geometry))
    return records


def import_osm(
    session: Session,
    path: str | Path,
    *,
    within: BaseGeometry | None = None,
    streets: bool = True,
    shops: bool = True,
    premises: bool = True,
    merge: bool = True,
    say: SayFn | None = None,
    progress: Callable[[str], ProgressFn | None] = lambda _label: None,
) -> OsmReport:
    """Import the named streets, shops and vacant premises of an .osm.pbf; all or nothing.

    Re-importing the same extract updates rows by their OSM ids (osm:node/…, osm:way/…) and
    creates no duplicates. progress(label) gives each importer its progress callback.
    """
    extract = read_osm(path, within=within, merge=merge, say=say)
    report = OsmReport(extract)
    source = str(path)
    with _one_transaction(session):
        if streets:
            report.reports["streets"] = import_streets(
                session,
                _street_records(extract),
                within=within,
                progress=progress("streets"),
                source=source,
            )
        if shops:
            # Every record already maps to a type: unmapped tags were counted by the reader.
            report.reports["shops"] = import_shops(
                session, extract.shops, progress=progress("shops"), source=source
            )
        if premises:
            report.reports["premises"] = import_premises(
                session, extract.premises, progress=progress("premises"), source=source
            )
    return report
