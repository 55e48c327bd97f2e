from ecommerce_assets.lib.touched_days import (
    DayRange,
    Touch,
    consecutive_ranges,
    last_touch_by_day,
    pending_days,
    settled,
)


def test_consecutive_days_become_one_range_and_gaps_split_them() -> None:
    days = ["2025-09-03", "2025-09-01", "2025-09-02", "2025-09-05", "2025-09-02", "2025-10-01"]
    assert consecutive_ranges(days) == [
        DayRange("2025-09-01", "2025-09-03"),
        DayRange("2025-09-05", "2025-09-05"),
        DayRange("2025-10-01", "2025-10-01"),
    ]
    assert str(DayRange("2025-09-01", "2025-09-03")) == "2025-09-01..2025-09-03"
    assert str(DayRange("2025-09-05", "2025-09-05")) == "2025-09-05"


def test_ranges_cross_month_and_year_ends() -> None:
    assert consecutive_ranges(["2024-12-31", "2025-01-01", "2024-02-29", "2024-03-01"]) == [
        DayRange("2024-02-29", "2024-03-01"),
        DayRange("2024-12-31", "2025-01-01"),
    ]


def test_touches_wait_from_the_first_unfinished_run_on() -> None:
    touches = [Touch(30, "c", ("d",)), Touch(10, "a", ("d",)), Touch(20, "b", ("d",))]
    assert [t.storage_id for t in settled(touches, {"a": True, "b": False, "c": True})] == [10]
    assert [t.storage_id for t in settled(touches, {"a": True, "b": True, "c": True})] == [
        10,
        20,
        30,
    ]
    assert settled(touches, {"a": False, "b": True, "c": True}) == []


def test_last_touch_per_day_ignores_days_outside_the_partitions() -> None:
    touches = [
        Touch(5, "r", ("2025-09-01", "2025-09-02")),
        Touch(9, "r", ("2025-09-02", "1999-01-01")),
    ]
    valid = {"2025-09-01", "2025-09-02"}
    assert last_touch_by_day(touches, valid) == {"2025-09-01": 5, "2025-09-02": 9}


def test_a_day_is_pending_until_every_table_rebuilt_it_after_the_touch() -> None:
    touched = {"2025-09-01": 10, "2025-09-02": 10, "2025-09-03": 50}
    silver = {"2025-09-01": 20, "2025-09-02": 20, "2025-09-03": 20}
    gold = {"2025-09-01": 30, "2025-09-03": 40}
    # 09-01 rebuilt by both after the touch; 09-02 never in gold; 09-03 touched again.
    assert pending_days(touched, [silver, gold]) == ["2025-09-02", "2025-09-03"]
    assert pending_days(touched, []) == []
