"""The shop's slowly changing entities: customers, products, stock and campaigns.

Entities that exist before a run's first day are announced at its first instant
(``customer_created``, ``product_created``, ``inventory_snapshot``); changes arrive in a
nightly sync between 00:00 and 00:05 UTC, restocks at 06:00.
"""

from __future__ import annotations

from streaming.contracts.types import (
    BOOLEAN,
    DATE,
    INT,
    MONEY,
    STRING,
    STRUCT,
    EventContract,
    Field,
    StreamContract,
    array,
)
from streaming.contracts.vocabulary import (
    CAMPAIGN_CHANNELS,
    COUNTRIES,
    CURRENCIES,
    LOYALTY_TIERS,
    PROFILE_CHANGES,
)

_CUSTOMER_PROFILE = (
    Field("customer_id", INT, "Customer id (1, 2, ...); the record key."),
    Field("first_name", STRING, "First name."),
    Field("last_name", STRING, "Last name."),
    Field("email", STRING, "E-mail address; changes over time."),
    Field(
        "address",
        STRUCT,
        "Home address; changes over time.",
        fields=(
            Field("street", STRING, "Street and number."),
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
        "loyalty_tier",
        STRING,
        "bronze, silver, gold or platinum, by lifetime spend.",
        values=LOYALTY_TIERS,
    ),
    Field("marketing_opt_in", BOOLEAN, "Agreed to marketing e-mail."),
    Field("signup_date", DATE, "Day the customer signed up (UTC)."),
)

CUSTOMERS = StreamContract(
    name="customers",
    default_topic="shop.customers",
    key_field="customer_id",
    description="Customer profiles: sign-ups and profile changes (SCD2 material).",
    events=(
        EventContract(
            "customer_created", "A customer signed up: the full profile.", _CUSTOMER_PROFILE
        ),
        EventContract(
            "customer_updated",
            "A profile changed: the full new profile and what changed.",
            (
                *_CUSTOMER_PROFILE,
                Field(
                    "changed_fields",
                    array(STRING),
                    "What changed: loyalty_tier, address, email and/or marketing_opt_in.",
                    values=PROFILE_CHANGES,
                ),
            ),
        ),
    ),
)

_PRODUCT_ID = Field("product_id", INT, "Product id (1, 2, ...); the record key.")
_CURRENCY = Field("currency", STRING, "ISO 4217 currency code; always EUR.", values=CURRENCIES)
_COST = Field("cost", MONEY, "Unit cost to the shop.")

PRODUCTS = StreamContract(
    name="products",
    default_topic="shop.products",
    key_field="product_id",
    description="The catalogue: product launches and price changes.",
    events=(
        EventContract(
            "product_created",
            "A product joined the catalogue.",
            (
                _PRODUCT_ID,
                Field("sku", STRING, "Stock keeping unit, SKU-0000001."),
                Field("name", STRING, "Display name."),
                Field("category", STRING, "Category: electronics, home, fashion, ..."),
                Field("subcategory", STRING, "Subcategory within the category."),
                Field("brand", STRING, "Brand."),
                _COST,
                Field("list_price", MONEY, "Price at launch (a .99 price point)."),
                _CURRENCY,
            ),
        ),
        EventContract(
            "product_price_changed",
            "The list price changed (in the nightly sync); orders from then on use it.",
            (
                _PRODUCT_ID,
                Field("old_price", MONEY, "List price before."),
                Field("new_price", MONEY, "List price from now on."),
                _COST,
                _CURRENCY,
            ),
        ),
    ),
)

INVENTORY = StreamContract(
    name="inventory",
    default_topic="shop.inventory",
    key_field="product_id",
    description="Stock levels: end-of-day snapshots and restocks.",
    events=(
        EventContract(
            "inventory_snapshot",
            "Stock of a product: at the run's start, then at the end of each day it moved.",
            (
                _PRODUCT_ID,
                Field("on_hand", INT, "Units in stock (never negative)."),
                Field("backordered", INT, "Units sold beyond stock."),
                Field("units_sold", INT, "Units sold since the previous snapshot."),
                Field("units_returned", INT, "Units returned since the previous snapshot."),
                Field("units_received", INT, "Units restocked since the previous snapshot."),
            ),
        ),
        EventContract(
            "stock_received",
            "A restock arrived (06:00 UTC, for products below their reorder point).",
            (
                _PRODUCT_ID,
                Field("quantity", INT, "Units received."),
                Field("on_hand", INT, "Units in stock after the receipt."),
            ),
        ),
    ),
)

CAMPAIGNS = StreamContract(
    name="campaigns",
    default_topic="shop.campaigns",
    key_field="campaign_id",
    description="Marketing campaigns, announced when they start.",
    events=(
        EventContract(
            "campaign_created",
            "A campaign starts (or, on a run's first day, is already running).",
            (
                Field("campaign_id", STRING, "Campaign id, cmp-00001; the record key."),
                Field("name", STRING, "Display name."),
                Field(
                    "channel",
                    STRING,
                    "paid_search, social, email, affiliate or display.",
                    values=CAMPAIGN_CHANNELS,
                ),
                Field("start_date", DATE, "First day (UTC)."),
                Field("end_date", DATE, "Last day, inclusive (UTC)."),
                Field(
                    "discount_pct",
                    INT,
                    "Discount in percent on orders from its sessions (0: none).",
                ),
                Field("budget", MONEY, "Budget, EUR."),
            ),
        ),
    ),
)
