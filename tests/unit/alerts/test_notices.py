"""What a notice says on each channel."""

from dagster import MetadataValue, TableColumn, TableRecord, TableSchema

from ecommerce_assets.lib.alerts.notices import Notice, asset_url, plain_metadata

NOTICE = Notice(
    kind="failed",
    asset_key="gold/fct_orders",
    check_name="order_total_positive",
    partition="2024-11-25",
    severity="ERROR",
    description="Every order total is positive.",
    metadata={"bad_rows": 3, "sample": [{"order_id": "o-1", "total": -4.5}]},
    run_id="abc",
    run_url="http://ui:3000/runs/abc",
    asset_url="http://ui:3000/assets/gold/fct_orders?view=checks",
    occurred_at="2026-12-01T10:00:00+00:00",
)


def test_the_json_payload_carries_every_field_and_round_trips() -> None:
    payload = NOTICE.to_json()
    assert payload["event"] == "asset_failed"
    assert payload["id"] == "failed:gold/fct_orders:order_total_positive:2024-11-25:abc"
    assert payload["title"] == "Asset check failed"
    for name in ("asset_key", "check_name", "partition", "severity", "description", "run_url"):
        assert payload[name] == getattr(NOTICE, name)
    assert payload["metadata"]["sample"] == [{"order_id": "o-1", "total": -4.5}]
    assert Notice.from_json(payload) == NOTICE


def test_slack_gets_block_kit_with_fields_details_and_buttons() -> None:
    message = NOTICE.slack_payload()
    assert message["text"].startswith(":red_circle: [lakehouse] Asset check failed")
    kinds = [block["type"] for block in message["blocks"]]
    assert kinds == ["header", "section", "section", "section", "actions"]
    fields = [f["text"] for f in message["blocks"][1]["fields"]]
    assert "*Partition*\n2024-11-25" in fields
    assert "*bad_rows*: 3" in message["blocks"][3]["text"]["text"]
    urls = [e["url"] for e in message["blocks"][4]["elements"]]
    assert urls == [NOTICE.run_url, NOTICE.asset_url]


def test_the_email_has_a_subject_to_triage_by_and_the_details_in_the_body() -> None:
    mail = NOTICE.email("lakehouse@shop.example", ["a@shop.example", "b@shop.example"])
    assert mail["Subject"] == (
        "[lakehouse] Asset check failed: gold/fct_orders · order_total_positive [2024-11-25]"
    )
    assert mail["To"] == "a@shop.example, b@shop.example"
    assert mail["X-Lakehouse-Notice-Id"] == NOTICE.id
    body = mail.get_content()
    assert "bad_rows: 3" in body and "run: http://ui:3000/runs/abc" in body


def test_a_resolved_notice_is_green_and_long_metadata_is_cut() -> None:
    resolved = Notice(**{**NOTICE.__dict__, "kind": "resolved"})
    assert resolved.slack_payload()["text"].startswith(":large_green_circle:")
    assert not resolved.is_problem
    plain = plain_metadata({"sample": "x" * 5000, "rows": 4})
    assert plain["sample"] == "x" * 1000 + "…"
    assert plain["rows"] == 4


def test_asset_urls_quote_each_path_part() -> None:
    assert asset_url("http://ui", "gold/daily sales") == "http://ui/assets/gold/daily%20sales"


def test_tables_in_metadata_become_rows_a_reader_can_see() -> None:
    failing = MetadataValue.table(
        records=[TableRecord({"order_id": "o-1", "total": -4.5})],
        schema=TableSchema(columns=[TableColumn("order_id"), TableColumn("total")]),
    )
    schema = MetadataValue.table_schema(TableSchema(columns=[TableColumn("id", "bigint")]))
    plain = plain_metadata({"failing_rows": failing, "schema": schema, "n": MetadataValue.int(2)})
    assert plain == {
        "failing_rows": [{"order_id": "o-1", "total": -4.5}],
        "schema": {"id": "bigint"},
        "n": 2,
    }
