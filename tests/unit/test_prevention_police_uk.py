"""Reading data.police.uk street-level files: a real month of Metropolitan Police burglaries,
a hand-made file with one row for each fault, and the shapes the files come in (gzipped,
months concatenated under repeated headers, folders of months)."""

from __future__ import annotations

import gzip
import shutil
from datetime import date
from pathlib import Path

import pytest

from safercity.platform.errors import InvalidInput
from safercity.prevention.police_uk import (
    CRIME_TYPES,
    FORCES,
    CrimeEvent,
    ImportReport,
    RejectedRow,
    Rejection,
    crime_files,
    parse_rows,
    read_crimes,
)

DATA = Path(__file__).parent.parent / "data" / "prevention"
MET_MONTH = DATA / "police_uk" / "2016-01" / "2016-01-metropolitan-street.csv"
FAULTS = DATA / "police_uk_faults.csv"


def _read(source: Path, batch_size: int = 10_000) -> tuple[list[CrimeEvent], ImportReport]:
    report = ImportReport()
    events = [e for batch in read_crimes(source, report, batch_size=batch_size) for e in batch]
    return events, report


def test_a_real_month_of_met_burglaries_is_read_and_its_unlocated_rows_counted() -> None:
    events, report = _read(MET_MONTH)
    assert report.rows == 500 and report.accepted == 496
    assert report.rejected == {Rejection.NO_COORDINATES: 4}  # data.police.uk's "No Location"
    assert report.examples[Rejection.NO_COORDINATES][0] == RejectedRow(
        str(MET_MONTH), 498, "location 'No Location'"
    )
    assert events[0] == CrimeEvent(
        crime_id="05ffa37f9df29cb644b76a87f28906069a0e314bf072289f26ca9e456bdf13af",
        month=date(2016, 1, 1),
        force="metropolitan",
        lon=0.141143,
        lat=51.590873,
        location="On or near Furze Farm Close",
        lsoa_code="E01000027",
        crime_type="Burglary",
        outcome="Investigation complete; no suspect identified",
    )
    assert {(e.force, e.crime_type, e.month) for e in events} == {
        ("metropolitan", "Burglary", date(2016, 1, 1))
    }
    assert all(-0.6 < e.lon < 0.4 and 51.2 < e.lat < 51.8 for e in events)  # London


def test_each_faulty_row_is_counted_under_its_reason_with_its_line() -> None:
    events, report = _read(FAULTS)
    assert report.rows == 14 and report.blank_lines == 1
    assert report.rows == report.accepted + report.rejected_total
    assert {reason: [e.line for e in shown] for reason, shown in report.examples.items()} == {
        Rejection.NO_COORDINATES: [4],
        Rejection.BAD_MONTH: [5, 6],
        Rejection.UNKNOWN_FORCE: [7],
        Rejection.BAD_COORDINATES: [8, 9, 10],  # not a number, lat/lon swapped, half a point
        Rejection.UNKNOWN_CRIME_TYPE: [11],
        Rejection.MALFORMED_ROW: [12, 14],  # short, long
    }
    assert report.examples[Rejection.BAD_MONTH][0].detail == "month '2016-13'"
    assert report.examples[Rejection.UNKNOWN_FORCE][0].detail == "force 'Police Scotland'"
    assert report.examples[Rejection.MALFORMED_ROW][0].detail == "5 fields, expected 12"
    assert [(e.crime_id, e.force, e.crime_type) for e in events] == [
        ("a1", "metropolitan", "Burglary"),
        ("", "btp", "Anti-social behaviour"),  # no Crime ID for anti-social behaviour
        ("a13", "metropolitan", "Violent crime"),  # the name used until April 2013
        ("a14", "hampshire", "Shoplifting"),  # Hampshire's name since 2022
    ]
    assert events[2].location == "On or near Oxford Street, Soho"


def test_only_the_first_few_examples_of_a_reason_are_kept_but_all_are_counted() -> None:
    report = ImportReport(max_examples=2)
    lines = [FAULTS.read_text().splitlines()[0]] + [
        f"x{i},2016-01,Metropolitan Police Service,,,,No Location,,,Burglary,," for i in range(5)
    ]
    assert list(parse_rows(lines, source="made", report=report)) == []
    assert report.rejected[Rejection.NO_COORDINATES] == 5
    assert [e.line for e in report.examples[Rejection.NO_COORDINATES]] == [2, 3]


