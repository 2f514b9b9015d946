"""Characters a data file may not hold, found once for every file and field.

Two sets, because they fail in different ways:

* ``forbidden`` — characters no page or mail-app file can carry: C0 and C1
  control characters (tab and line feed aside), DEL, lone surrogates and the
  Unicode non-characters (U+FFFE, U+FDD0…). XML 1.0 refuses most of them, so a
  Thunderbird autoconfig file or an Apple profile holding one is broken; HTML
  counts them as parse errors. The loader refuses them in every value and key.
* ``spoofing`` — invisible characters that change how text looks without
  showing themselves: bidirectional embeddings, overrides and isolates (they
  reorder what follows them, "Trojan Source") and zero-width spaces and joiner
  look-alikes. Plain-text fields (titles, names, summaries) refuse them, so a
  title cannot pretend to be another. Markdown fields keep them: right-to-left
  writing may need them. ZWJ and ZWNJ (U+200D, U+200C) and the direction marks
  (U+200E, U+200F, U+061C) are allowed everywhere: scripts such as Persian and
  emoji sequences need them, and they cannot reorder text.
"""

from __future__ import annotations

import re
import unicodedata

_NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff" + "".join(
    f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(1, 17))
_FORBIDDEN = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}]")
# In a file's raw text CRLF is a line break (Windows files are fine), but YAML also reads
# a lone CR, U+2028 and U+2029 as line breaks, so line numbers would stop matching.
_RAW_FORBIDDEN = re.compile(
    f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029{_NONCHARACTERS}]"
    "|\r(?!\n)")
_SPOOFING = re.compile("[\u202a-\u202e\u2066-\u2069\u200b\u2060-\u2064\ufeff\u180e]")

_NAMES = {0x00: "NUL", 0x09: "tab", 0x0B: "vertical tab", 0x0C: "form feed", 0x0D: "carriage return",
          0x1B: "escape", 0x7F: "delete", 0x85: "next line"}


def describe(char: str) -> str:
    """``U+000B (vertical tab)``: how a message names a character nobody can see."""
    code = ord(char)
    name = _NAMES.get(code) or unicodedata.name(char, "").lower()
    if not name:
        kind = unicodedata.category(char)
        name = {"Cc": "control character", "Cs": "lone surrogate", "Cn": "non-character"}.get(
            kind, "unassigned character")
    return f"U+{code:04X} ({name})"


def forbidden(text: str) -> re.Match[str] | None:
    """The first character no page or mail-app file can carry, if any."""
    return _FORBIDDEN.search(text)


def raw_forbidden(text: str) -> re.Match[str] | None:
    """In a file's raw text: also the characters YAML silently reads as line breaks."""
    return _RAW_FORBIDDEN.search(text)


def spoofing(text: str) -> re.Match[str] | None:
    """The first invisible character that could make plain text pass for other text."""
    return _SPOOFING.search(text)


class CharacterError(ValueError):
    """A refused character in a field's value; ``offset`` is its index in the value."""

    hint = "delete it; it is invisible, so retype the text around it if unsure"

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def check_plain(text: str) -> str:
    """Pydantic validator of plain-text fields: refuse invisible look-alike characters."""
    found = spoofing(text)
    if found:
        raise CharacterError(f"the text holds the invisible character {describe(found.group())}, "
                             "which can make it look like other text", found.start())
    return text
