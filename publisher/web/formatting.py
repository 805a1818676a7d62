"""Numbers, sizes and dates as a reader of the page's language writes them, with Babel.

Babel carries the Unicode CLDR data (Swedish "12,5", "1 234", "17 maj 2018"; English "12.5",
"1,234", "17 May 2018"): the rules are the CLDR's, not ours. A value that is not a number or a
date (a figure published as text, a year alone) is shown as it is.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from babel.dates import format_date

from ..release.numbers import decimal_text, locale_of

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def number(value, lang: str) -> str:
    """A decimal as published ('12.5', 4222) in the page's language, every digit kept."""
    text = decimal_text(str(value), lang)
    return str(value) if text is None else text


def date(value, lang: str) -> str:
    """An ISO date ('2018-05-17') in words of the page's language; a year or month stays as it is."""
    return _date(str(value), lang)


@lru_cache(maxsize=20_000)
def _date(text: str, lang: str) -> str:
    if not ISO_DATE.match(text):
        return text
    try:
        return format_date(dt.date.fromisoformat(text), format="long", locale=locale_of(lang))
    except ValueError:
        return text


FILTERS = {"number": number, "date": date}
