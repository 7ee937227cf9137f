"""Build the bundled London estate CSVs from shared/data, once, by hand.

Run from the repository root: ``.venv/bin/python bench/build_estate.py [SHARED_DATA_DIR]``
(default ``../shared/data/london``). It writes src/safercity/city/data/{lfb_fire_stations_2023,
lfb_fire_stations_2014,las_ambulance_stations,met_police_stations,london_hospitals}.csv, which are
committed; the product only ever reads those, never shared/.

What it decides, so the output can be reproduced and checked:
- every point's borough is the bundled boundary that covers it, or the nearest one within 300 m
  (the bundled boundaries leave the Thames out, so Lambeth River fire station sits on the water);
- fire stations: callsign as code; the 2014 list is matched to today's by name, and the ten
  stations missing from today's list are the ones closed on 9 January 2014;
- ambulance stations: the source's coord_quality is kept (lsoa21_centroid → lsoa_centroid,
  point_unverified → surveyed with a note saying it is unverified);
- police stations without coordinates are placed approximately, best first: at the LFB fire
  station(s) in the same postcode sector, else the mean of the LFB fire stations in the same
  postcode district, else at the centre of the borough the postcode district lies in;
- hospitals: kept only if strictly inside a London borough; duplicates by name dropped;
  provenance unverified.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from shapely.geometry import Point

from safercity.city.boroughs import city_boroughs

OUT = Path(__file__).resolve().parents[1] / "src" / "safercity" / "city" / "data"
RIVER_TOLERANCE_M = 300.0
METRES_PER_DEGREE = 111_320.0  # a rough conversion, enough for a 300 m tolerance near London
CLOSED_ON_2014 = "2014-01-09"
STATION_COLUMNS = ["code", "name", "borough", "latitude", "longitude", "coord_quality", "note"]

# Postcode districts with no LFB fire station in them, and the borough each lies in.
DISTRICT_BOROUGH = {
    "WC2N": "Westminster",
    "NW9": "Barnet",
    "CR9": "Croydon",
    "E7": "Newham",
    "HA2": "Harrow",
    "TW3": "Hounslow",
    "KT1": "Kingston upon Thames",
    "TW1": "Richmond upon Thames",
    "SE17": "Southwark",
}


def borough_of(latitude: float, longitude: float) -> str | None:
    boroughs = city_boroughs()
    found = boroughs.borough_at(latitude, longitude)
    if found is not None:
        return found.name
    point = Point(longitude, latitude)
    distance, name = min(
        (shape.distance(point) * METRES_PER_DEGREE, b.name)
        for b, shape in zip(boroughs.boroughs, boroughs.shapes, strict=True)
    )
    return name if distance <= RIVER_TOLERANCE_M else None


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def write(name: str, columns: list[str], rows: Iterable[dict[str, object]]) -> int:
    rows = list(rows)
    with (OUT / name).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{name}: {len(rows)} rows")
    return len(rows)


def slug(text: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "-", text.upper()).strip("-")


def station_row(
    code: str, name: str, lat: float, lon: float, quality: str, note: str
) -> dict[str, object]:
    borough = borough_of(lat, lon)
    if borough is None:
        raise SystemExit(f"{name} ({lat}, {lon}) is outside every London borough")
    return {
        "code": code,
        "name": name,
        "borough": borough,
        "latitude": round(lat, 6),
        "longitude": round(lon, 6),
        "coord_quality": quality,
        "note": note,
    }


def fire(src: Path) -> list[dict[str, str]]:
    current = read(src / "lfb_fire_stations_callsigns.csv")
    rows = [
        station_row(
            r["callsign"], r["name"], float(r["latitude"]), float(r["longitude"]), "surveyed", ""
        )
        for r in current
    ]
    write("lfb_fire_stations_2023.csv", STATION_COLUMNS, rows)
    callsigns = {r["name"]: r["callsign"] for r in current}
    rows_2014 = []
    for r in read(src / "lfb_fire_stations_2014_incl_closed.csv"):
        name = r["Station_Name"]
        closed = name not in callsigns
        code = callsigns.get(name) or f"CLOSED-{slug(name)}"
        note = "closed on 9 January 2014" if closed else ""
        row = station_row(code, name, float(r["Latitude"]), float(r["Longitude"]), "surveyed", note)
        row["closed_on"] = CLOSED_ON_2014 if closed else ""
        rows_2014.append(row)
    write("lfb_fire_stations_2014.csv", [*STATION_COLUMNS, "closed_on"], rows_2014)
    return current + [
        {
            "name": r["Station_Name"],
            "postcode": r["Postcode"],
            "latitude": r["Latitude"],
            "longitude": r["Longitude"],
        }
        for r in read(src / "lfb_fire_stations_2014_incl_closed.csv")
        if r["Station_Name"] not in callsigns
    ]


def ambulance(src: Path) -> None:
    rows = []
    for r in read(src / "las_ambulance_stations.csv"):
        lsoa = f"LSOA 2021 {r['LSOA21CD']} ({r['LSOA21NM']})"
        if r["coord_quality"] == "lsoa21_centroid":
            quality, note = "lsoa_centroid", f"at the centre of {lsoa}, not the building"
        elif r["coord_quality"] == "point_unverified":
            quality, note = "surveyed", f"a point at the station, source unverified; in {lsoa}"
        else:
            raise SystemExit(f"unknown coord_quality {r['coord_quality']!r}")
        rows.append(
            station_row(
                r["station_code"],
                r["station_name"],
                float(r["latitude"]),
                float(r["longitude"]),
                quality,
                note,
            )
        )
    write("las_ambulance_stations.csv", STATION_COLUMNS, rows)


def _mean(points: list[dict[str, str]]) -> tuple[float, float]:
    lats = [float(p["latitude"]) for p in points]
    lons = [float(p["longitude"]) for p in points]
    return sum(lats) / len(lats), sum(lons) / len(lons)


def place_police(postcode: str, fire_stations: list[dict[str, str]]) -> tuple[float, float, str]:
    sector, district = postcode[:-2].strip(), postcode.split()[0]
    same_sector = [f for f in fire_stations if f["postcode"][:-2].strip() == sector]
    if same_sector:
        names = ", ".join(sorted(f["name"] for f in same_sector))
        lat, lon = _mean(same_sector)
        return lat, lon, f"approximate: at LFB fire station {names}, same postcode sector {sector}"
    same_district = [f for f in fire_stations if f["postcode"].split()[0] == district]
    if same_district:
        names = ", ".join(sorted(f["name"] for f in same_district))
        lat, lon = _mean(same_district)
        return (
            lat,
            lon,
            (
                "approximate: mean of the LFB fire stations in postcode district "
                f"{district} ({names})"
            ),
        )
    borough = city_boroughs().by_name(DISTRICT_BOROUGH[district])
    assert borough is not None
    shape = city_boroughs().shapes[city_boroughs().boroughs.index(borough)]
    centre = shape.centroid if shape.covers(shape.centroid) else shape.representative_point()
    return (
        centre.y,
        centre.x,
        (
            f"approximate: at the centre of {borough.name}, "
            f"the borough of postcode district {district}"
        ),
    )


def police(src: Path, fire_stations: list[dict[str, str]]) -> None:
    rows = []
    for r in read(src / "met_police_front_counters.csv"):
        if r["latitude"]:
            lat, lon = float(r["latitude"]), float(r["longitude"])
            quality, note = "surveyed", "OpenStreetMap amenity=police point matched by name"
        else:
            lat, lon, note = place_police(r["postcode"], fire_stations)
            quality = "approximate"
        name = r["name"]
        rows.append(
            station_row(
                slug(name.removesuffix(" Police Station")),
                name,
                lat,
                lon,
                quality,
                f"{note}; postcode {r['postcode']}",
            )
        )
    write("met_police_stations.csv", STATION_COLUMNS, rows)


def hospitals(src: Path) -> None:
    rows, seen = [], set()
    for r in read(src / "england_nhs_hospitals_unverified.csv"):
        if not (r["latitude"] and r["longitude"]):
            continue  # a few source rows have no coordinates: they cannot be placed
        lat, lon = float(r["latitude"]), float(r["longitude"])
        # strictly inside: no river tolerance, which would let in a hospital just over the line
        found = city_boroughs().borough_at(lat, lon)
        if found is None:
            continue
        borough = found.name
        code = slug(r["name"])
        if code in seen:
            continue
        seen.add(code)
        rows.append(
            {
                "code": code,
                "name": r["name"],
                "type": r["type"],
                "borough": borough,
                "latitude": round(lat, 6),
                "longitude": round(lon, 6),
                "provenance": "unverified",
            }
        )
    columns = ["code", "name", "type", "borough", "latitude", "longitude", "provenance"]
    write("london_hospitals.csv", columns, rows)


def main() -> None:
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/data/london")
    fire_stations = fire(src)
    ambulance(src)
    police(src, fire_stations)
    hospitals(src)


if __name__ == "__main__":
    main()
