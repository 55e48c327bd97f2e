"""Tell a failure worth retrying (a service restarting) from one that is not (bad data).

A step that fails because Trino or the Iceberg catalog is restarting, or a connection
was dropped, succeeds when run again a little later; a failed data test or a schema
error fails again. Steps turn the first kind into Dagster's ``RetryRequested`` and let
the second fail the run at once. Every rebuild replaces its days, so a retried step
does not duplicate data.
"""

from __future__ import annotations

from collections.abc import Callable

from dagster import RetryRequested

#: Retries of one step, and the wait before each: enough for Trino (~15-20 s) to restart.
MAX_RETRIES = 3
SECONDS_BETWEEN = 20

#: Substrings of errors from a service that is down, restarting or dropped the
#: connection: Python, JVM (Spark, the Iceberg REST client) and Trino wordings.
TRANSIENT_MARKERS: tuple[str, ...] = (
    "Connection refused",
    "Connection reset",
    "Connection aborted",
    "RemoteDisconnected",
    "Read timed out",
    "NoHttpResponseException",
    "Error occurred while processing POST request",
    "Error occurred while processing GET request",
    "503 Service Unavailable",
    "ServiceUnavailable",
    "SERVER_STARTING_UP",
    "No nodes available to run query",
    "Failed to establish a new connection",
)


def transient_cause(error: BaseException) -> str | None:
    """The marker that makes ``error`` (or an error it wraps) transient, or None."""
    seen: BaseException | None = error
    while seen is not None:
        text = str(seen)
        for marker in TRANSIENT_MARKERS:
            if marker in text:
                return marker
        seen = seen.__cause__ or seen.__context__
    return None


def retry_if_transient(error: BaseException, what: str, log: Callable[[str], None]) -> None:
    """Raise ``RetryRequested`` for a transient ``error``; return for any other."""
    marker = transient_cause(error)
    if marker is not None:
        log(
            f"{what} failed on a transient error ({marker!r}): retrying in "
            f"{SECONDS_BETWEEN} s, at most {MAX_RETRIES} times"
        )
        raise RetryRequested(max_retries=MAX_RETRIES, seconds_to_wait=SECONDS_BETWEEN) from error
