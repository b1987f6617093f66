"""The one exit-code table and the error tree that maps onto it.

Core code raises a TracerError subclass; only the CLI turns it into an exit code.
"""
from __future__ import annotations

PASSED = 0
CONTROLS_FAILED = 1  # a mandatory control is missing or violated; nothing else exits 1
USAGE_ERROR = 2  # usage, configuration or input error
RUNTIME_FAILURE = 3  # tracker, git or engine failure (or a bug) kept the check from a verdict
INTERRUPTED = 130
BROKEN_PIPE = 141  # 128 + SIGPIPE: the reader of our output went away


class TracerError(Exception):
    """An error with a one-line message and an optional hint."""

    exit_code = RUNTIME_FAILURE

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(TracerError):
    exit_code = USAGE_ERROR


class ConfigError(UsageError):
    """compliance-config.yml (or another policy file) is invalid; names file, line, key."""


class InputError(UsageError):
    """A ticket file, path or id given by the user cannot be used."""


class EngineError(TracerError):
    """semgrep is missing, crashed, timed out or answered with something unreadable."""


class TrackerError(TracerError):
    """A ticket tracker could not be reached or refused the request."""


class GitError(TracerError):
    """git failed or the repository is not in the shape the check needs."""
