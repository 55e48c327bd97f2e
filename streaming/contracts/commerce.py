"""Orders and payments, keyed by customer so one customer's events keep their order.

Money is EUR, a JSON number with at most two decimals (``decimal(12,2)``). An order's
totals follow one rule: ``total = subtotal - discount + shipping``, where ``subtotal``
sums ``quantity * unit_price`` and ``discount`` sums the line discounts.
"""

from __future__ import annotations

from streaming.contracts.types import (
    BOOLEAN,
    INT,
    MONEY,
    STRING,
    STRUCT,
    EventContract,
    Field,
    StreamContract,
    array,
)
from streaming.contracts.versions import DRIFT_SCHEMA_VERSION
from streaming.contracts.vocabulary import (
    CANCEL_REASONS,
    CHANNELS,
    COUNTRIES,
    CURRENCIES,
    DECLINE_REASONS,
    DEVICES,
    PAYMENT_METHODS,
    REFUND_REASONS,
    RETURN_REASONS,
)

_ORDER_ID = Field("order_id", STRING, "Order id (a UUID), as in the clickstream purchase.")
_CUSTOMER_ID = Field("customer_id", INT, "Customer; the record key.")
_CURRENCY = Field("currency", STRING, "ISO 4217 currency code; always EUR.", values=CURRENCIES)
_PAYMENT_ID = Field("payment_id", STRING, "Payment attempt id (a UUID).")
_METHOD = Field(
    "method", STRING, "card, paypal, apple_pay, klarna or gift_card.", values=PAYMENT_METHODS
)

ORDERS = StreamContract(
    name="orders",
    default_topic="shop.orders",
    key_field="customer_id",
    description="Orders placed at checkout, and their cancellations and returns.",
    events=(
        EventContract(
            "order_placed",
            "A checkout completed; exactly one payment_captured follows for its total.",
            (
                _ORDER_ID,
                _CUSTOMER_ID,
                Field("session_id", STRING, "The clickstream session that checked out."),
                Field("channel", STRING, "Acquisition channel of that session.", values=CHANNELS),
                Field("campaign_id", STRING, "Campaign of that session, if any.", nullable=True),
                Field("device", STRING, "Device of that session.", values=DEVICES),
                Field(
                    "items",
                    array(STRUCT),
                    "Order lines, one per product.",
                    fields=(
                        Field("line_number", INT, "1, 2, ... in cart order."),
                        Field("product_id", INT, "Product ordered."),
                        Field("quantity", INT, "Units ordered."),
                        Field("unit_price", MONEY, "List price per unit at order time."),
                        Field("discount", MONEY, "Discount on the whole line."),
                    ),
                ),
                Field("subtotal", MONEY, "Sum of quantity * unit_price."),
                Field("discount", MONEY, "Sum of the line discounts."),
                Field("shipping", MONEY, "4.99, or 0 when subtotal - discount is 50.00 or more."),
                Field("total", MONEY, "subtotal - discount + shipping: what was charged."),
                _CURRENCY,
                Field(
                    "payment_method",
                    STRING,
                    "card, paypal, apple_pay, klarna or gift_card.",
                    values=PAYMENT_METHODS,
                ),
                Field(
                    "shipping_address",
                    STRUCT,
                    "Where the order ships (the customer's address at order time).",
                    fields=(
                        Field("city", STRING, "City."),
                        Field("postcode", STRING, "Postcode, as text (leading zeros)."),
                        Field(
                            "country",
                            STRING,
                            "ISO 3166 country code: US, GB, DE, FR, NL.",
                            values=COUNTRIES,
                        ),
                    ),
                ),
                Field(
                    "gift_wrap",
                    BOOLEAN,
                    "Gift wrapping requested (the field schema drift adds).",
                    since=DRIFT_SCHEMA_VERSION,
                ),
            ),
        ),
        EventContract(
            "order_cancelled",
            "The whole order was cancelled, hours after it was placed; a refund follows.",
            (
                _ORDER_ID,
                _CUSTOMER_ID,
                Field(
                    "reason",
                    STRING,
                    "customer_request, payment_review or out_of_stock.",
                    values=CANCEL_REASONS,
                ),
                Field("refund_amount", MONEY, "The order total, refunded in full."),
            ),
        ),
        EventContract(
            "order_returned",
            "Some units were sent back, days after the order; a refund follows.",
            (
                _ORDER_ID,
                _CUSTOMER_ID,
                Field(
                    "reason",
                    STRING,
                    "wrong_size, damaged, not_as_described or changed_mind.",
                    values=RETURN_REASONS,
                ),
                Field(
                    "items",
                    array(STRUCT),
                    "Returned lines (at least one).",
                    fields=(
                        Field("product_id", INT, "Product returned."),
                        Field("quantity", INT, "Units returned."),
                        Field("refund", MONEY, "Refund for the line: price less its discount."),
                    ),
                ),
                Field("refund_amount", MONEY, "Sum of the line refunds (shipping is kept)."),
            ),
        ),
    ),
)

PAYMENTS = StreamContract(
    name="payments",
    default_topic="shop.payments",
    key_field="customer_id",
    description="Payment attempts, captures and refunds.",
    events=(
        EventContract(
            "payment_captured",
            "The order total was charged; one per order_placed.",
            (
                _PAYMENT_ID,
                _ORDER_ID,
                _CUSTOMER_ID,
                _METHOD,
                Field("amount", MONEY, "Amount charged: the order total."),
                _CURRENCY,
                Field("decline_reason", STRING, "Always null for a capture.", nullable=True),
            ),
        ),
        EventContract(
            "payment_declined",
            "A payment attempt failed: before a later capture, or at an abandoned checkout.",
            (
                _PAYMENT_ID,
                Field(
                    "order_id",
                    STRING,
                    "The order, when the checkout went on to succeed; null at an abandoned "
                    "checkout (no order exists).",
                    nullable=True,
                ),
                _CUSTOMER_ID,
                _METHOD,
                Field(
                    "amount",
                    MONEY,
                    "Amount attempted; null at an abandoned checkout.",
                    nullable=True,
                ),
                _CURRENCY,
                Field(
                    "decline_reason",
                    STRING,
                    "insufficient_funds, card_expired, suspected_fraud or do_not_honor.",
                    values=DECLINE_REASONS,
                ),
            ),
        ),
        EventContract(
            "payment_refunded",
            "Money went back after an order_cancelled or order_returned.",
            (
                _PAYMENT_ID,
                _ORDER_ID,
                _CUSTOMER_ID,
                _METHOD,
                Field("amount", MONEY, "Amount refunded."),
                _CURRENCY,
                Field("refund_reason", STRING, "cancellation or return.", values=REFUND_REASONS),
            ),
        ),
    ),
)
