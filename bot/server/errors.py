"""Logging a failure without what the user sent.

An exception's message may quote its input (pydantic's `input_value=...`, a decoder's bad bytes), and a question
may hold personal data, so the server log gets the exception's type and where it was raised, never its message.
"""

from __future__ import annotations

import logging
import traceback


def log_failure(log: logging.Logger, what: str, error: BaseException) -> None:
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error("%s failed: %s (message withheld: it may quote the input)\n%s", what, type(error).__name__, frames)
