"""Numbers and dates as each page language writes them (Babel, CLDR), every published digit kept."""

from __future__ import annotations

import pytest

from publisher.release.charts import format_number, format_published
from publisher.web.formatting import date, number


@pytest.mark.parametrize(("value", "lang", "shown"), [
    ("12.5", "sv", "12,5"), ("12.5", "en", "12.5"),
    ("1.230", "sv", "1,230"),            # a published trailing zero stays
    (576180, "sv", "576\xa0180"), (576180, "en", "576,180"),
    ("-3.50", "en", "-3.50"),
    ("n/a", "sv", "n/a"),                 # not a number: as it is
])
def test_numbers_in_the_page_language(value, lang, shown):
    assert number(value, lang) == shown


@pytest.mark.parametrize(("value", "lang", "shown"), [
    ("2018-05-17", "sv", "17 maj 2018"), ("2018-05-17", "en", "17 May 2018"),
    ("2018", "sv", "2018"), ("2018-05", "en", "2018-05"),
])
def test_dates_in_the_page_language(value, lang, shown):
    assert date(value, lang) == shown


def test_chart_axes_and_bar_values_use_the_charts_language():
    assert format_number(0.5, "sv") == "0,5" and format_number(0.5, "en") == "0.5"
    assert format_number(2000.0, "sv") == "2\xa0000"
    assert format_published("1.23", "sv") == "1,23" and format_published("1.230", "en") == "1.230"


def _values() -> list[str]:
    """Published decimals of every shape: signs, zeros, exponents, long fractions, large numbers."""
    import random

    rng = random.Random(7)
    fixed = ["0", "-0", "0.0", "-0.0", "0.000", "1", "-1", "12", "123", "1234", "-1234", "12345", "123456",
             "1234567", "12345678901234567890", "0.5", "1.230", "-3.50", "007.1", "1E+3", "1e-7", "2.5E+2",
             "-4.2e1", "999.999", "1000", "-1000.0001", "+5", " 12", "1_000"]
    drawn = [f"{rng.choice(['', '-'])}{rng.randint(0, 10 ** rng.randint(0, 12))}"
             + (f".{rng.randint(0, 10 ** (d := rng.randint(1, 6)) - 1):0{d}d}" if rng.random() < 0.7 else "")
             for _ in range(5000)]
    return fixed + drawn


def test_fast_decimals_are_babels_character_for_character():
    """publisher/release/numbers.py lays the digits out itself; for every value and language the
    result is what Babel writes with the same pattern (Babel is the reference, CLDR the rules)."""
    from decimal import Decimal

    from publisher.release.numbers import babel_decimal, decimal_text

    for lang in ("sv", "en", "xx"):
        for value in _values():
            assert decimal_text(value, lang) == babel_decimal(Decimal(value), lang), (value, lang)
    assert decimal_text("n/a", "sv") is None and decimal_text("NaN", "sv") is None
