"""Build the simulation's London demand model from shared/data, once, by hand.

Run from the repository root (needs the dev-only tools ``pyshp`` and ``pyproj`` in .venv)::

    .venv/bin/python bench/build_demand.py [SHARED_DATA_DIR]      # default ../shared/data

It writes, and the product only ever reads, these two committed files:

- ``src/safercity/simulation/data/london_lsoa_demand.csv``: one row per LSOA 2011 (4,835):
  code, name, borough, lat, lon (a representative point inside the polygon, WGS84), area_km2,
  population and population_65_plus (ONS mid-2020), violence (MPS "violence against the person"
  per LSOA, the MEAN OF 2017, 2018 AND 2019, leaving out the 2020-21 lockdown years);
- ``src/safercity/simulation/data/london_demand.json``: the three demand streams.

Where each number comes from (docs/simulation.md lists them all with their sources):

- from shared/data, computed here: every LSOA column above; the fire stream's hour-of-day and
  day-of-week profiles, incident-group shares, borough shares, type mix and multi-call share
  (LFB incident records 2023, the ~8,000-row sample). The day-of-week profile divides each
  weekday's count by how often that weekday occurs in 2023 (2023 has 53 Sundays);
- published figures, typed in below with their sources: annual volumes, the ambulance category
  split, hear-and-treat and conveyance shares, the police mental-health share and the Met's
  Right Care, Right Person figures;
- ASSUMPTIONS, typed in below and labelled so in the JSON: the police and ambulance type mixes
  beyond the published shares they are tuned to, every time on scene, the hospital handover
  time, the spatial weights of the police and ambulance streams, the split of dwelling fires by
  persons reported and of road collisions by persons trapped, and the hourly and weekly profiles
  of police and ambulance demand (no published London profile was found: they reuse the LFB
  shape).

Joint incidents: a type may bring other services (an injured assault victim brings an
ambulance). Each stream's annual volume is its published count LESS the incidents the other
streams already bring that service to, so that no attendance is counted twice.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import shapefile  # pyshp, dev-only
from pyproj import Transformer  # dev-only
from shapely.geometry import shape

from safercity.city.boroughs import city_boroughs
from safercity.contact.grading import grade
from safercity.contact.priority import deploys
from safercity.contact.taxonomy import KeyAnswers, load_taxonomy
from safercity.dispatch.capabilities import Service

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "safercity" / "simulation" / "data"
LSOA_FILE = "london_lsoa_demand.csv"
MODEL_FILE = "london_demand.json"
VIOLENCE_YEARS = ("2017", "2018", "2019")
LFB_YEAR = 2023
JITTER_M = 250.0
RIVER_TOLERANCE_M = 300.0

# --- Published figures (see docs/simulation.md for each source in full) -------------------------
MET_999_CALLS = 2_177_747
MET_999_SOURCE = (
    "Met 999 calls in 2017/18: 2,177,747 (Mayor's answer to London Assembly question 2018/2956, "
    "https://www.london.gov.uk/questions/2018/2956)"
)
LAS_INCIDENTS = 1_200_000
LAS_SOURCE = (
    "LAS: over 1.2 million incidents in the year to March 2020 (LAS annual report 2019/20 as "
    "cited by Wikipedia, 'London Ambulance Service'); issue 4 uses the same figure"
)
LFB_INCIDENTS = 126_114
LFB_SOURCE = (
    "LFB incidents in 2023: 126,114 rows with CalYear 2023 in the London Datastore 'LFB Incident "
    "data from 2018 - 2023' (count as printed by a third-party notebook, huanfachen/DSSS_2025 "
    "data/processing_LFB_data.ipynb; not recounted here). Issue 4's 'about 100,000' is lower; "
    "2015 was 95,540 (urbs.london, citing LFB). False alarms are 50.0% of the 2023 sample"
)
MENTAL_HEALTH_SHARE = 0.05
MENTAL_HEALTH_SOURCE = (
    "NPCC 2019 snapshot: 5% of all police incidents are mental-health related (Olivia Pinkney, "
    "NPCC lead, quoted in The Scottish Sun, 20 Aug 2022). For the Met: over 78,000 "
    "mental-health calls and 204,000 welfare-concern calls in 2021/22 (Met, Right Care Right "
    "Person launch, 1 Nov 2023), i.e. 3.6% and 9.4% of its 999 calls if all came by 999"
)
RCRP_POLICE_ATTEND = 0.29
RCRP_SOURCE = (
    "Met, 'Londoners getting better police service with Right Care, Right Person' (May 2024): "
    "police deployment to health calls fell from 41% to 29%; 6,000 fewer deployments and "
    "34,000 officer hours a month, i.e. 5.7 officer-hours per health deployment"
)
AMBULANCE_CATEGORY_SOURCE = (
    "England, August 2024: 731,000 incidents, C1 73,360 (10.0%), C2 370,341 (50.7%), so C3+C4 "
    "39%; 50.8% conveyed to an emergency department, 29.6% see and treat (NHS Providers, NHS "
    "activity tracker September 2024, ambulance sector, from NHS England AQI). The C3/C4 split "
    "(32/7) is an assumption"
)
HEAR_AND_TREAT_SOURCE = (
    "LAS closes over 20% of cases by telephone (hear and treat), 2025 press coverage "
    "(noah.makes.news, 12 Sep 2025, not checked against LAS's own report); LAS 2022/23 annual "
    "report: 'we now take fewer than half of our patients to hospital'"
)

# --- The police and ambulance mixes: ASSUMPTIONS tuned to the published shares above ------------
# (label, code, weight, answers, on-scene mean min, sd min, extra fields)
# One line of a mix: label, type code, weight, on-scene minutes (mean, sd), key answers, extras.
Line = tuple[str, str, float, tuple[float, float], dict[str, bool], dict[str, Any]]
T, F = True, False
MH = {"mental_health": True}
NO_TYPE = "no type in the joint taxonomy: this type stands in for them"

# fmt: off
POLICE_MIX: list[Line] = [
    # The mental-health group: weights relative to each other; 29% still need police (RCRP).
    ("Mental-health crisis, risk to life", "mental_health_crisis", 0.22, (170, 120),
     {"risk_to_life": T}, MH),
    ("Mental-health crisis, crime involved", "mental_health_crisis", 0.07, (170, 120),
     {"crime_in_progress": T, "risk_to_life": F}, MH),
    ("Mental-health crisis, no crime, no risk to life (health attends)",
     "mental_health_crisis", 0.71, (60, 30), {"crime_in_progress": F, "risk_to_life": F}, MH),
    # The rest of police demand: weights relative to each other.
    ("Concern for welfare, risk to life", "concern_for_welfare", 0.026, (120, 90),
     {"risk_to_life": T}, {}),
    ("Concern for welfare, no crime, no risk", "concern_for_welfare", 0.064, (60, 40),
     {"crime_in_progress": F, "risk_to_life": F}, {}),
    ("Anti-social behaviour", "anti_social_behaviour", 0.14, (40, 30), {}, {}),
    ("Anti-social behaviour, crime in progress", "anti_social_behaviour", 0.05, (50, 30),
     {"crime_in_progress": T}, {}),
    ("Anti-social behaviour, weapons", "anti_social_behaviour", 0.01, (60, 40),
     {"weapons": T}, {}),
    ("Other non-urgent calls (proxy)", "anti_social_behaviour", 0.29, (30, 20), {},
     {"note": "abandoned and silent-call callbacks, traffic, thefts reported late, suspicious "
              f"behaviour, noise: {NO_TYPE}"}),
    ("Domestic abuse, ongoing", "domestic_abuse_ongoing", 0.08, (90, 60), {"injured": F}, {}),
    ("Domestic abuse, ongoing, injured", "domestic_abuse_ongoing", 0.02, (100, 60),
     {"injured": T}, {}),
    ("Assault in progress", "assault_in_progress", 0.04, (75, 45),
     {"crime_in_progress": T, "injured": F}, {}),
    ("Assault, over", "assault_in_progress", 0.04, (60, 40),
     {"crime_in_progress": F, "injured": F}, {}),
    ("Assault in progress, injured", "assault_in_progress", 0.015, (90, 60),
     {"crime_in_progress": T, "injured": T}, {}),
    ("Burglary in progress", "burglary_in_progress", 0.015, (90, 60),
     {"crime_in_progress": T}, {}),
    ("Burglary just occurred", "burglary_in_progress", 0.02, (75, 45),
     {"crime_in_progress": F}, {}),
    ("Burglary found later, no suspect", "burglary_in_progress", 0.025, (60, 40),
     {"crime_in_progress": F, "suspect_on_scene": F}, {}),
    ("Robbery just occurred", "robbery_just_occurred", 0.02, (75, 45), {}, {}),
    ("Robbery, no suspect, no weapon, no injury", "robbery_just_occurred", 0.02, (60, 40),
     {"suspect_on_scene": F, "weapons": F, "injured": F}, {}),
    ("Robbery, injured", "robbery_just_occurred", 0.005, (90, 60), {"injured": T}, {}),
    ("Knife seen", "weapon_seen_knife", 0.02, (60, 40), {"injured": F}, {}),
    ("Knife seen, injured", "weapon_seen_knife", 0.004, (120, 90), {"injured": T}, {}),
    ("Firearm seen", "weapon_seen_firearm", 0.003, (90, 60), {"injured": F}, {}),
    ("Missing vulnerable person", "missing_vulnerable_person", 0.03, (120, 90), {}, {}),
    ("Missing vulnerable person, risk to life", "missing_vulnerable_person", 0.01, (180, 120),
     {"risk_to_life": T}, {}),
    ("Suspicious package, no risk to life yet", "suspicious_package", 0.003, (90, 60),
     {"risk_to_life": F}, {}),
]

AMBULANCE_MIX: list[Line] = [
    # Category 1: 10%.
    ("Cardiac arrest", "cardiac_arrest", 0.015, (50, 20),
     {"conscious": F, "breathing": F}, {"conveyance_share": 0.4}),
    ("Breathing difficulty, not conscious", "breathing_difficulty", 0.035, (40, 15),
     {"conscious": F}, {"conveyance_share": 0.85}),
    ("Collapsed, not breathing normally", "unconscious_person", 0.025, (40, 15),
     {"breathing": F}, {"conveyance_share": 0.8}),
    ("Chest pain, not conscious", "chest_pain", 0.015, (40, 15),
     {"conscious": F}, {"conveyance_share": 0.85}),
    ("Fall, not breathing normally", "fall_with_injury", 0.01, (40, 15),
     {"breathing": F}, {"conveyance_share": 0.7}),
    # Category 2: 51%.
    ("Breathing difficulty", "breathing_difficulty", 0.14, (35, 15),
     {"conscious": T, "breathing": T}, {"conveyance_share": 0.62}),
    ("Chest pain", "chest_pain", 0.13, (35, 15), {"conscious": T}, {"conveyance_share": 0.62}),
    ("Suspected stroke", "stroke", 0.05, (30, 12), {"breathing": T}, {"conveyance_share": 0.62}),
    ("Collapse and other category 2 conditions (proxy)", "unconscious_person", 0.19, (35, 15),
     {"breathing": T}, {"conveyance_share": 0.62,
                        "note": f"seizures, sepsis, overdoses, diabetic emergencies: {NO_TYPE}"}),
    # Categories 3 and 4: 39% (the 32/7 split is an assumption).
    ("Fall and other category 3 conditions (proxy)", "fall_with_injury", 0.32, (45, 20), {},
     {"telephone_share": 0.45, "conveyance_share": 0.55,
      "note": f"'sick person', abdominal and back pain and other urgent calls: {NO_TYPE}"}),
    ("Fallen, uninjured, and other category 4 conditions (proxy)", "fall_with_injury", 0.07,
     (40, 20), {"injured": F}, {"telephone_share": 0.75, "conveyance_share": 0.3}),
]
# fmt: on
HANDOVER_MIN = (25.0, 20.0)  # ASSUMPTION; the national standard is 15 min (Nuffield Trust)

# --- The fire mix: the LFB sample mapped onto the joint taxonomy --------------------------------
PERSONS_REPORTED_SHARE = 0.2  # ASSUMPTION: share of dwelling fires with persons reported
RTC_TRAPPED_SHARE = 0.3  # ASSUMPTION: share of LFB road collisions with persons trapped
RTC_INJURED_SHARE = 0.5  # ASSUMPTION: of the rest, share with someone injured
FIRE_ON_SCENE: dict[str, tuple[float, float]] = {  # ASSUMPTIONS, minutes (mean, sd)
    "automatic_fire_alarm": (15, 10),
    "false_alarm": (15, 10),
    "house_fire": (60, 40),
    "commercial_fire": (90, 60),
    "outdoor_fire": (30, 20),
    "rtc": (45, 25),
    "flooding": (60, 40),
    "lift_rescue": (30, 20),
    "urgent_special": (30, 20),
    "other_special": (25, 15),
    "hazardous_materials": (90, 60),
    "gas_leak": (45, 30),
    "water_rescue": (90, 60),
}
URGENT_SPECIAL = {
    "Effecting entry/exit",
    "Assist other agencies",
    "Medical Incident",
    "Suicide/attempts",
    "Other rescue/release of persons",
    "Removal of objects from people",
}
BUILDING = {"Dwelling": "house", "Other Residential": "house", "Non Residential": "commercial"}


def main(shared: Path) -> None:
    lsoas = read_lsoas(shared / "london")
    incidents = read_lfb(shared / "lfb" / "lfb_incidents_2023_sample.csv")
    fire = fire_stream(incidents)
    streams = [police_stream(), ambulance_stream(), fire]
    for stream in streams:  # no published police or ambulance profile: the LFB shape
        stream["hourly"], stream["weekday"] = fire["hourly"], fire["weekday"]
    subtract_joint_attendances(streams)
    model = {
        "about": (
            "London's emergency demand for the SaferCity simulation, built by "
            "bench/build_demand.py. Numbers labelled ASSUMPTION in 'sources' are ours; the rest "
            "cite their source. Profiles: hourly 00:00 first, weekday Monday first, in the "
            "model's timezone; the loader normalises every weight."
        ),
        "city": "London",
        "timezone": "Europe/London",
        "areas": LSOA_FILE,
        "jitter_m": JITTER_M,
        "streams": streams,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    write_lsoas(OUT / LSOA_FILE, lsoas)
    (OUT / MODEL_FILE).write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    summarise(lsoas, incidents, streams)


# --- LSOAs -----------------------------------------------------------------------------------


def read_lsoas(london: Path) -> list[dict[str, Any]]:
    """Each LSOA 2011's point inside its polygon (WGS84), area, population and violence."""
    to_wgs84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    reader = shapefile.Reader(str(london / "census_geographies" / "london-2011-lsoa-gen20.shp"))
    rows: dict[str, dict[str, Any]] = {}
    for record, geometry in zip(reader.iterRecords(), reader.iterShapes(), strict=True):
        polygon = shape(geometry.__geo_interface__)
        inside = polygon.representative_point()
        lon, lat = to_wgs84.transform(inside.x, inside.y)
        rows[record["LSOA11CD"]] = {
            "code": record["LSOA11CD"],
            "name": record["LSOA11NM"],
            "borough": record["LAD11NM"],
            "lat": round(lat, 6),
            "lon": round(lon, 6),
            "area_km2": round(polygon.area / 1e6, 4),
        }
    with (london / "london_lsoa_mid2020_population.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rows[row["LSOA11CD"]]["population"] = int(row["Persons_All-Ages"])
            rows[row["LSOA11CD"]]["population_65_plus"] = int(row["Persons_65+"])
    with (london / "london_lsoa_crime_violence_2011_2021.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            counts = [float(row[year] or 0) for year in VIOLENCE_YEARS]
            rows[row["LSOA11CD"]]["violence"] = round(sum(counts) / len(counts), 2)
    missing = [code for code, row in rows.items() if "population" not in row]
    if missing:
        raise SystemExit(f"no population for {len(missing)} LSOAs, e.g. {missing[:3]}")
    for row in rows.values():
        row.setdefault("violence", 0.0)  # absent from the MPS file: no violence recorded
    check_inside_london(rows.values())
    return sorted(rows.values(), key=lambda r: r["code"])


def check_inside_london(rows: Any) -> None:
    boroughs = city_boroughs()
    for row in rows:
        found = boroughs.borough_near(row["lat"], row["lon"], RIVER_TOLERANCE_M)
        if found is None:
            raise SystemExit(f"{row['code']}'s point is outside London")
        if found.name != row["borough"]:
            print(f"note: {row['code']} ({row['borough']}) lies in {found.name} on the map")


def write_lsoas(path: Path, rows: list[dict[str, Any]]) -> None:
    columns = ["code", "name", "borough", "lat", "lon", "area_km2", "population",
               "population_65_plus", "violence"]  # fmt: skip
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


# --- The three streams -------------------------------------------------------------------------


def entry(*line: Any) -> dict[str, Any]:
    """One type_mix line of the JSON from a Line."""
    label, code, weight, (mean, sd), answers, extra = line
    item: dict[str, Any] = {"label": label, "code": code, "weight": round(weight, 6)}
    item["answers"] = answers
    item["on_scene_min"] = {"mean": mean, "sd": sd}
    item.update(extra)
    return item


def police_stream() -> dict[str, Any]:
    return {
        "name": "police",
        "annual_incidents": MET_999_CALLS,
        "hourly": None,  # the LFB shape, filled in by main()
        "weekday": None,
        "space": {"columns": {"population": 0.5, "violence": 0.5}},
        "mental_health_share": MENTAL_HEALTH_SHARE,
        "multi_call_share": 0.0,
        "type_mix": [entry(*e) for e in POLICE_MIX],
        "sources": {
            "annual_incidents": MET_999_SOURCE,
            "hourly": "ASSUMPTION: the LFB 2023 shape (no published Met profile found)",
            "weekday": "ASSUMPTION: the LFB 2023 shape",
            "space": "ASSUMPTION: half by population, half by violence (MPS, mean 2017-2019)",
            "mental_health_share": MENTAL_HEALTH_SOURCE,
            "type_mix": (
                "ASSUMPTION, tuned so that about 27% of calls are graded I (Met 2014: 482,255 "
                "I-graded of 1,767,414 999 calls, Met figures in the Evening Standard) and, within "
                f"mental-health calls, {RCRP_POLICE_ATTEND:.0%} still need police ({RCRP_SOURCE})"
            ),
            "on_scene_min": (
                "ASSUMPTION, except mental-health calls that police attend: 170 min, from the "
                "Met's 5.7 officer-hours per health deployment shared by 2 officers"
            ),
            "multi_call_share": "ASSUMPTION: not modelled for police (no source)",
        },
    }


def ambulance_stream() -> dict[str, Any]:
    return {
        "name": "ambulance",
        "annual_incidents": LAS_INCIDENTS,
        "hourly": None,
        "weekday": None,
        "space": {"columns": {"population": 0.6, "population_65_plus": 0.4}},
        "multi_call_share": 0.0,
        "handover_min": {"mean": HANDOVER_MIN[0], "sd": HANDOVER_MIN[1]},
        "type_mix": [entry(*e) for e in AMBULANCE_MIX],
        "sources": {
            "annual_incidents": LAS_SOURCE,
            "hourly": "ASSUMPTION: the LFB 2023 shape (no published LAS profile found)",
            "weekday": "ASSUMPTION: the LFB 2023 shape",
            "space": (
                "ASSUMPTION: 60% by population, 40% by population aged 65+ (older people call "
                "most: rates highest at 75+, Peacock et al., Emerg Med J 2005;22:56)"
            ),
            "type_mix": f"Category split: {AMBULANCE_CATEGORY_SOURCE}. Types within it: ASSUMPTION",
            "telephone_share": f"{HEAR_AND_TREAT_SOURCE}; its split by type is an ASSUMPTION",
            "conveyance_share": (
                "ASSUMPTION by type, tuned so that just under half of all incidents are "
                "conveyed (LAS 2022/23 annual report; England 50.8%)"
            ),
            "on_scene_min": "ASSUMPTION",
            "handover_min": "ASSUMPTION; the national standard is 15 min (Nuffield Trust)",
            "multi_call_share": "ASSUMPTION: not modelled for ambulance (no source)",
        },
    }


def read_lfb(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if int(r["CalYear"]) == LFB_YEAR]
    if not rows:
        raise SystemExit(f"no {LFB_YEAR} incidents in {path}")
    return rows


def fire_stream(rows: list[dict[str, str]]) -> dict[str, Any]:
    hourly = Counter(int(r["HourOfCall"]) for r in rows)
    weekdays = Counter(date.fromisoformat(r["DateOfCall"]).weekday() for r in rows)
    days_in_year = Counter((date(LFB_YEAR, 1, 1) + timedelta(days=d)).weekday() for d in range(365))
    groups = Counter(r["IncidentGroup"] for r in rows)
    boroughs = Counter(borough_name(r["ProperCase"]) for r in rows)
    calls = Counter(int(float(r["NumCalls"] or 1)) for r in rows)
    multi = sum(n for k, n in calls.items() if k > 1)
    n = len(rows)
    profile_hourly = [round(hourly[h] / n, 5) for h in range(24)]
    per_day = [weekdays[d] / days_in_year[d] for d in range(7)]
    mean_day = sum(per_day) / 7
    return {
        "name": "fire",
        "annual_incidents": LFB_INCIDENTS,
        "hourly": profile_hourly,
        "weekday": [round(x / mean_day, 5) for x in per_day],
        "space": {
            "columns": {"population": 1.0},
            "borough_shares": {b: round(k / n, 5) for b, k in sorted(boroughs.items())},
        },
        "multi_call_share": round(multi / n, 4),
        "multi_call_counts": {str(k): v for k, v in sorted(calls.items()) if k > 1},
        "type_mix": fire_mix(rows),
        "sources": {
            "annual_incidents": LFB_SOURCE,
            "incident_groups": {g: round(k / n, 4) for g, k in sorted(groups.items())},
            "hourly": f"LFB incident records {LFB_YEAR} (sample of {n}), share by HourOfCall",
            "weekday": f"LFB incident records {LFB_YEAR}, per weekday per day of that weekday",
            "space": (
                f"Borough shares: LFB incident records {LFB_YEAR}; within a borough by "
                "population (ONS mid-2020)"
            ),
            "multi_call_share": f"LFB incident records {LFB_YEAR}: share with NumCalls > 1",
            "multi_call_counts": "LFB: how many incidents had 2, 3, ... calls",
            "type_mix": (
                "LFB incident records 2023 by IncidentGroup, StopCodeDescription, "
                "SpecialServiceType and PropertyCategory, mapped onto the joint taxonomy "
                f"(bench/build_demand.py). ASSUMPTIONS: {PERSONS_REPORTED_SHARE:.0%} of "
                f"dwelling fires have persons reported; {RTC_TRAPPED_SHARE:.0%} of road "
                f"collisions have persons trapped and {RTC_INJURED_SHARE:.0%} of the rest an "
                "injury; special services with no taxonomy type use lift_rescue as a one-pump "
                "proxy (emergency when someone may be hurt)"
            ),
            "on_scene_min": (
                "ASSUMPTION. Consistent with the LFB data, where 93-99% of single-pump incidents "
                "recorded 60 minutes of pump time, the lowest value PumpMinutesRounded takes"
            ),
        },
    }


def borough_name(proper_case: str) -> str:
    names = {b.name.lower(): b.name for b in city_boroughs().boroughs}
    return names[proper_case.strip().lower()]


FireKey = tuple[str, str, str, tuple[tuple[str, bool], ...]]


def fire_mix(rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    weights: dict[FireKey, float] = defaultdict(float)
    for row in rows:
        for key, share in fire_types(row):
            weights[key] += share
    total = sum(weights.values())
    mix = []
    for (label, code, timing, answers), weight in sorted(weights.items(), key=lambda kv: -kv[1]):
        mix.append(entry(label, code, weight / total, FIRE_ON_SCENE[timing], dict(answers), {}))
    return mix


def fire_types(row: dict[str, str]) -> list[tuple[FireKey, float]]:
    """The taxonomy type(s) one LFB incident stands for, each with its share of the incident."""
    group, stop = row["IncidentGroup"], row["StopCodeDescription"]
    special, place = row["SpecialServiceType"], BUILDING.get(row["PropertyCategory"], "outdoor")
    if stop == "AFA":
        return [(("Automatic fire alarm", "automatic_fire_alarm", "automatic_fire_alarm", ()), 1)]
    if group == "False Alarm":
        code = _FIRE_CODE[place]
        label = f"False alarm, good intent or malicious ({_PLACE_LABEL[place]})"
        return [((label, code, "false_alarm", ()), 1)]
    if group == "Fire":
        if place == "house":
            reported = (("persons_reported", True),)
            return [
                (("Dwelling fire, persons reported", "house_fire_persons_reported", "house_fire",
                  reported), PERSONS_REPORTED_SHARE),
                (("Dwelling fire", "house_fire_no_persons_reported", "house_fire", ()),
                 1 - PERSONS_REPORTED_SHARE),
            ]  # fmt: skip
        label = (
            "Non-residential building fire" if place == "commercial" else "Outdoor or vehicle fire"
        )
        return [((label, _FIRE_CODE[place], f"{place}_fire", ()), 1)]
    return special_service(special)


_PLACE_LABEL = {"house": "dwelling", "commercial": "non-residential", "outdoor": "outdoor"}
_FIRE_CODE = {
    "house": "house_fire_no_persons_reported",
    "commercial": "commercial_building_fire",
    "outdoor": "rubbish_or_grass_fire",
}
_SPECIAL = {
    "Flooding": ("Flooding", "flooding", "flooding", ()),
    "Lift Release": ("Person shut in a lift", "lift_rescue", "lift_rescue", ()),
    "Rescue or evacuation from water": ("Water rescue", "water_rescue", "water_rescue", ()),
    "Hazardous Materials incident": (
        "Hazardous materials",
        "hazardous_materials",
        "hazardous_materials",
        (),
    ),
    "Spills and Leaks (not RTC)": ("Spill or leak (as gas leak)", "gas_leak", "gas_leak", ()),
}


def special_service(special: str) -> list[tuple[FireKey, float]]:
    if special == "RTC":
        untrapped = 1 - RTC_TRAPPED_SHARE
        return [
            (("Road collision, persons trapped", "rtc_persons_trapped", "rtc", ()),
             RTC_TRAPPED_SHARE),
            (("Road collision, injured", "rtc_no_persons_trapped", "rtc", (("injured", True),)),
             untrapped * RTC_INJURED_SHARE),
            (("Road collision, no injury", "rtc_no_persons_trapped", "rtc",
              (("injured", False),)), untrapped * (1 - RTC_INJURED_SHARE)),
        ]  # fmt: skip
    if special in _SPECIAL:
        return [(_SPECIAL[special], 1)]
    if special in URGENT_SPECIAL:
        label = "Effecting entry, assisting others, medical, rescue (proxy)"
        return [((label, "lift_rescue", "urgent_special", (("risk_to_life", True),)), 1)]
    label = "Other special services: advice, animals, making safe, no action (proxy)"
    return [((label, "lift_rescue", "other_special", ()), 1)]


# --- Joint attendances and the summary ----------------------------------------------------------


def attending(code: str, answers: dict[str, bool]) -> set[str]:
    """The services that deploy to a call of `code` with `answers`."""
    grading = grade(load_taxonomy().get(code), KeyAnswers(**answers))
    return {s.value for s, g in grading.grades.items() if deploys(g.priority)}


def probabilities(stream: dict[str, Any]) -> list[float]:
    """Each entry's share of the stream, as the loader reads it (mental-health group apart)."""
    mix = stream["type_mix"]
    share = float(stream.get("mental_health_share", 0.0))
    mh = sum(e["weight"] for e in mix if e.get("mental_health"))
    rest = sum(e["weight"] for e in mix if not e.get("mental_health"))
    return [
        e["weight"] * (share / mh if e.get("mental_health") else (1 - share) / rest) for e in mix
    ]


def subtract_joint_attendances(streams: list[dict[str, Any]]) -> None:
    brought: dict[str, float] = defaultdict(float)
    for stream in streams:
        for e, p in zip(stream["type_mix"], probabilities(stream), strict=True):
            face_to_face = 1 - e.get("telephone_share", 0.0)
            for service in attending(e["code"], e["answers"]) - {stream["name"]}:
                brought[service] += stream["annual_incidents"] * p * face_to_face
    for stream in streams:
        extra = round(brought.get(stream["name"], 0.0))
        if not extra:
            continue
        published = stream["annual_incidents"]
        stream["annual_incidents"] = published - extra
        stream["sources"]["annual_incidents"] += (
            f"; less {extra:,} incidents the other streams already bring {stream['name']} to "
            f"(joint types), so {published:,} attendances in all"
        )


def summarise(lsoas: list[dict[str, Any]], rows: list[dict[str, str]], streams: list[Any]) -> None:
    population = sum(r["population"] for r in lsoas)
    print(f"{len(lsoas)} LSOAs, population {population:,}, "
          f"65+ {sum(r['population_65_plus'] for r in lsoas):,}, violence (2017-19 mean) "
          f"{sum(r['violence'] for r in lsoas):,.0f} a year")  # fmt: skip
    print(f"LFB {LFB_YEAR}: {len(rows)} incidents in the sample")
    for stream in streams:
        grades: dict[str, float] = defaultdict(float)
        taxonomy = load_taxonomy()
        service = Service(stream["name"])
        conveyed = telephone = 0.0
        for e, p in zip(stream["type_mix"], probabilities(stream), strict=True):
            g = grade(taxonomy.get(e["code"]), KeyAnswers(**e["answers"])).grades[service]
            grades[g.priority.value] += p
            telephone += p * e.get("telephone_share", 0.0)
            conveyed += p * (1 - e.get("telephone_share", 0.0)) * e.get("conveyance_share", 0.0)
        split = ", ".join(f"{k} {v:.1%}" for k, v in sorted(grades.items()))
        print(f"{stream['name']}: {stream['annual_incidents']:,} a year; {split}")
        if stream["name"] == "ambulance":
            print(f"  hear and treat {telephone:.1%}, conveyed {conveyed:.1%} of incidents")
        if stream.get("multi_call_share"):
            print(f"  {stream['multi_call_share']:.1%} of incidents had more than one call")
    groups = Counter(r["IncidentGroup"] for r in rows)
    print("LFB groups: " + ", ".join(f"{g} {k / len(rows):.1%}" for g, k in groups.items()))
    print(f"wrote {OUT / LSOA_FILE} and {OUT / MODEL_FILE}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/data"))
