"""Logging a failure without what the user sent.

An exception's message may quote its input (pydantic's `input_value=...`, Gradio's "Received inputs: [...]"),
and a question may hold personal data, so the server log gets the exception's type and where it was raised,
never its message.
"""

from __future__ import annotations

import logging
import sys
import traceback
from types import ModuleType
from typing import Any

gradio_log = logging.getLogger("bot.server.gradio")


def log_failure(log: logging.Logger, what: str, error: BaseException | None) -> None:
    if error is None:
        return
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error("%s failed: %s (message withheld: it may quote the input)\n%s", what, type(error).__name__, frames)


class _WithheldTraceback:
    """The `traceback` module as Gradio's modules see it, with `print_exc` logging through `log_failure`:
    Gradio prints the whole traceback of every failed event, and its messages quote the event's inputs."""

    def __getattr__(self, name: str) -> Any:
        return getattr(traceback, name)

    def print_exc(self, *args: Any, **kwargs: Any) -> None:
        log_failure(gradio_log, "a Gradio event", sys.exception())


def withhold_gradio_messages() -> None:
    """Make the Gradio modules that print tracebacks (queueing, routes, route_utils) log them withheld."""
    import gradio.queueing
    import gradio.route_utils
    import gradio.routes

    modules: tuple[ModuleType, ...] = (gradio.queueing, gradio.routes, gradio.route_utils)
    for module in modules:
        if getattr(module, "traceback", None) is traceback:
            module.traceback = _WithheldTraceback()  # type: ignore[attr-defined]
