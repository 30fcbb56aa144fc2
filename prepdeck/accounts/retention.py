"""What a desired retention means, for the preferences page ("at 0.95 you forget 5 cards in 100 and do
about 2.5 times the reviews of 0.90").

Pure arithmetic on the FSRS-6 forgetting curve that the practice scheduler uses, so the account's own
preference is explained here without importing practice (docs/architecture.md): the curve's decay is
read from the same library default as ``practice.scheduling.DEFAULT_PARAMETERS`` (a practice test checks
that they agree).
"""

from __future__ import annotations

from dataclasses import dataclass

from fsrs.scheduler import DEFAULT_PARAMETERS as _LIBRARY_DEFAULT_PARAMETERS

# The default forgetting curve's decay (the 21st FSRS-6 weight, stored negated in the library).
FORGETTING_CURVE_DECAY = -float(_LIBRARY_DEFAULT_PARAMETERS[20])

# FSRS schedules a card when its predicted recall falls to the desired retention R. With the forgetting curve
# R(t) = (1 + FACTOR * t / S) ** DECAY, the interval for stability S is S / FACTOR * (R ** (1 / DECAY) - 1),
# so changing R scales every interval by the same ratio. Reviews per day scale roughly with its inverse.

REFERENCE_RETENTION = 0.90
TYPICAL_RETENTIONS = (0.80, 0.85, 0.90, 0.95, 0.97)


@dataclass(frozen=True, slots=True)
class RetentionEffect:
    """The approximate effect of a desired retention, compared with the default 0.90."""

    retention: float
    forgotten_per_100: int
    interval_factor: float  # how much longer the intervals are than at 0.90
    review_factor: float  # how many more reviews than at 0.90 (roughly 1 / interval_factor)

    @property
    def is_reference(self) -> bool:
        return abs(self.retention - REFERENCE_RETENTION) < 0.005

    @property
    def remembered_per_100(self) -> int:
        return 100 - self.forgotten_per_100

    @property
    def review_percent(self) -> int:
        """The workload as a percentage of the workload at 0.90."""
        return round(self.review_factor * 100)


def retention_effect(desired_retention: float) -> RetentionEffect:
    """How ``desired_retention`` changes intervals and workload, with the scheduler's default forgetting
    curve (FSRS-6 default weights; a user's fitted weights shift the figures only a little)."""
    decay = FORGETTING_CURVE_DECAY

    def interval(retention: float) -> float:
        return float(retention ** (1 / decay) - 1)

    factor = interval(desired_retention) / interval(REFERENCE_RETENTION)
    return RetentionEffect(
        retention=desired_retention,
        forgotten_per_100=round((1 - desired_retention) * 100),
        interval_factor=factor,
        review_factor=1 / factor,
    )