def test_a_gzipped_file_reads_as_the_plain_one(tmp_path: Path) -> None:
    packed = tmp_path / "2016-01-metropolitan-street.csv.gz"
    with MET_MONTH.open("rb") as plain, gzip.open(packed, "wb") as out:
        shutil.copyfileobj(plain, out)
    assert _read(packed)[0] == _read(MET_MONTH)[0]
    misnamed = tmp_path / "met.csv"  # gzip is known by its content, not its name
    misnamed.write_bytes(packed.read_bytes())
    assert len(_read(misnamed)[0]) == 496


def test_months_concatenated_skip_the_repeated_header_and_keep_line_numbers(
    tmp_path: Path,
) -> None:
    first = MET_MONTH.read_text(encoding="utf-8")
    second = FAULTS.read_text(encoding="utf-8")
    joined = tmp_path / "met-2016.csv.gz"
    with gzip.open(joined, "wt", encoding="utf-8", newline="") as out:
        out.write(first + "\ufeff" + second)  # the second month's header even keeps its BOM
    events, report = _read(joined)
    assert report.headers_skipped == 1
    assert report.rows == 500 + 14 and report.accepted == len(events) == 496 + 4
    assert report.examples[Rejection.BAD_MONTH][0].line == 501 + 5


def test_a_folder_is_searched_recursively_for_csv_and_gzipped_csv(tmp_path: Path) -> None:
    (tmp_path / "2016-01").mkdir()
    (tmp_path / "2016-02" / "deeper").mkdir(parents=True)
    shutil.copy(MET_MONTH, tmp_path / "2016-01" / "2016-01-metropolitan-street.csv")
    with gzip.open(tmp_path / "2016-02" / "deeper" / "faults.csv.gz", "wb") as out:
        out.write(FAULTS.read_bytes())
    (tmp_path / "2016-02" / "README.txt").write_text("not data")
    events, report = _read(tmp_path)
    assert [Path(f).name for f in report.files] == [
        "2016-01-metropolitan-street.csv",
        "faults.csv.gz",
    ]
    assert len(events) == 496 + 4 and report.rejected_total == 4 + 10
    assert crime_files([tmp_path / "2016-01", FAULTS])[-1] == FAULTS


def test_events_come_in_batches_as_the_files_are_read(tmp_path: Path) -> None:
    shutil.copy(MET_MONTH, tmp_path / "a.csv")
    shutil.copy(FAULTS, tmp_path / "b.csv")
    report = ImportReport()
    batches = read_crimes(tmp_path, report, batch_size=100)
    assert len(next(batches)) == 100
    assert report.files == [str(tmp_path / "a.csv")] and report.rows < 500  # nothing read ahead
    assert [len(b) for b in batches] == [100, 100, 100, 100]  # 496 + 4 events in all
    assert report.accepted == 500


def test_a_file_that_is_not_a_street_file_is_refused(tmp_path: Path) -> None:
    outcomes = tmp_path / "2016-01-metropolitan-outcomes.csv"
    outcomes.write_text("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Outcome type\n")
    with pytest.raises(InvalidInput) as error:
        _read(outcomes)
    assert error.value.field_errors[0].field == "path"
    assert "not a data.police.uk street file" in str(error.value)


def test_a_missing_path_a_damaged_gzip_and_an_empty_batch_size_are_refused(
    tmp_path: Path,
) -> None:
    for source in (tmp_path / "nowhere", tmp_path / "broken.csv.gz"):
        if source.name.endswith(".gz"):
            source.write_bytes(gzip.compress(MET_MONTH.read_bytes())[:2000])
        with pytest.raises(InvalidInput) as error:
            _read(source)
        assert error.value.field_errors[0].field == "path"
    with pytest.raises(InvalidInput) as error:
        _read(MET_MONTH, batch_size=0)
    assert error.value.field_errors[0].field == "batch_size"


def test_an_empty_file_has_no_rows(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_text("")
    events, report = _read(tmp_path / "empty.csv")
    assert events == [] and report.rows == 0 and len(report.files) == 1


def test_the_force_and_crime_type_lists_are_data_police_uks() -> None:
    assert len(FORCES) == 45  # 43 territorial forces, Northern Ireland, British Transport Police
    assert FORCES["metropolitan"] == "Metropolitan Police Service"
    assert FORCES["btp"] == "British Transport Police"
    assert len(set(FORCES.values())) == 45
    assert len(CRIME_TYPES) == 14


def test_the_summary_lists_each_reason_with_its_examples() -> None:
    _, report = _read(FAULTS)
    lines = report.summary()
    assert lines[0] == "1 files, 14 rows: 4 accepted, 10 rejected; 0 repeated headers skipped"
    assert "3 coordinates not numbers or outside the forces' area" in lines
    assert any(line.endswith("police_uk_faults.csv:7: force 'Police Scotland'") for line in lines)
