"""Alerts on failed asset checks and stale tables: notices, channels, the ledger."""
