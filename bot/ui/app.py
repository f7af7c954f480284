"""The web app lives in bot/api.py (`build_app`), with the pages in bot/ui/citizen.py and bot/ui/staff.py."""

from bot.api import build_app

__all__ = ["build_app"]
