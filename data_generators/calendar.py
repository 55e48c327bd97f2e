"""When shoppers show up: hour-of-day, weekday and seasonal intensity, and slicing.

A day is cut into equal time slices (at least one per hour, so intensity is constant
inside a slice). The slice count depends only on the parameters, never on a writer,
which keeps output identical whatever the batch size.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

MS_PER_DAY = 86_400_000

# Relative traffic per UTC hour: quiet nights, a lunch bump and an evening peak.
HOUR_WEIGHTS = np.array(
    [0.25, 0.15, 0.10, 0.08, 0.08, 0.12, 0.30, 0.55, 0.80, 0.95, 1.00, 1.05,
     1.15, 1.10, 1.00, 0.95, 0.95, 1.00, 1.15, 1.35, 1.45, 1.35, 1.00, 0.55]
)  # fmt: skip
HOUR_WEIGHTS = HOUR_WEIGHTS / HOUR_WEIGHTS.sum()

# Monday .. Sunday: Sunday evening shopping, a quieter Friday/Saturday.
WEEKDAY_FACTORS = (1.05, 1.00, 0.98, 0.97, 0.93, 0.90, 1.17)

# Month factors: January sales, a summer lull, the November/December peak.
MONTH_FACTORS = (1.10, 0.90, 0.95, 0.95, 0.97, 0.92, 0.90, 0.92, 0.98, 1.02, 1.25, 1.35)

# Slices per day: divisors of 24 * 60 that are multiples of 24.
_SLICE_COUNTS = (24, 48, 72, 96, 144, 288, 480, 720, 1440)

#: Upper bound on clickstream events per slice (memory per slice stays bounded).
SLICE_TARGET_EVENTS = 60_000


def black_friday(year: int) -> dt.date:
    """The day after the fourth Thursday of November."""
    nov1 = dt.date(year, 11, 1)
    first_thursday = nov1 + dt.timedelta(days=(3 - nov1.weekday()) % 7)
    return first_thursday + dt.timedelta(days=22)


def day_factor(day: dt.date) -> float:
    """Traffic of this day relative to an average day."""
    factor = WEEKDAY_FACTORS[day.weekday()] * MONTH_FACTORS[day.month - 1]
    bf = black_friday(day.year)
    if day == bf:
        factor *= 3.0
    elif day == bf + dt.timedelta(days=3):  # Cyber Monday
        factor *= 2.2
    elif day.month == 12 and 24 <= day.day <= 26:
        factor *= 0.6
    return factor


def slices_per_day(events_per_day: int) -> int:
    """How many slices a day is cut into, from the expected peak day volume."""
    # Black Friday is ~4x an average day; size slices for it so memory stays bounded.
    peak = events_per_day * 4.0
    for count in _SLICE_COUNTS:
        if peak / count <= SLICE_TARGET_EVENTS:
            return count
    return _SLICE_COUNTS[-1]


def slice_weights(n_slices: int) -> np.ndarray:
    """Share of a day's traffic falling into each slice."""
    per_hour = n_slices // 24
    return np.repeat(HOUR_WEIGHTS / per_hour, per_hour)


def day_start_ms(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days * MS_PER_DAY


def ms_to_date(ms: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=ms // MS_PER_DAY)
