"""Per-client rate limits, shared by the HTTP API, the citizens' chat and the staff login.

The counting is the `limits` library's moving window (the engine slowapi runs on), kept in memory: one process
serves the app. slowapi's decorators only reach FastAPI routes, while the chat's questions arrive through Gradio's
queue and the staff login through an ASGI middleware, and the refusal must be worded in the asker's language,
known only once the request is read; so every caller asks `RateLimits` directly.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from bot.config import Settings


def parse_rates(value: str, setting: str) -> list[RateLimitItem]:
    """`"10/minute;100/hour"` as rate items; a malformed value names its setting."""
    try:
        items = parse_many(value)
    except ValueError:
        items = []
    if not items:
        raise ValueError(f"ASKGOV_{setting.upper()}: '{value}' is not a rate like '10/minute' or '10/minute;100/hour'")
    return items


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds until the client may try again, when not allowed


class RateLimits:
    def __init__(self, settings: Settings) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self.question_cost_chars = settings.question_cost_chars
        self.rates = {
            name: parse_rates(getattr(settings, name), name)
            for name in (
                "rate_limit_questions",
                "rate_limit_searches",
                "login_failures_per_client",
                "login_failures_per_user",
            )
        }

    def hit(self, rate: str, key: str, cost: int = 1) -> Verdict:
        """Count `cost` uses of `rate` by `key`; not allowed (and not counted) when they do not fit in a window."""
        items = self.rates[rate]
        if not all(self._limiter.test(item, rate, key, cost=cost) for item in items):
            return Verdict(False, self._retry_after(items, rate, key))
        for item in items:
            self._limiter.hit(item, rate, key, cost=cost)
        return Verdict(True)

    def question_cost(self, question: str) -> int:
        """How many uses of the question rate `question` counts for: an answer's work grows with the question's
        length (its embedding above all), so a client looping long questions gets fewer of them."""
        return 1 + len(question) // self.question_cost_chars

    def check(self, rate: str, key: str) -> Verdict:
        """Whether `key` may still use `rate`, without counting a use (for counting failures only)."""
        items = self.rates[rate]
        if all(self._limiter.test(item, rate, key) for item in items):
            return Verdict(True)
        return Verdict(False, self._retry_after(items, rate, key))

    def _retry_after(self, items: list[RateLimitItem], rate: str, key: str) -> int:
        now = time.time()
        waits = [
            stats.reset_time - now
            for item in items
            if (stats := self._limiter.get_window_stats(item, rate, key)).remaining == 0
        ]
        return max(1, math.ceil(max(waits, default=1)))
