"""Reading a rendered page as a person would: its visible text, checked for what no reader should see.

READ_PAGE, evaluated in the browser on a document (the page's own, or a frame's), returns every
visible text node with what the checks need: whether it is quoted data (a name, a title, a
literal, a query: inside an element marked `data-quoted`, or `code`, `pre`, `textarea`,
`.CodeMirror`, or a different `lang` than the page's), the link it is in; the width of the
document's viewport and by how much the page overflows it horizontally."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

READ_PAGE = r"""(doc) => {
  doc = doc || document;
  const pageLang = doc.documentElement.lang;
  const skip = 'script,style,noscript,template,svg title,svg desc';
  const quoted = '[data-quoted],code,pre,textarea,.CodeMirror,.yasr,.yasqe';
  const hidden = new Map();
  const isHidden = (el) => {
    if (hidden.has(el)) return hidden.get(el);
    const r = !el.checkVisibility({visibilityProperty: true}) || el.closest('.skip') !== null;
    hidden.set(el, r); return r;
  };
  const walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_TEXT);
  const out = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.nodeValue.replace(/\s+/g, ' ').trim();
    const el = n.parentElement;
    if (!text || !el || el.closest(skip) || isHidden(el)) continue;
    const langEl = el.closest('[lang]');
    const link = el.closest('a');
    out.push({text, quoted: el.closest(quoted) !== null || (langEl && langEl.lang !== pageLang),
              href: link ? link.href : null, linkText: link ? link.textContent.trim() : null,
              tag: el.tagName.toLowerCase()});
  }
  const root = doc.documentElement;
  return {lang: pageLang, title: doc.title, texts: out, width: root.clientWidth,
          overflow: Math.max(root.scrollWidth, doc.body.scrollWidth) - root.clientWidth};
}"""

IRI = re.compile(r"https?://[^\s<>\"')]+")
PREFIXED = re.compile(r"(?<![\w/.@-])([a-z][a-zA-Z0-9]*-?[a-zA-Z0-9]*):([A-Za-z_][\w-]*)")
CAMEL = re.compile(r"(?<![\w/.#@-])[a-z]+[A-Z][a-zA-Z]*\b")
DOUBLED = re.compile(r"\b([^\W\d_]+)\s+\1\b", re.IGNORECASE | re.UNICODE)
NOT_PREFIXES = {"http", "https", "mailto", "urn"}

# words of one language that are not words of the other (the pages' own vocabulary and function words)
SWEDISH_WORDS = """
alla antal beskrivning beskrivningen datamängd datamängder den det där då efter eller enhet enligt
finns fråga frågor från för har hittades hos här inga ingen inte katalog kommun kommuner källa
källor ladda licens med medlem medlemmar medlemskap mot nedladdning ner nu nyckeltal när nätverk och
också om på sedan sida sidan sidor sig som språk startsidan storlek sök till tjänster utan utgiven
var vars vilka vilken vokabulär värde ändrad är år över
"""
SWEDISH = frozenset(SWEDISH_WORDS.split())
ENGLISH_WORDS = """
about and catalog catalogue dataset datasets description download found from here indicator is
language licence license member members membership memberships municipalities municipality network
networks no number of or page pages queries query search services since size source sources that the
there this to unit value vocabulary which with year years
"""
ENGLISH = frozenset(ENGLISH_WORDS.split())


@dataclass
class Finding:
    url: str
    lang: str
    kind: str
    text: str

    def __str__(self) -> str:
        return f"{self.url} [{self.lang}] {self.kind}: {self.text[:160]!r}"


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", text.lower())


def findings(url: str, lang: str, page: dict, width: int | None = None) -> list[Finding]:
    """What a reader should not see on one page read at one width (see the module docstring)."""
    out: list[Finding] = []
    if page["lang"] != lang:
        out.append(Finding(url, lang, "page language", page["lang"]))
    if width is not None and page["width"] != width:
        out.append(Finding(url, lang, "viewport", f"{page['width']} px wide, not {width} px"))
    if page["overflow"] > 1:
        out.append(Finding(url, lang, "horizontal overflow", f"{page['overflow']} px at {page['width']} px"))
    for node in page["texts"]:
        if not node["quoted"]:
            kinds = _text_findings(lang, node["text"], node["href"], node["linkText"])
            out.extend(Finding(url, lang, kind, node["text"]) for kind in kinds)
    return out


@functools.cache
def _text_findings(lang: str, text: str, href: str | None, link_text: str | None) -> tuple[str, ...]:
    """The checks on one unquoted text node (most recur on every page: the header, the footer, …)."""
    out: list[str] = []
    for iri in IRI.findall(text):
        if not (href and (link_text == iri or href.rstrip("/") == iri.rstrip("/"))):
            out.append("raw IRI")
    for prefix, _ in PREFIXED.findall(IRI.sub("", text)):
        if prefix not in NOT_PREFIXES:
            out.append("prefix:name")
    if CAMEL.search(IRI.sub("", text)):
        out.append("camelCase name")
    if DOUBLED.search(text):
        out.append("doubled word")
    own, other = (SWEDISH, ENGLISH) if lang == "sv" else (ENGLISH, SWEDISH)
    words = _words(IRI.sub(" ", text))
    if any(w in other and w not in own for w in words) and not any(w in own and w not in other for w in words):
        out.append("wrong language")
    return tuple(out)
