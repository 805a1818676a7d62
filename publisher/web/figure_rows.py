"""The rows of a statistics table (templates/figures.html), written in Python.

A municipality's page has ~340 rows and an indicator's thousands; written by the template, each
row cost ~20 attribute look-ups and calls through Jinja's runtime (~25 µs a row). This writes
exactly what the template's row wrote (tests/test_figure_rows.py renders both and compares):
every value escaped as autoescape escapes it, a missing key or text written as Jinja writes an
undefined value (nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from markupsafe import Markup, escape

from .formatting import date, number


def figure_rows(rows: list[dict], show_municipality: bool, lang: str, t: Mapping[str, str],
                label: Callable, link: Callable) -> Markup:
    """`<tr>…</tr>` and a newline for each row: municipality (when shown), year, value, unit, source, status."""
    out: list[str] = []
    for r in rows:
        out.append("<tr>")
        if show_municipality:
            out.append(f'<td><a href="{escape(link(r.get("municipality_href", "")))}" data-quoted>'
                       f'{escape(r.get("municipality_name", ""))}</a></td>')
        source = r.get("source") or {}
        value = number(r.get("value", ""), lang)
        out.append(f'<td>{escape(r.get("year", ""))}</td><td class="num">{escape(value)}</td>'
                   f'<td class="unit">{escape(label(r.get("unit", "")))}</td>'
                   f'<td><a href="{escape(link(source.get("href", "")))}" data-quoted>'
                   f'{escape(source.get("title", ""))}</a>')
        when = source.get("date")
        if when:
            out.append(f'<br><span class="muted">{escape(t.get("source_" + str(source.get("date_kind")), ""))} '
                       f'<time datetime="{escape(when)}">{escape(date(when, lang))}</time></span>')
        else:
            out.append(f'<br><span class="muted">{escape(t.get("source_undated", ""))}</span>')
        out.append(f'</td><td>{escape(t.get("status_" + str(r.get("status")), ""))}</td></tr>\n')
    return Markup("".join(out))
