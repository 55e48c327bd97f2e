"""Plain HTTP health probes for the services that speak HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any


def get_json(url: str, timeout: float = 2.0, headers: dict[str, str] | None = None) -> Any:
    """The decoded JSON body of a GET, or None if the server did not answer 200."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            if response.status != 200:
                return None
            return json.loads(response.read() or b"null")
    except (urllib.error.URLError, TimeoutError, OSError, ValueError):
        return None
