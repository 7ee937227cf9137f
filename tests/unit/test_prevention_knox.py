"""The Knox test: hand-made pairs whose cells are known, the published Chicago 2016 burglary
table (golden), and the Near Repeat Calculator's own tables reproduced exactly.

The conventions the golden data fix, found by reproducing every published count:

- Toby Davies's NearRepeat (Python, its default) counts a pair in [0, e1] or (e_k, e_k+1], the
  time apart being whole days between the dates. That is this module's convention, and it gives
  the published Chicago 2016 table cell for cell. (Wouter Steenbeek's NearRepeat for R closes its
  bands on the left by default, [e_k, e_k+1), as R's cut(right = FALSE).)
- The Near Repeat Calculator 1.3 counts its band "a to b" as a-1 <= d < b, in space and in days
  (so "0 to 7 days" is 0 to 6 days apart), holds coordinates in single precision (float32), and
  calls a pair "same location" only at a distance of exactly zero (two arsons 0.56 m apart are
  in its "1 to 200 m"). Its verbose tables are reproduced below with shifted edges.
"""

from __future__ import annotations

import csv
import gzip
import math
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safercity.platform.errors import InvalidInput
from safercity.prevention.knox import (
    KnoxResult,
    Metric,
    band_label,
    day_numbers,
    knox_test,
    near_repeat_sentence,
)

DATA = Path(__file__).parent.parent / "data" / "prevention"
SPACE = [0, 0.1, 200, 400, 600]
TIME = [0, 7, 14, 21]


def _read(name: str) -> tuple[np.ndarray, np.ndarray, list[date]]:
    path = DATA / name
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", newline="") as file:  # type: ignore[operator]
        rows = list(csv.DictReader(file))
    x = np.array([float(r["x"]) for r in rows])
    y = np.array([float(r["y"]) for r in rows])
    return x, y, [date.fromisoformat(r["date"]) for r in rows]


@pytest.fixture(scope="module")
def chicago_2016() -> KnoxResult:
    x, y, dates = _read("chicago_burglary_2016.csv.gz")
    return knox_test(x, y, dates, space_edges=SPACE, time_edges=TIME, iterations=99, seed=2016)


# --- hand-made pairs -------------------------------------------------------------------------


def test_each_pair_lands_in_the_cell_of_its_distance_and_days_apart() -> None:
    # A and B: same place, 3 days; A-C 150 m, 10 days; A-D 300 m, same day; B-C 150 m, exactly
    # 7 days (the [0, 7] band is closed); B-D 300 m, 3 days; C-D 335 m, 10 days.
    result = knox_test(
        [0, 0, 150, 0],
        [0, 0, 0, 300],
        [0, 3, 10, 0],
        space_edges=[0, 0.1, 200, 400],
        time_edges=[0, 7, 14],
        iterations=9,
        seed=1,
    )
    assert result.observed.tolist() == [[1, 0], [1, 1], [2, 1]]
    assert result.events == 4


@pytest.mark.parametrize(
    ("apart_m", "apart_days", "cell"),
    [
        (0.0, 0, (0, 0)),
        (0.1, 7, (0, 0)),  # both upper edges are inside their band
        (0.1000001, 8, (1, 1)),
        (200.0, 14, (1, 1)),
        (200.0001, 15, (2, 2)),
        (400.0, 21, (2, 2)),
    ],
)
def test_bands_are_closed_on_the_right_and_the_first_on_both_sides(
    apart_m: float, apart_days: int, cell: tuple[int, int]
) -> None:
    result = knox_test(
        [0.0, apart_m],  # from 0, so that the distance is exactly apart_m
        [0.0, 0.0],
        [100, 100 + apart_days],
        space_edges=[0, 0.1, 200, 400],
        time_edges=TIME,
        iterations=1,
        seed=1,
    )
    expected = np.zeros((3, 3), dtype=int)
    expected[cell] = 1
    assert result.observed.tolist() == expected.tolist()


def test_pairs_beyond_the_last_band_in_space_or_time_are_not_counted() -> None:
    result = knox_test(
        [0, 400.5, 0],
        [0, 0, 10],
        [0, 1, 22],
        space_edges=[0, 0.1, 200, 400],
        time_edges=TIME,
        iterations=1,
        seed=1,
    )
    assert result.observed.sum() == 0


