import datetime as dt

import numpy as np
import orjson
import pyarrow as pa

from data_generators.envelope import (
    Literal,
    encode_rows,
    iso_strings,
    json_objects,
    money,
    uuid_strings,
)


def test_iso_strings_match_the_standard_library() -> None:
    rng = np.random.default_rng(0)
    ms = np.concatenate([[0, 951_782_399_999, 4_102_444_799_999], rng.integers(0, 4e12, 1000)])
    ours = iso_strings(ms, quoted=False).to_pylist()
    expected = [
        dt.datetime.fromtimestamp(m / 1000, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{m % 1000:03d}Z"
        for m in ms.tolist()
    ]
    assert ours == expected
    assert iso_strings(ms[:1], quoted=True).to_pylist() == ['"1970-01-01T00:00:00.000Z"']


def test_uuids_are_version_4_unique_and_reproducible() -> None:
    a = uuid_strings(np.random.default_rng(5), 5000, quoted=False).to_pylist()
    b = uuid_strings(np.random.default_rng(5), 5000, quoted=False).to_pylist()
    assert a == b
    assert len(set(a)) == 5000
    assert all(len(u) == 36 and u[14] == "4" and u[19] in "89ab" for u in a)


def test_column_json_equals_orjson_and_escapes_text() -> None:
    names = Literal(['say "hi"', "Gößnitz\n"])
    objects = json_objects(
        [("name", names.take(np.array([0, 1, 0]), np.array([False, False, True]))),
         ("n", pa.array(["1", "2", "3"])), ("const", "true")]
    )  # fmt: skip
    parsed = [orjson.loads(v) for v in objects.to_pylist()]
    assert parsed == [
        {"name": 'say "hi"', "n": 1, "const": True},
        {"name": "Gößnitz\n", "n": 2, "const": True},
        {"name": None, "n": 3, "const": True},
    ]


def test_row_envelopes_have_the_fields_in_order() -> None:
    ids = uuid_strings(np.random.default_rng(1), 1, quoted=False)
    (value,) = encode_rows(ids, ["order_placed"], np.array([86_400_000]), [1], [{"total": 12.3}])
    assert value.startswith(b'{"id":"')
    record = orjson.loads(value)
    assert list(record) == ["id", "type", "event_time", "schema_version", "payload"]
    assert record["event_time"] == "1970-01-02T00:00:00.000Z"
    assert money(1230) == 12.3 and money(5) == 0.05
