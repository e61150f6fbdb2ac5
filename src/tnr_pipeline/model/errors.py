"""What a person can get wrong, as one kind of exception: every step exits 1 with its message, never a traceback.

What belongs here: `UserError`, the base of every error a person can fix (a setting, a spreadsheet, a claims row, an
input description, a comparison asked of `tnr-pipeline diff`). Each subclass builds its message and its list of
problems and hands both to `UserError.__init__`.
"""

from __future__ import annotations


class UserError(Exception):
    """Something a person can fix. `problems` lists each problem; the message says all of them, for the console."""

    def __init__(self, message: str, problems: list | None = None):
        self.problems = list(problems) if problems is not None else [message]
        super().__init__(message)

    def for_console(self, step: str) -> str:
        """The message as the command prints it: named by the step that refused."""
        return f"tnr-pipeline {step}: {self}"