def test_manhattan_distance_moves_a_diagonal_pair_out_of_the_nearest_band() -> None:
    args = ([0, 120], [0, 120], [0, 1])
    bands = {"space_edges": [0, 200, 400], "time_edges": [0, 7], "iterations": 1, "seed": 1}
    euclidean = knox_test(*args, metric="euclidean", **bands)  # type: ignore[arg-type]
    manhattan = knox_test(*args, metric="manhattan", **bands)  # type: ignore[arg-type]
    assert euclidean.observed.tolist() == [[1], [0]]  # 169.7 m
    assert manhattan.observed.tolist() == [[0], [1]]  # 240 m


def test_dates_datetimes_and_day_numbers_give_the_same_table() -> None:
    start = date(2016, 1, 1)
    days = [0, 2, 9, 9, 30]
    x, y = [0, 50, 100, 0, 10], [0, 0, 0, 120, 5]
    kwargs = {"space_edges": [0, 100, 200], "time_edges": TIME, "iterations": 19, "seed": 3}
    by_number = knox_test(x, y, days, **kwargs)  # type: ignore[arg-type]
    by_date = knox_test(x, y, [start + timedelta(d) for d in days], **kwargs)  # type: ignore[arg-type]
    by_datetime64 = knox_test(
        x,
        y,
        np.array([start + timedelta(d) for d in days], dtype="datetime64[D]"),
        **kwargs,  # type: ignore[arg-type]
    )
    assert by_number.observed.tolist() == by_date.observed.tolist()
    assert by_number.simulated.tolist() == by_date.simulated.tolist()
    assert by_number.simulated.tolist() == by_datetime64.simulated.tolist()
    assert day_numbers([date(2016, 3, 1), date(2016, 2, 28)]).tolist() == [2.0, 0.0]


def test_the_same_seed_gives_the_same_permutations_and_another_seed_others() -> None:
    rng = np.random.default_rng(7)
    x, y = rng.uniform(0, 2000, 300), rng.uniform(0, 2000, 300)
    t = rng.integers(0, 365, 300)
    kwargs = {"space_edges": [0, 200, 400], "time_edges": TIME, "iterations": 49}
    first = knox_test(x, y, t, seed=11, **kwargs)  # type: ignore[arg-type]
    again = knox_test(x, y, t, seed=11, **kwargs)  # type: ignore[arg-type]
    other = knox_test(x, y, t, seed=12, **kwargs)  # type: ignore[arg-type]
    assert np.array_equal(first.simulated, again.simulated)
    assert not np.array_equal(first.simulated, other.simulated)
    assert np.array_equal(first.observed, other.observed)  # the observed table is not random


def test_events_all_on_one_day_show_no_pattern() -> None:
    rng = np.random.default_rng(5)
    x, y = rng.uniform(0, 500, 40), rng.uniform(0, 500, 40)
    result = knox_test(x, y, np.zeros(40), space_edges=[0, 200, 400], time_edges=[0, 7], seed=1)
    assert np.array_equal(result.expected, result.observed)
    assert np.all(result.ratio == 1.0)
    assert np.all(result.p_value == 1.0)  # every permutation counts as many


def test_the_p_value_ranks_the_observed_count_among_the_permutations() -> None:
    rng = np.random.default_rng(9)
    background = rng.uniform(0, 5000, (400, 2))
    # each of 60 burglaries is followed by another 50 m away within 3 days: near repeats
    seeds = background[:60]
    x = np.concatenate([background[:, 0], seeds[:, 0] + 50])
    y = np.concatenate([background[:, 1], seeds[:, 1]])
    days = rng.integers(0, 365, 400)
    t = np.concatenate([days, days[:60] + rng.integers(0, 4, 60)])
    result = knox_test(x, y, t, space_edges=[0, 100, 200], time_edges=[0, 7, 14], seed=4)
    at_least = (result.simulated >= result.observed).sum(axis=0)
    assert np.array_equal(result.p_value, (1 + at_least) / (result.iterations + 1))
    near = result.cell(0, 0)
    assert near.p_value == pytest.approx(0.01)  # the smallest 99 iterations can give
    assert near.ratio is not None and near.ratio > 5
    assert near.ratio_to_median is not None and near.median == np.median(result.simulated[:, 0, 0])
    assert near.space_label == "[0, 100]" and near.time_label == "[0, 7]"
    assert result.cell(1, 1).space_label == "(100, 200]"


