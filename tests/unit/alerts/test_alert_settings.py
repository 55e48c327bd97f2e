"""Alert and freshness settings: a bad value fails at load, naming the variable; good
values reach the channels and every table's freshness policy."""

import datetime as dt
import os
import re
import subprocess
import sys

import pytest
from dagster import AssetKey, Definitions

from ecommerce_assets.lib.alerts.channels import EmailChannel, SlackChannel, WebhookChannel
from ecommerce_assets.lib.freshness import freshness_policy, with_freshness
from ecommerce_assets.resources.alerts import AlertsResource
from ecommerce_assets.settings import PROJECT_ROOT, SettingsError, load_settings


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"alert_webhook_url": "hooks.example/x"}, "LAKEHOUSE_ALERT_WEBHOOK_URL: "),
        ({"alert_slack_webhook_url": "ftp://x"}, "LAKEHOUSE_ALERT_SLACK_WEBHOOK_URL: "),
        ({"alert_email_to": ["not-an-address"]}, "LAKEHOUSE_ALERT_EMAIL_TO: "),
        ({"alert_email_to": ["a@b.example"]}, "LAKEHOUSE_ALERT_SMTP_HOST must name"),
        ({"alert_smtp_user": "bot"}, "LAKEHOUSE_ALERT_SMTP_PASSWORD go together"),
        ({"alert_smtp_port": 0}, "LAKEHOUSE_ALERT_SMTP_PORT: "),
        ({"freshness_gold_fail_after": "soon"}, "LAKEHOUSE_FRESHNESS_GOLD_FAIL_AFTER: "),
        ({"freshness_bronze_fail_after": "30s"}, "LAKEHOUSE_FRESHNESS_BRONZE_FAIL_AFTER (0:00:30)"),
        ({"freshness_silver_warn_after": "2d"}, "LAKEHOUSE_FRESHNESS_SILVER_WARN_AFTER (2 days"),
        ({"freshness_overrides": {"gold/x": "1h/2h"}}, "LAKEHOUSE_FRESHNESS_OVERRIDES: "),
    ],
)
def test_a_bad_alert_or_freshness_setting_names_the_variable(
    overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(SettingsError, match=re.escape(message)):
        load_settings(**overrides)


def test_the_code_location_refuses_to_load_with_a_bad_channel_setting() -> None:
    env = {**os.environ, "LAKEHOUSE_ALERT_WEBHOOK_URL": "not a url"}
    result = subprocess.run(
        [sys.executable, "-c", "import ecommerce_assets.definitions"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "LAKEHOUSE_ALERT_WEBHOOK_URL: Value error, not an http(s) URL: 'not a url'" in (
        result.stderr
    )


def test_channels_come_from_the_settings() -> None:
    settings = load_settings(
        alert_webhook_url="https://hooks.example/lakehouse/",
        alert_slack_webhook_url="https://hooks.slack.com/services/T/B/x",
        alert_email_to=["data@shop.example"],
        alert_smtp_host="smtp.shop.example",
        alert_smtp_port=587,
        alert_smtp_starttls=True,
        alert_smtp_user="bot",
        alert_smtp_password="s3cret",
    )
    channels = AlertsResource.from_settings(settings).channels()
    assert channels == [
        WebhookChannel("https://hooks.example/lakehouse"),
        SlackChannel("https://hooks.slack.com/services/T/B/x"),
        EmailChannel(
            host="smtp.shop.example", port=587, sender="lakehouse-alerts@localhost",
            recipients=("data@shop.example",), starttls=True, user="bot", password="s3cret",
        ),
    ]  # fmt: skip
    assert AlertsResource.from_settings(load_settings()).channels() == []


def test_each_layer_has_its_window_and_overrides_win() -> None:
    settings = load_settings(
        freshness_silver_fail_after="12h",
        freshness_silver_warn_after="off",
        freshness_overrides={"gold/cohort_retention": "8d/7d", "bronze/inventory": "off"},
    )
    bronze = freshness_policy(AssetKey(["bronze", "orders"]), settings)
    assert bronze is not None and bronze.fail_window.to_timedelta() == dt.timedelta(hours=2)
    silver = freshness_policy(AssetKey(["silver", "orders"]), settings)
    assert silver is not None and silver.fail_window.to_timedelta() == dt.timedelta(hours=12)
    assert silver.warn_window is None
    cohort = freshness_policy(AssetKey(["gold", "cohort_retention"]), settings)
    assert cohort is not None and cohort.warn_window is not None
    assert cohort.warn_window.to_timedelta() == dt.timedelta(days=7)
    assert freshness_policy(AssetKey(["bronze", "inventory"]), settings) is None
    # Views and sources are never stale by themselves.
    assert freshness_policy(AssetKey(["staging", "stg_orders"]), settings) is None
    assert freshness_policy(AssetKey(["kafka", "shop_orders"]), settings) is None


def test_an_override_naming_no_table_fails_at_load() -> None:
    settings = load_settings(freshness_overrides={"gold/fct_order": "2d"})
    with pytest.raises(ValueError, match=r"LAKEHOUSE_FRESHNESS_OVERRIDES: no such table \["):
        with_freshness(Definitions(), settings)
