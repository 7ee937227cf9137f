"""Street-level crime files from data.police.uk, read as crime events.

data.police.uk publishes a CSV file per force per month (``2016-01-metropolitan-street.csv``,
in a folder per month) with the columns Crime ID, Month, Reported by, Falls within, Longitude,
Latitude, Location, LSOA code, LSOA name, Crime type, Last outcome category and Context. Points
are snapped to anonymised map points and Month has no day. Anti-social behaviour has no Crime ID.

The reader takes files or folders (searched recursively for ``*.csv`` and ``*.csv.gz``), plain
or gzipped, a single month or months concatenated (a header line repeated inside a file is
skipped and counted, not read as data), and yields events in batches so that thirteen years of
a force never sit in memory at once. No row is dropped silently: every row read is either an
event or a rejection counted by its reason in the ``ImportReport``, with the file and line of
the first few of each. A row with several faults is counted under the first found, in the order
malformed row, month, force, crime type, coordinates.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import IO

from safercity.cases import vocabulary
from safercity.platform.errors import FieldError, InvalidInput

COLUMNS = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)
_NEEDED = tuple(c for c in COLUMNS if c not in {"Falls within", "LSOA name", "Context"})

# data.police.uk's force ids and names (its /api/forces): the 43 territorial forces of England
# and Wales, the Police Service of Northern Ireland and the British Transport Police.
FORCES: dict[str, str] = {
    "avon-and-somerset": "Avon and Somerset Constabulary",
    "bedfordshire": "Bedfordshire Police",
    "cambridgeshire": "Cambridgeshire Constabulary",
    "cheshire": "Cheshire Constabulary",
    "city-of-london": "City of London Police",
    "cleveland": "Cleveland Police",
    "cumbria": "Cumbria Constabulary",
    "derbyshire": "Derbyshire Constabulary",
    "devon-and-cornwall": "Devon & Cornwall Police",
    "dorset": "Dorset Police",
    "durham": "Durham Constabulary",
    "dyfed-powys": "Dyfed-Powys Police",
    "essex": "Essex Police",
    "gloucestershire": "Gloucestershire Constabulary",
    "greater-manchester": "Greater Manchester Police",
    "gwent": "Gwent Police",
    "hampshire": "Hampshire Constabulary",
    "hertfordshire": "Hertfordshire Constabulary",
    "humberside": "Humberside Police",
    "kent": "Kent Police",
    "lancashire": "Lancashire Constabulary",
    "leicestershire": "Leicestershire Police",
    "lincolnshire": "Lincolnshire Police",
    "merseyside": "Merseyside Police",
    "metropolitan": "Metropolitan Police Service",
    "norfolk": "Norfolk Constabulary",
    "north-wales": "North Wales Police",
    "north-yorkshire": "North Yorkshire Police",
    "northamptonshire": "Northamptonshire Police",
    "northumbria": "Northumbria Police",
    "nottinghamshire": "Nottinghamshire Police",
    "south-wales": "South Wales Police",
    "south-yorkshire": "South Yorkshire Police",
    "staffordshire": "Staffordshire Police",
    "suffolk": "Suffolk Constabulary",
    "surrey": "Surrey Police",
    "sussex": "Sussex Police",
    "thames-valley": "Thames Valley Police",
    "warwickshire": "Warwickshire Police",
    "west-mercia": "West Mercia Police",
    "west-midlands": "West Midlands Police",
    "west-yorkshire": "West Yorkshire Police",
    "wiltshire": "Wiltshire Police",
    "northern-ireland": "Police Service of Northern Ireland",
    "btp": "British Transport Police",
}
# Other spellings of the same forces: Hampshire's name since 2022, and "and" for "&".
FORCE_ALIASES: dict[str, str] = {
    "Hampshire and Isle of Wight Constabulary": "hampshire",
    "Devon and Cornwall Police": "devon-and-cornwall",
}

# data.police.uk's crime types, as its files spell them: one list for the whole platform.
CRIME_TYPES: tuple[str, ...] = vocabulary.CRIME_TYPES
# Used until April 2013, when "Violent crime" became "Violence and sexual offences" and "Public
# disorder and weapons" split into "Public order" and "Possession of weapons".
LEGACY_CRIME_TYPES: tuple[str, ...] = ("Violent crime", "Public disorder and weapons")

# The forces' area, England, Wales and Northern Ireland, and the railways the British Transport
# Police covers into Scotland: a point outside this box is a bad coordinate (swapped latitude
# and longitude, a zero, a typo).
LONGITUDE_RANGE = (-8.7, 2.0)
LATITUDE_RANGE = (49.8, 60.9)

_MONTH = re.compile(r"(\d{4})-(\d{2})")


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


_FORCE_BY_NAME = {_key(name): force for force, name in FORCES.items()} | {
    _key(name): force for name, force in FORCE_ALIASES.items()
}
_CRIME_TYPE_BY_NAME = {_key(name): name for name in CRIME_TYPES + LEGACY_CRIME_TYPES}


class Rejection(StrEnum):
    """Why a row was not read as a crime event."""

    NO_COORDINATES = "no_coordinates"
    BAD_COORDINATES = "bad_coordinates"
    BAD_MONTH = "bad_month"
    UNKNOWN_FORCE = "unknown_force"
    UNKNOWN_CRIME_TYPE = "unknown_crime_type"
    MALFORMED_ROW = "malformed_row"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Rejection.NO_COORDINATES: "no coordinates (published without a location)",
    Rejection.BAD_COORDINATES: "coordinates not numbers or outside the forces' area",
    Rejection.BAD_MONTH: "month not a valid YYYY-MM",
    Rejection.UNKNOWN_FORCE: "force not one data.police.uk publishes",
    Rejection.UNKNOWN_CRIME_TYPE: "crime type not one data.police.uk publishes",
    Rejection.MALFORMED_ROW: "too few or too many fields",
}


@dataclass(frozen=True)
class CrimeEvent:
    """One crime (or anti-social behaviour incident) as data.police.uk publishes it: a month, not
    a day, and a point snapped to an anonymised map point. ``crime_id`` is empty for
    anti-social behaviour; ``force`` is a data.police.uk force id such as ``metropolitan``."""

    crime_id: str
    month: date
    force: str
    lon: float
    lat: float
    location: str
    lsoa_code: str
    crime_type: str
    outcome: str


@dataclass(frozen=True)
class RejectedRow:
    file: str
    line: int
    detail: str


@dataclass
class ImportReport:
    """What a read found: every data row is either accepted or rejected by a reason, so
    ``rows == accepted + rejected_total``; header lines repeated inside a file and blank lines
    are counted apart and are not rows."""

    max_examples: int = 5
    files: list[str] = field(default_factory=list)
    rows: int = 0
    accepted: int = 0
    headers_skipped: int = 0
    blank_lines: int = 0
    rejected: Counter[Rejection] = field(default_factory=Counter)
    examples: dict[Rejection, list[RejectedRow]] = field(default_factory=dict)

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    def reject(self, reason: Rejection, file: str, line: int, detail: str) -> None:
        self.rejected[reason] += 1
        shown = self.examples.setdefault(reason, [])
        if len(shown) < self.max_examples:
            shown.append(RejectedRow(file, line, detail))

    def summary(self) -> list[str]:
        """The report in lines of plain text, for the command line and the import log."""
        lines = [
            f"{len(self.files)} files, {self.rows} rows: {self.accepted} accepted, "
            f"{self.rejected_total} rejected; {self.headers_skipped} repeated headers skipped"
        ]
        for reason, count in sorted(self.rejected.items(), key=lambda item: -item[1]):
            lines.append(f"{count} {reason.label}")
            lines += [f"  {e.file}:{e.line}: {e.detail}" for e in self.examples.get(reason, [])]
        return lines


def read_crimes(
    sources: str | Path | Iterable[str | Path], report: ImportReport, *, batch_size: int = 10_000
) -> Iterator[list[CrimeEvent]]:
    """Crime events from data.police.uk files and folders, ``batch_size`` at a time; what was
    read and what was rejected goes into ``report`` as the batches are taken."""
    if batch_size < 1:
        raise _invalid("batch_size", "must be at least 1")
    batch: list[CrimeEvent] = []
    for path in crime_files(sources):
        report.files.append(str(path))
        with _open(path) as text:
            try:
                for event in parse_rows(text, source=str(path), report=report):
                    batch.append(event)
                    if len(batch) >= batch_size:
                        yield batch
                        batch = []
            except (EOFError, gzip.BadGzipFile, zlib.error) as error:
                raise _invalid("path", f"{path} is a damaged gzip file ({error})") from None
    if batch:
        yield batch


def crime_files(sources: str | Path | Iterable[str | Path]) -> list[Path]:
    """The files to read: each file given, and every ``*.csv`` and ``*.csv.gz`` under each folder
    given, in name order."""
    given = [Path(sources)] if isinstance(sources, str | Path) else [Path(s) for s in sources]
    files: list[Path] = []
    for source in given:
        if source.is_dir():
            files += sorted(p for p in source.rglob("*") if p.is_file() and _is_crime_file(p))
        elif source.is_file():
            files.append(source)
        else:
            raise _invalid("path", f"{source} is neither a file nor a folder")
    return files


def parse_rows(lines: Iterable[str], *, source: str, report: ImportReport) -> Iterator[CrimeEvent]:
    """Crime events from the lines of one file, its header first. Pure: no I/O of its own."""
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        return  # an empty file
    header = [_key(name.lstrip("\ufeff")) for name in header]
    missing = [c for c in _NEEDED if _key(c) not in header]
    if missing:
        raise _invalid("path", f"{source} is not a data.police.uk street file: no {missing}")
    index = {c: header.index(_key(c)) for c in _NEEDED}
    for row in reader:
        if not any(cell.strip() for cell in row):
            report.blank_lines += 1
        elif [_key(cell.lstrip("\ufeff")) for cell in row] == header:
            report.headers_skipped += 1
        else:
            report.rows += 1
            found = _event(row, len(header), index)
            if isinstance(found, CrimeEvent):
                report.accepted += 1
                yield found
            else:
                report.reject(found[0], source, reader.line_num, found[1])


def _event(row: list[str], width: int, index: dict[str, int]) -> CrimeEvent | tuple[Rejection, str]:
    if len(row) != width:
        return Rejection.MALFORMED_ROW, f"{len(row)} fields, expected {width}"
    value = {column: row[i].strip() for column, i in index.items()}
    month = _month(value["Month"])
    if month is None:
        return Rejection.BAD_MONTH, f"month {value['Month']!r}"
    force = _FORCE_BY_NAME.get(_key(value["Reported by"]))
    if force is None:
        return Rejection.UNKNOWN_FORCE, f"force {value['Reported by']!r}"
    crime_type = _CRIME_TYPE_BY_NAME.get(_key(value["Crime type"]))
    if crime_type is None:
        return Rejection.UNKNOWN_CRIME_TYPE, f"crime type {value['Crime type']!r}"
    lon_text, lat_text = value["Longitude"], value["Latitude"]
    if not lon_text and not lat_text:
        return Rejection.NO_COORDINATES, f"location {value['Location']!r}"
    point = _point(lon_text, lat_text)
    if point is None:
        return Rejection.BAD_COORDINATES, f"longitude {lon_text!r}, latitude {lat_text!r}"
    return CrimeEvent(
        crime_id=value["Crime ID"],
        month=month,
        force=force,
        lon=point[0],
        lat=point[1],
        location=value["Location"],
        lsoa_code=value["LSOA code"],
        crime_type=crime_type,
        outcome=value["Last outcome category"],
    )


def _month(text: str) -> date | None:
    match = _MONTH.fullmatch(text)
    if match is None or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:
        return None
    return date(int(match[1]), int(match[2]), 1)


def _point(lon_text: str, lat_text: str) -> tuple[float, float] | None:
    try:
        lon, lat = float(lon_text), float(lat_text)
    except ValueError:
        return None
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return None
    inside = (
        LONGITUDE_RANGE[0] <= lon <= LONGITUDE_RANGE[1]
        and LATITUDE_RANGE[0] <= lat <= LATITUDE_RANGE[1]
    )
    return (lon, lat) if inside else None


def _is_crime_file(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith((".csv", ".csv.gz"))


@contextmanager
def _open(path: Path) -> Iterator[IO[str]]:
    with path.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"  # gzip's magic number, whatever the name
    # data.police.uk writes UTF-8, some tools add a byte-order mark; a stray undecodable byte
    # becomes U+FFFD in its field rather than losing the whole file.
    with (
        gzip.open(path, "rb") if gzipped else path.open("rb") as raw,
        io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="") as text,
    ):
        yield text


def _invalid(field_name: str, message: str) -> InvalidInput:
    return InvalidInput(message, [FieldError(field_name, message)])
