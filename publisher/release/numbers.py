"""Decimal numbers as a page's or chart's language writes them, every published digit kept.

The rules are the Unicode CLDR's, as Babel carries them (Swedish "1 234,5", English "1,234.5"):
the symbols come from Babel, once per language. Babel's `format_decimal` parses a pattern and
quantizes on every call (~27 µs measured here); a release shows a number hundreds of thousands of times
(charts, tables), so the digits are laid out here directly (~3 µs, ~0.2 µs when cached). For the patterns
used here (`#,##0` with as many decimals as the value has) the result is Babel's, character for
character: tests/test_formatting.py compares the two over thousands of values.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol

LOCALES = {"sv": "sv_SE", "en": "en_GB"}


def locale_of(lang: str) -> str:
    return LOCALES.get(lang, "sv_SE")


@lru_cache(maxsize=8)
def _symbols(locale: str) -> tuple[str, str]:
    return get_group_symbol(locale), get_decimal_symbol(locale)


def babel_decimal(value: Decimal, lang: str) -> str:
    """What Babel writes for `value` with the pattern `#,##0` and the value's own decimals: the reference."""
    decimals = max(0, -value.as_tuple().exponent)
    return format_decimal(value, format="#,##0" + ("." + "0" * decimals if decimals else ""),
                          locale=locale_of(lang), decimal_quantization=False)


@lru_cache(maxsize=200_000)
def decimal_text(text: str, lang: str) -> str | None:
    """`text`, a decimal as published ('1234.50', '-3', '1E+3'), written in `lang`; None if it is
    not a finite decimal number."""
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite():
        return None
    group, point = _symbols(locale_of(lang))
    whole, _, fraction = f"{abs(value):f}".partition(".")
    out = f"{int(whole):,}".replace(",", group) + (point + fraction if fraction else "")
    # a pattern given to Babel writes its negative prefix as '-' (not the locale's U+2212)
    return "-" + out if value.is_signed() else out


__all__ = ["LOCALES", "babel_decimal", "decimal_text", "locale_of"]
