"""Conditional requests: If-None-Match beats If-Modified-Since; weak comparison; bad dates ignored;
the four preconditions in RFC 9110 §13.2.2's order (412 before 304)."""

from __future__ import annotations

import pytest

from publisher.web.caching import http_date, is_not_modified, precondition, strong_etag, validator_headers

ETAG = strong_etag(b"body")
T = 1_700_000_000.0

CASES = [
    ("no_validators", {}, False),
    ("matching_etag", {"if-none-match": ETAG}, True),
    ("weak_form_matches_for_get", {"if-none-match": "W/" + ETAG}, True),
    ("list_with_match", {"if-none-match": f'"x", {ETAG}'}, True),
    ("star", {"if-none-match": "*"}, True),
    ("other_etag", {"if-none-match": '"other"'}, False),
    ("etag_wins_over_date", {"if-none-match": '"other"', "if-modified-since": http_date(T + 60)}, False),
    ("date_after", {"if-modified-since": http_date(T + 60)}, True),
    ("date_equal", {"if-modified-since": http_date(T)}, True),
    ("date_before", {"if-modified-since": http_date(T - 60)}, False),
    ("garbage_date", {"if-modified-since": "yesterday"}, False),
    ("empty_date", {"if-modified-since": ""}, False),
]


@pytest.mark.parametrize(("headers", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_conditional_get(headers, expected):
    assert is_not_modified(headers, ETAG, T) is expected


def test_etag_is_strong_and_content_based():
    assert ETAG.startswith('"') and not ETAG.startswith("W/")
    assert strong_etag(b"body") == ETAG != strong_etag(b"body2")


def test_validator_headers():
    h = validator_headers(ETAG, T, vary=["Accept", "Accept-Language"])
    assert h["Vary"] == "Accept, Accept-Language" and h["Last-Modified"].endswith("GMT") and h["ETag"] == ETAG


PRECONDITIONS = [
    ("none", {}, None),
    ("if_match_same", {"if-match": ETAG}, None),
    ("if_match_star", {"if-match": "*"}, None),
    ("if_match_in_list", {"if-match": f'"x", {ETAG}'}, None),
    ("if_match_other", {"if-match": '"other"'}, 412),
    ("if_match_weak_never_matches", {"if-match": "W/" + ETAG}, 412),
    ("if_unmodified_since_equal", {"if-unmodified-since": http_date(T)}, None),
    ("if_unmodified_since_after", {"if-unmodified-since": http_date(T + 60)}, None),
    ("if_unmodified_since_before", {"if-unmodified-since": http_date(T - 60)}, 412),
    ("if_unmodified_since_garbage_ignored", {"if-unmodified-since": "soon"}, None),
    ("if_match_wins_over_unmodified_since", {"if-match": ETAG, "if-unmodified-since": http_date(T - 60)}, None),
    ("failed_if_match_beats_none_match", {"if-match": '"other"', "if-none-match": ETAG}, 412),
    ("if_match_then_none_match", {"if-match": ETAG, "if-none-match": ETAG}, 304),
    ("if_none_match", {"if-none-match": ETAG}, 304),
    ("if_modified_since", {"if-modified-since": http_date(T)}, 304),
    ("stale_copy", {"if-none-match": '"other"'}, None),
]


@pytest.mark.parametrize(("headers", "expected"), [c[1:] for c in PRECONDITIONS], ids=[c[0] for c in PRECONDITIONS])
def test_preconditions_in_rfc_9110_order(headers, expected):
    assert precondition(headers, ETAG, T) == expected


def test_precondition_table_is_complete():
    assert len(PRECONDITIONS) == 16
