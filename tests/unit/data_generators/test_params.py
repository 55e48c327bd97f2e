import pytest

from data_generators import ParameterError, make_params
from data_generators.params import parse_topic_overrides


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"rate": -5}, "rate must be greater than 0 (got -5)"),
        ({"trouble": {"duplicate_share": 1.5}},
         "trouble.duplicate_share must be between 0 and 1 (got 1.5)"),
        ({"trouble": {"malformed_share": -0.1}},
         "trouble.malformed_share must be between 0 and 1 (got -0.1)"),
        ({"topics": {"reviews": "shop.reviews"}},
         "unknown topic 'reviews'; known streams: clickstream, orders"),
        ({"topics": {"orders": "shop orders"}}, "may only contain ASCII letters"),
        ({"topics": {"orders": "shop.payments"}}, "topic names must be distinct"),
        ({"topics": {"orders": "shöp.orders"}}, "may only contain ASCII letters"),
        ({"customers": 0}, "customers must be greater than or equal to 1 (got 0)"),
        ({"colour": "red"}, "unknown parameter 'colour'"),
        ({"trouble": {"late_min_minutes": 120, "late_max_hours": 1}},
         "late_min_minutes must be below late_max_hours"),
        ({"trouble": {"late_share": 0.7, "out_of_order_share": 0.5}},
         "late_share + out_of_order_share must not exceed 1"),
        ({"duration_s": 10}, "duration_s only applies to mode='live'"),
    ],
)  # fmt: skip
def test_bad_parameters_fail_with_a_clear_message(values: dict, message: str) -> None:
    with pytest.raises(ParameterError) as error:
        make_params(**values)
    assert message in str(error.value)
    assert str(error.value).startswith("invalid generator parameters: ")


def test_defaults_have_no_trouble_and_documented_topics() -> None:
    params = make_params()
    assert params.trouble.model_dump() == {
        "duplicate_share": 0.0, "late_share": 0.0, "late_min_minutes": 5.0,
        "late_max_hours": 72.0, "out_of_order_share": 0.0, "malformed_share": 0.0,
        "schema_drift_from_day": None,
    }  # fmt: skip
    assert params.topics.streams()["clickstream"] == "shop.clickstream"
    assert make_params(topics={"orders": "x.orders"}).topics.orders == "x.orders"


def test_topic_overrides_from_the_command_line() -> None:
    assert parse_topic_overrides(["orders=t.orders"]) == {"orders": "t.orders"}
    with pytest.raises(ParameterError, match="unknown topic 'order'"):
        parse_topic_overrides(["order=t.orders"])
    with pytest.raises(ParameterError, match="expects STREAM=TOPIC"):
        parse_topic_overrides(["orders"])


@pytest.mark.parametrize("events_per_day", [1, 3, 40])
def test_tiny_shops_work_including_empty_slices(tmp_path, events_per_day: int) -> None:
    from data_generators import generate_to_files

    params = make_params(customers=1, products=1, days=2, events_per_day=events_per_day,
                         trouble={"duplicate_share": 0.5, "malformed_share": 0.5,
                                  "late_share": 0.5, "schema_drift_from_day": 1})  # fmt: skip
    manifest = generate_to_files(params, tmp_path)
    totals = manifest["totals"]["records"]
    assert totals["customers"]["valid"] >= 1
    lines = sum(len(p.read_text().splitlines()) for p in tmp_path.rglob("*.jsonl"))
    assert lines == sum(t["delivered"] for t in totals.values())
