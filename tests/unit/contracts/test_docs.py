from streaming.contracts import CONTRACTS
from streaming.contracts.docs import DOC_PATH, REGENERATE, render


def test_committed_events_page_is_generated_from_the_contract() -> None:
    assert DOC_PATH.read_text() == render(), (
        f"{DOC_PATH.name} differs from the contract; regenerate it with `{REGENERATE}`"
    )


def test_page_documents_every_event_type_and_reads_money_as_decimal() -> None:
    text = render()
    for stream in CONTRACTS:
        for event_type in stream.event_types:
            assert f"### {event_type}\n" in text
    assert (
        "CAST(json_extract_scalar(raw_value, '$.payload.total') AS decimal(12,2)) AS total"
    ) in text
    assert "| `items[].unit_price` | `decimal(12,2)` | no | 1 |" in text
    assert "| `gift_wrap` | `boolean` | no | 2 |" in text
