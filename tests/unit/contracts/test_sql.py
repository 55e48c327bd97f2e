from streaming.contracts import event_contract
from streaming.contracts.sql import spark_ddl, trino_read


def test_spark_schema_of_a_payload() -> None:
    ddl = spark_ddl(event_contract("order_returned").payload(1))
    assert ddl == (
        "`order_id` STRING, `customer_id` INT, `reason` STRING, "
        "`items` ARRAY<STRUCT<`product_id`: INT, `quantity`: INT, `refund`: DECIMAL(12,2)>>, "
        "`refund_amount` DECIMAL(12,2)"
    )


def test_trino_reads_each_type_as_itself() -> None:
    customer = event_contract("customer_updated")
    assert (
        trino_read(customer.field("email")) == "json_extract_scalar(raw_value, '$.payload.email')"
    )
    assert trino_read(customer.field("signup_date")) == (
        "CAST(json_extract_scalar(raw_value, '$.payload.signup_date') AS date)"
    )
    assert trino_read(customer.field("changed_fields")) == (
        "CAST(json_extract(raw_value, '$.payload.changed_fields') AS array(varchar))"
    )
    assert trino_read(customer.field("address"), "v") == (
        "CAST(json_extract(v, '$.payload.address') AS row(street varchar, city varchar, "
        "postcode varchar, country varchar))"
    )
