"""Silver: typed, deduplicated, validated tables built from bronze, one UTC day at a time.

Plain PySpark, no Dagster. Module map:

* one module per table: ``customers``, ``products``, ``campaigns``, ``inventory``,
  ``orders``, ``order_items``, ``order_events``, ``payments``, ``clickstream_events``,
  ``sessions``, ``quarantine`` - each declares its ``TABLE`` (columns with descriptions,
  key), its events and business rules (``EVENTS``) and ``rows(...)``
* ``events`` - bronze rows to typed events marked valid, duplicate or quarantined
* ``rules`` - business and contract rules; ``columns`` - silver columns from the contract
* ``table`` - table DDL and the writer that replaces a day range; ``days`` - UTC days
* ``layer`` - build every table for a day range; ``reconciliation`` - recount from tables
"""
