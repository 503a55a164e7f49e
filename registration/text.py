"""Text that people type: refuse characters that cannot be seen or that reorder what is seen.

Zero-width characters, bidirectional overrides and control characters let a name look like
another on a badge, a list or a screen, or hide text in an export. Forms refuse them with a
clear message and keep what was typed.
"""

import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms import Field, Form
from wtforms.validators import ValidationError

#: Joiners that some scripts need between two letters (ZWNJ in Persian, ZWJ in Indic scripts).
_JOINERS = {"\u200c", "\u200d"}
#: Unicode categories never typed in a name: controls, format characters (zero-width,
#: bidirectional marks and overrides, soft hyphen, BOM, tags), private use, surrogates,
#: unassigned code points, line and paragraph separators.
_REFUSED = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}
#: What a multi-line field may contain besides printable characters.
_LINE_BREAKS = {"\n", "\r", "\t"}


def _joins_letters(text: str, index: int) -> bool:
    """Whether ``text[index]`` is a joiner between two letters (or combining marks)."""
    if text[index] not in _JOINERS or not 0 < index < len(text) - 1:
        return False
    return all(unicodedata.category(text[i])[0] in "LM" for i in (index - 1, index + 1))


def first_invisible(text: str, *, multiline: bool = False) -> int | None:
    """The index of the first character that ``text`` must not contain, or None."""
    for index, char in enumerate(text):
        if multiline and char in _LINE_BREAKS:
            continue
        if unicodedata.category(char) not in _REFUSED:
            continue
        if _joins_letters(text, index):
            continue
        return index
    return None


class VisibleText:
    """WTForms validator: refuse invisible and control characters (see the module)."""

    def __init__(self, *, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, form: Form, field: Field) -> None:
        """Raise ValidationError naming the character and where it is."""
        text = field.data or ""
        index = first_invisible(text, multiline=self.multiline)
        if index is None:
            return
        char = text[index]
        before = text[:index].strip()[-20:]
        name = unicodedata.name(char, "") or f"U+{ord(char):04X}"
        if before:
            message = _l(
                "Remove the invisible or control character (%(name)s) after “%(before)s”.",
                name=name,
                before=before,
            )
        else:
            message = _l(
                "Remove the invisible or control character (%(name)s) at the start.", name=name
            )
        raise ValidationError(str(message))
