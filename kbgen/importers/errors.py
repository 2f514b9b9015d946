"""The one error an import stops with: what is wrong with the source, and how to fix it."""

from __future__ import annotations


class ImportFailure(Exception):
    """The source cannot be imported; ``where`` is ``file:line:col`` (or a table and row)."""

    def __init__(self, message: str, hint: str = "", where: str = "") -> None:
        self.message = message
        self.hint = hint
        self.where = where
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.where}: " if self.where else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{self.message}{hint}"
