"""Accept-Language negotiation, table-driven with what browsers send and with garbage."""

from __future__ import annotations

import pytest

from publisher.web.conneg import negotiate_language

CASES = [
    ("none", None, "sv"),
    ("empty", "", "sv"),
    ("swedish_browser", "sv-SE,sv;q=0.9,en-US;q=0.8,en;q=0.7", "sv"),
    ("english_browser", "en-US,en;q=0.9", "en"),
    ("region_only_falls_back", "en-GB", "en"),
    ("finland_swedish", "sv-FI", "sv"),
    ("german_then_english", "de-DE,de;q=0.9,en;q=0.8", "en"),
    ("german_only", "de", "sv"),
    ("star", "*", "sv"),
    ("star_low_english_high", "*;q=0.1, en", "en"),
    ("q_zero_excludes", "sv;q=0, *", "en"),
    ("q_order", "sv;q=0.4, en;q=0.6", "en"),
    ("tie_by_client_order", "en, sv", "en"),
    ("case_insensitive", "EN-us", "en"),
    ("garbage", ";;;,,q=,", "sv"),
    ("bad_q_ignored", "en;q=abc, sv;q=0.5", "sv"),
    ("very_long", "en," * 5000, "sv"),
    ("norwegian_does_not_match_swedish", "nb-NO,nb;q=0.9", "sv"),
]


@pytest.mark.parametrize(("header", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_language_negotiation(header, expected):
    assert negotiate_language(header, ("sv", "en")) == expected


def test_case_table_is_complete():
    assert len(CASES) == 18


def test_a_language_after_the_64th_range_counts():
    header = ", ".join(f"x{i % 26 + 10:x}-{i}" for i in range(99)) + ", en"  # 99 languages we lack, then English
    assert len(header) < 1000
    assert negotiate_language(header, ("sv", "en")) == "en"
