"""The closed sets a string field takes its values from (enums, codes).

Silver conforms values to these sets and quarantines what falls outside; the generator
draws from them; the conformance checker holds both to them.
"""

from __future__ import annotations

DEVICES: tuple[str, ...] = ("desktop_web", "mobile_web", "ios_app", "android_app")
CHANNELS: tuple[str, ...] = (
    "organic_search", "direct", "paid_search", "social", "email", "affiliate", "referral",
    "display",
)  # fmt: skip
CAMPAIGN_CHANNELS: tuple[str, ...] = ("paid_search", "social", "email", "affiliate", "display")
PAYMENT_METHODS: tuple[str, ...] = ("card", "paypal", "apple_pay", "klarna", "gift_card")
#: ISO 4217; the shop sells in euros only.
CURRENCIES: tuple[str, ...] = ("EUR",)
#: ISO 3166-1 alpha-2 codes of the countries the shop ships to.
COUNTRIES: tuple[str, ...] = ("US", "GB", "DE", "FR", "NL")
LOYALTY_TIERS: tuple[str, ...] = ("bronze", "silver", "gold", "platinum")
PROFILE_CHANGES: tuple[str, ...] = ("loyalty_tier", "address", "email", "marketing_opt_in")
CANCEL_REASONS: tuple[str, ...] = ("customer_request", "payment_review", "out_of_stock")
RETURN_REASONS: tuple[str, ...] = ("wrong_size", "damaged", "not_as_described", "changed_mind")
DECLINE_REASONS: tuple[str, ...] = (
    "insufficient_funds", "card_expired", "suspected_fraud", "do_not_honor",
)  # fmt: skip
REFUND_REASONS: tuple[str, ...] = ("cancellation", "return")