def test_a_ratio_over_nothing_expected_is_none() -> None:
    result = knox_test(
        [0, 0, 5000], [0, 0, 0], [0, 100, 103], space_edges=[0, 1], time_edges=[0, 7]
    )
    cell = result.cell(0, 0)
    assert cell.observed == 0 and cell.expected > 0  # 100 days apart, 3 when shuffled
    result = knox_test([0, 5000], [0, 0], [0, 100], space_edges=[0, 1], time_edges=[0, 7])
    assert result.cell(0, 0).ratio is None and result.cell(0, 0).ratio_to_median is None
    assert math.isnan(float(result.ratio[0, 0]))


def _brute_force(
    x: list[int], y: list[int], t: list[int], space: list[float], time: list[float]
) -> list[list[int]]:
    def band(value: float, edges: list[float]) -> int | None:
        if value <= edges[1]:
            return 0
        for k in range(1, len(edges) - 1):
            if edges[k] < value <= edges[k + 1]:
                return k
        return None

    table = [[0] * (len(time) - 1) for _ in range(len(space) - 1)]
    for i in range(len(x)):
        for j in range(i + 1, len(x)):
            s = band(math.hypot(x[i] - x[j], y[i] - y[j]), space)
            d = band(abs(t[i] - t[j]), time)
            if s is not None and d is not None:
                table[s][d] += 1
    return table


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 12), st.integers(0, 12), st.integers(0, 30)),
        min_size=2,
        max_size=40,
    )
)
def test_the_observed_table_matches_counting_every_pair_by_hand(
    events: list[tuple[int, int, int]],
) -> None:
    # points on a 50 m lattice put many pairs exactly on the 0, 100, 150 and 250 m edges
    x, y, t = ([e[k] * (50 if k < 2 else 1) for e in events] for k in range(3))
    space, time = [0, 100, 150, 250], [0, 3, 7, 14]
    result = knox_test(x, y, t, space_edges=space, time_edges=time, iterations=1, seed=0)
    assert result.observed.tolist() == _brute_force(x, y, t, space, time)


# --- invalid input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"space_edges": [0]}, "space_edges"),
        ({"space_edges": [0, 200, 200]}, "space_edges"),
        ({"space_edges": [0, 400, 200]}, "space_edges"),
        ({"space_edges": [50, 200]}, "space_edges"),
        ({"space_edges": [0, float("nan")]}, "space_edges"),
        ({"time_edges": [0, -7]}, "time_edges"),
        ({"time_edges": [7, 14]}, "time_edges"),
        ({"time_edges": []}, "time_edges"),
        ({"metric": "chebyshev"}, "metric"),
        ({"iterations": 0}, "iterations"),
        ({"iterations": True}, "iterations"),
        ({"iterations": 9.5}, "iterations"),
        ({"iterations": 100_000}, "iterations"),
    ],
)
def test_invalid_settings_are_refused_naming_the_field(
    change: dict[str, object], field: str
) -> None:
    kwargs: dict[str, object] = {"space_edges": [0, 200], "time_edges": [0, 7], "iterations": 9}
    kwargs.update(change)
    with pytest.raises(InvalidInput) as error:
        knox_test([0, 1], [0, 1], [0, 1], **kwargs)  # type: ignore[arg-type]
    assert [e.field for e in error.value.field_errors] == [field]
    assert field in str(error.value)


