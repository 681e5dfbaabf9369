"""The one error type of finance commands: a refusal or failure a person must act on."""

from __future__ import annotations


class FinanceError(RuntimeError):
    """The message says why, in words for the person who asked (it is printed, never a traceback)."""


__all__ = ["FinanceError"]
