"""A deterministic, consistent e-commerce universe, streamed to Kafka or written to files.

Public API::

    from data_generators import make_params, generate_to_kafka, generate_to_files

    params = make_params(seed=7, customers=10_000, products=1_000, days=7,
                         events_per_day=100_000, trouble={"duplicate_share": 0.01})
    manifest = generate_to_files(params, "landing/")            # JSONL + Parquet
    manifest = generate_to_kafka(params, "127.0.0.1:9092", partitions=3)

Streams and their default topics (override with ``topics={"orders": "my.orders"}``):

==============  ==================  ========================================  ===========
stream          topic               event types                               key
==============  ==================  ========================================  ===========
clickstream     shop.clickstream    page_view, search, product_view,          session id
                                    add_to_cart, remove_from_cart,
                                    checkout_started, purchase
orders          shop.orders         order_placed, order_cancelled,            customer id
                                    order_returned
payments        shop.payments       payment_captured, payment_declined,       customer id
                                    payment_refunded
customers       shop.customers      customer_created, customer_updated        customer id
products        shop.products       product_created, product_price_changed    product id
inventory       shop.inventory      inventory_snapshot, stock_received        product id
campaigns       shop.campaigns      campaign_created                          campaign id
==============  ==================  ========================================  ===========

Every record is the JSON envelope ``{"id", "type", "event_time", "schema_version",
"payload"}`` (see :mod:`data_generators.envelope`). Same seed and parameters give the
same records byte for byte, whatever the writer. Module map:

* ``params`` - validated parameters; ``calendar`` - seasonality and slicing;
  ``seeding`` - one random stream per (day, slice, purpose)
* ``pools`` - Faker-built text pools; ``entities`` - customers, products, stock,
  campaigns; ``clickstream`` - sessions and funnel; ``commerce`` - orders, payments,
  cancellations, returns
* ``envelope`` - serialization; ``trouble`` - injected data-quality problems;
  ``engine`` - the slice-by-slice stream; ``manifest`` - ground truth
* ``writers.kafka`` / ``writers.files`` - sinks; ``run`` - the entry points
"""

from data_generators.engine import STREAMS
from data_generators.manifest import read_manifest
from data_generators.params import (
    DEFAULT_TOPICS,
    GeneratorParams,
    ParameterError,
    TopicNames,
    TroubleParams,
    make_params,
)
from data_generators.run import (
    MANIFEST_FILE,
    Progress,
    generate_to_files,
    generate_to_kafka,
    iter_records,
)
from data_generators.writers.kafka import KafkaWriteError

__all__ = [
    "DEFAULT_TOPICS",
    "MANIFEST_FILE",
    "STREAMS",
    "GeneratorParams",
    "KafkaWriteError",
    "ParameterError",
    "Progress",
    "TopicNames",
    "TroubleParams",
    "generate_to_files",
    "generate_to_kafka",
    "iter_records",
    "make_params",
    "read_manifest",
]