@pytest.mark.parametrize(
    ("x", "y", "t", "field"),
    [
        ([0, 1], [0, 1], [0], "events"),
        ([0], [0], [0], "events"),
        ([0, float("inf")], [0, 1], [0, 1], "x"),
        ([0, 1], ["a", "b"], [0, 1], "y"),
        ([0, 1], [0, 1], np.array(["2016-01-01", "NaT"], dtype="datetime64[D]"), "t"),
    ],
)
def test_invalid_events_are_refused_naming_the_field(
    x: object, y: object, t: object, field: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        knox_test(x, y, t, space_edges=[0, 200], time_edges=[0, 7])  # type: ignore[arg-type]
    assert error.value.field_errors[0].field == field


# --- golden: Chicago 2016 residential burglary ------------------------------------------------


def test_chicago_2016_burglary_reproduces_the_published_observed_table(
    chicago_2016: KnoxResult,
) -> None:
    # Davies, NearRepeat, notebooks/Usage of Knox test.ipynb (Euclidean, 11,701 events)
    assert chicago_2016.events == 11_701
    assert chicago_2016.observed.tolist() == [
        [342, 97, 62],
        [1892, 1514, 1362],
        [4145, 3643, 3592],
        [5805, 5143, 4919],
    ]
    assert [c.space_label for c in chicago_2016.cells()[::3]] == [
        "[0, 0.1]",
        "(0.1, 200]",
        "(200, 400]",
        "(400, 600]",
    ]


@pytest.mark.parametrize(("cell", "published"), [((0, 0), 6.45), ((1, 0), 1.42)])
def test_chicago_2016_median_knox_ratios_agree_with_the_published_within_monte_carlo_noise(
    chicago_2016: KnoxResult, cell: tuple[int, int], published: float
) -> None:
    # Both figures are medians of 99 permuted counts, each with a standard error of about
    # 1.2533 * sd / sqrt(99) (the sd is read from our own permutations); their difference has
    # sqrt(2) times that. Four standard errors, plus 0.005 for the published rounding, leaves a
    # correct implementation failing about once in 15,000 seeds, while an off-by-one day or a
    # wrong band edge moves these ratios by far more (the NRC convention gives 15.6 and 2.7).
    median = chicago_2016.median[cell]
    sd = chicago_2016.simulated[(slice(None), *cell)].std()
    standard_error = chicago_2016.ratio_to_median[cell] * 1.2533 * sd / math.sqrt(99) / median
    tolerance = 4 * math.sqrt(2) * standard_error + 0.005
    assert chicago_2016.ratio_to_median[cell] == pytest.approx(published, abs=tolerance)
    assert tolerance < 0.1 * published
    assert chicago_2016.p_value[cell] == pytest.approx(0.01)


def test_chicago_2016_reads_as_a_plain_sentence(chicago_2016: KnoxResult) -> None:
    assert near_repeat_sentence(chicago_2016) == (
        "Homes within 200 m of a burglary run 1.4 times the usual risk for the next 7 days."
    )


# --- the Near Repeat Calculator's verbose output, reproduced ----------------------------------


def _as_nrc(
    name: str,
    bandwidth_m: float,
    space_bands: int,
    days: int,
    day_bands: int,
    metric: Metric = "euclidean",
    beyond_m: float | None = None,
) -> KnoxResult:
    """Our test with the edges that give the Near Repeat Calculator's counts: coordinates in
    single precision; "same location" is [0, the smallest positive float]; its "a to b" metres,
    [a-1, b), is (just below a-1, just below b]; its k-th band of w days, (k-1)w <= days < kw,
    is ((k-1)w - 0.5, kw - 0.5] in whole days; its "More than" bands end far away."""
    x, y, dates = _read(name)
    x = x.astype(np.float32).astype(np.float64)
    y = y.astype(np.float32).astype(np.float64)
    below = [float(np.nextafter(k * bandwidth_m, 0)) for k in range(1, space_bands + 1)]
    space = [0.0, float(np.nextafter(0, 1)), *below, *([beyond_m] if beyond_m else [])]
    time = [0.0, *[k * days - 0.5 for k in range(1, day_bands + 1)], 100_000.0]
    return knox_test(
        x, y, dates, space_edges=space, time_edges=time, metric=metric, iterations=1, seed=0
    )


def test_the_near_repeat_calculators_chicago_2016_table_is_reproduced_with_its_shifted_bands() -> (
    None
):
    # tobydavies_NearRepeat/chicago_burglary_2016_NRverbose.csv: Euclidean, 100 m x 3, 2 days x 2
    result = _as_nrc("chicago_burglary_2016.csv.gz", 100, 3, 2, 2)
    assert result.observed.tolist() == [
        [202, 51, 1025],
        [189, 143, 7762],
        [290, 343, 23366],
        [456, 526, 41305],
    ]


def test_steenbeeks_chicago_burglary_table_is_reproduced_with_manhattan_distance() -> None:
    # wsteenbeek_NearRepeat/chicago_be_month1_NRverbose_2019-09-23_143005.csv: Manhattan,
    # 100 m x 3, 7 days x 3, 20 iterations; the last row is every pair beyond 300 m
    result = _as_nrc("chicago_be_month1.csv", 100, 3, 7, 3, metric="manhattan", beyond_m=1e7)
    assert result.events == 970
    assert result.observed.tolist() == [
        [28, 5, 5, 2],
        [44, 13, 8, 4],
        [97, 56, 19, 16],
        [77, 67, 45, 20],
        [182194, 146149, 95237, 45879],
    ]


def test_the_calculator_calls_only_a_distance_of_zero_the_same_location() -> None:
    # wsteenbeek_NearRepeat/chicago_arson_NRverbose_2019-09-23_145637.csv: Manhattan, 200 m x 3,
    # 1 day x 3. Two arsons on one day 0.56 m apart are in its "1 to 200"; two 399.96 m apart
    # (400.0 in single precision) in its "401 to 600".
    result = _as_nrc("chicago_arson.csv", 200, 3, 1, 3, metric="manhattan", beyond_m=1e7)
    assert result.observed.tolist() == [
        [0, 2, 0, 8],
        [9, 1, 1, 45],
        [4, 0, 0, 140],
        [6, 0, 0, 234],
        [393, 710, 770, 133658],
    ]


# --- the sentence ----------------------------------------------------------------------------


def _table(observed: list[list[int]], expected: list[list[int]], space, time) -> KnoxResult:  # type: ignore[no-untyped-def]
    """A result whose 99 permutations all count ``expected``: p = 0.01 where observed is more."""
    simulated = np.repeat(np.array([expected], dtype=np.int64), 99, axis=0)
    return KnoxResult(
        space_edges=tuple(space),
        time_edges=tuple(time),
        metric="euclidean",
        iterations=99,
        seed=None,
        events=100,
        observed=np.array(observed, dtype=np.int64),
        simulated=simulated,
    )


def test_the_sentence_picks_the_strongest_significant_cell_beside_the_origin() -> None:
    space, time = [0, 0.1, 200, 400], [0, 7, 14]
    # the same-place band (ratio 9) is a repeat, not a near repeat; (200, 400] x (7, 14] is not
    # beside the origin
    result = _table([[90, 10], [10, 30], [25, 80]], [[10, 10], [10, 10], [10, 10]], space, time)
    assert near_repeat_sentence(result, places="Shops", crime="robbery") == (
        "Shops within 200 m of a robbery run 3.0 times the usual risk"
        " between 7 and 14 days after it."
    )


def test_the_sentence_names_a_ring_further_out_and_a_single_day() -> None:
    result = _table([[10], [31]], [[10], [10]], [0, 200, 400], [0, 1])
    assert near_repeat_sentence(result) == (
        "Homes between 200 and 400 m from a burglary run 3.1 times the usual risk for the next day."
    )


def test_the_sentence_keeps_two_decimals_where_one_would_say_no_change() -> None:
    result = _table([[104]], [[100]], [0, 200], [0, 7])
    assert "run 1.04 times the usual risk" in near_repeat_sentence(result)


def test_the_sentence_says_so_when_nothing_near_is_significant() -> None:
    result = _table([[10, 10], [10, 9]], [[10, 10], [10, 10]], [0, 200, 400], [0, 7, 14])
    assert near_repeat_sentence(result).startswith("No near-repeat pattern was found")
    same_place_only = _table([[50]], [[10]], [0, 0.1], [0, 7])
    assert near_repeat_sentence(same_place_only).startswith("No near-repeat pattern")


def test_band_labels_use_interval_notation() -> None:
    assert band_label([0, 0.1, 200], 0) == "[0, 0.1]"
    assert band_label([0, 0.1, 200], 1) == "(0.1, 200]"
