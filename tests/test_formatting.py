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
