"""Simulated responders: the people behind the emulator's contacts, who answer pages after a delay."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

__all__ = ["DELAY_DISTRIBUTIONS", "RESPONDER_NOTE", "Responder"]

# A simulated responder's delay distributions and the parameters each one takes (in seconds).
DELAY_DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "fixed": ("seconds",),
    "uniform": ("min_seconds", "max_seconds"),
    "lognormal": ("median_seconds", "sigma"),
}
RESPONDER_NOTE = "Acknowledged by the simulated responder"


@dataclass
class Responder:
    """A simulated person: answers each page after a drawn delay, or (with a probability) never.

    Per page, at its first message, two things are drawn from ``random.Random(seed)`` in this
    order: ``u = random()`` (no answer when ``u < no_answer_probability``), then the delay
    (``fixed``: no draw; ``uniform``: ``uniform(min_seconds, max_seconds)``; ``lognormal``:
    ``lognormvariate(log(median_seconds), sigma)``), rounded to the millisecond (the wire's
    resolution). Both are drawn for every page, so the delays a seed gives do not depend on
    ``no_answer_probability``. The same seed gives the same answers for the same sequence of pages.
    """

    distribution: str = "fixed"
    params: dict[str, float] = field(default_factory=dict)
    no_answer_probability: float = 0.0
    seed: int | str = 0
    _rng: random.Random = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.distribution not in DELAY_DISTRIBUTIONS:
            raise ValueError(f"distribution: one of {', '.join(DELAY_DISTRIBUTIONS)}")
        missing = [name for name in DELAY_DISTRIBUTIONS[self.distribution] if name not in self.params]
        if missing and self.no_answer_probability < 1:
            raise ValueError(f"{self.distribution} delay needs {', '.join(missing)}")
        self._rng = random.Random(self.seed)

    @classmethod
    def fixed(cls, seconds: float) -> Responder:
        return cls("fixed", {"seconds": float(seconds)})

    def draw(self) -> float | None:
        """Seconds until this page is acknowledged, or None: this page goes unanswered."""
        silent = self._rng.random() < self.no_answer_probability
        params = self.params
        if self.distribution == "uniform":
            delay = self._rng.uniform(params["min_seconds"], params["max_seconds"])
        elif self.distribution == "lognormal":
            delay = self._rng.lognormvariate(math.log(params["median_seconds"]), params["sigma"])
        else:
            delay = params.get("seconds", 0.0)
        return None if silent else round(delay, 3)

    def describe(self) -> dict[str, Any]:
        """For the inbox: what this simulated person does."""
        return {
            "distribution": self.distribution,
            **self.params,
            "no_answer_probability": self.no_answer_probability,
            "seed": self.seed,
        }
