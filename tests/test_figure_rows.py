"""figure_rows writes a statistics table's rows exactly as the template's row did."""

from __future__ import annotations

import pytest

from publisher.web.figure_rows import figure_rows
from publisher.web.i18n import TEXT
from publisher.web.pages import TEMPLATES, with_lang

# the rows as templates/figures.html wrote them before figure_rows, in the same environment
# (autoescape, trim_blocks, lstrip_blocks, the number and date filters)
TEMPLATE_ROWS = TEMPLATES.from_string(
    "{% for r in rows %}\n"
    '<tr>{% if show_municipality %}<td><a href="{{ link(r.municipality_href) }}" data-quoted>'
    "{{ r.municipality_name }}</a></td>{% endif %}<td>{{ r.year }}</td>"
    '<td class="num">{{ r.value|number(lang) }}</td><td class="unit">{{ L(r.unit) }}</td>'
    '<td><a href="{{ link(r.source.href) }}" data-quoted>{{ r.source.title }}</a>{% if r.source.date %}<br>'
    "<span class=\"muted\">{{ t['source_' ~ r.source.date_kind] }} <time datetime=\"{{ r.source.date }}\">"
    "{{ r.source.date|date(lang) }}</time></span>{% else %}<br><span class=\"muted\">{{ t.source_undated }}</span>"
    "{% endif %}</td><td>{{ t['status_' ~ r.status] }}</td></tr>\n"
    "{% endfor %}\n")

ROWS = [
    {"municipality_href": "/doc/municipality/0136", "municipality_name": "Haninge", "year": 2019,
     "value": "3833.50", "unit": {"sv": "ton CO2-ekv/inv", "en": "t CO2e/inh"}, "status": "sourced",
     "source": {"href": "/doc/source/kolada", "title": 'Kolada <N00401> & "more"', "date": "2018-05-17",
                "date_kind": "retrieved"}},
    {"municipality_href": "/doc/municipality/0192", "municipality_name": "Nynäshamn & <Ö>", "year": "2020",
     "value": -12, "unit": {"sv": "procent"}, "status": "estimated",
     "source": {"href": "https://example.org/a?b=1&c=2", "title": "x", "date": "2021", "date_kind": "published"}},
    {"municipality_href": "/doc/municipality/0180", "municipality_name": "Södertälje", "year": 2021,
     "value": "text, not a number", "unit": {}, "status": "unknown-status",
     "source": {"href": "/doc/source/x", "title": "y"}},
    {"year": 2022, "value": "1E+3", "source": {}},
]


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("show_municipality", [True, False])
@pytest.mark.parametrize("explicit", [True, False])
def test_the_rows_are_the_templates_rows(lang, show_municipality, explicit):
    def label(value):  # pages._context's L
        if not value:
            return ""
        return value.get(lang) or value.get("sv") or value.get("en") or ""

    def link(href):  # pages._context's link
        return with_lang(href, lang) if explicit else href

    expected = TEMPLATE_ROWS.render(rows=ROWS, show_municipality=show_municipality, lang=lang, t=TEXT[lang],
                                    L=label, link=link)
    assert str(figure_rows(ROWS, show_municipality, lang, TEXT[lang], label, link)) == expected
    assert expected.count("<tr>") == len(ROWS) and "&lt;N00401&gt; &amp; &#34;more&#34;" in expected
