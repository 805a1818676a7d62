"""The terminals of the SPARQL 1.1 grammar (§19.8), as a tokenizer that can start at any position.

Pure functions, no parser. `token_at(text, pos)` reads the one terminal that starts at `pos`:
IRIREF, prefixed names (with `PN_LOCAL_ESC` and `%xx` in the local part), blank node labels,
variables, language tags, numbers, the four string forms (with `ECHAR` and `UCHAR`), `NIL`, `ANON`,
comments, white space, keywords and punctuation (the RDF 1.2 `<<`, `>>`, `{|`, `|}`, `~` too).

Where the grammar is ambiguous at the level of terminals, `alternatives(text, token)` lists the
other places a parser may take the next token from. Oxigraph's parser is a PEG parser without a
separate tokenizer, so at a `<` it may read an IRI (any text up to the next `>` that is a valid IRI)
or a comparison operator, depending on the rule it is in; and after `prefix:` it falls back to the
bare prefix when the prefixed name does not make a valid IRI. `guard` follows every such
reading, so what the engine sees is always among the readings checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BASE = ("A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
         "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff")
_U = _BASE + "_"
_CHARS = _U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_VARNAME = f"[{_U}0-9][{_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"
_PREFIX = f"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_LOCAL = f"(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_ECHAR = r"""\\[tbnrf"'\\]"""
_EXP = r"[eE][+-]?[0-9]+"

# One alternative per terminal; the order makes the first match the longest one the grammar allows.
_TOKEN = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in [
    ("ws", r"[ \t\r\n]+"),
    ("comment", r"\#[^\r\n]*"),
    ("iri", f'<(?:[^<>"{{}}|^`\\\\\x00-\x20]|{_UCHAR})*>'),
    ("string", f"'''(?:(?:'|'')?(?:[^'\\\\]|{_ECHAR}|{_UCHAR}))*'''"
               f'|"""(?:(?:"|"")?(?:[^"\\\\]|{_ECHAR}|{_UCHAR}))*"""'
               f"|'(?:[^'\\\\\\n\\r]|{_ECHAR}|{_UCHAR})*'"
               f'|"(?:[^"\\\\\\n\\r]|{_ECHAR}|{_UCHAR})*"'),
    ("var", f"[?$]{_VARNAME}"),
    ("bnode", f"_:[{_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?"),
    ("pname", f"(?:{_PREFIX})?:(?:{_LOCAL})?"),
    ("langtag", r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*(?:--[a-zA-Z]+)?"),
    ("number", f"[0-9]+\\.[0-9]*{_EXP}|\\.[0-9]+{_EXP}|[0-9]+{_EXP}|[0-9]*\\.[0-9]+|[0-9]+"),
    ("nil", r"\([ \t\r\n]*\)"),
    ("anon", r"\[[ \t\r\n]*\]"),
    ("word", r"[A-Za-z_][A-Za-z0-9_]*"),
    ("punct", r"\^\^|&&|\|\||!=|<=|>=|<<\(|\)>>|<<|>>|\{\||\|\}|[{}()\[\];,.*+\-/|^!=<>?~]"),
]))

OPENERS, CLOSERS = frozenset("({["), frozenset(")}]")


@dataclass(frozen=True)
class Token:
    kind: str  # ws, comment, iri, string, var, bnode, pname, langtag, number, nil, anon, word, punct
    start: int
    end: int
    text: str


class LexError(ValueError):
    """No terminal of the grammar starts here."""

    def __init__(self, text: str, pos: int):
        line = text.count("\n", 0, pos) + 1
        column = pos - (text.rfind("\n", 0, pos) + 1) + 1
        super().__init__(f"no SPARQL token starts at line {line}, column {column}: {text[pos:pos + 20]!r}")
        self.pos = pos


def token_at(text: str, pos: int) -> Token:
    """The terminal that starts at `pos` (the longest one, as the grammar says)."""
    m = _TOKEN.match(text, pos)
    if m is None or m.end() == pos:
        raise LexError(text, pos)
    return Token(m.lastgroup, pos, m.end(), m.group())


def tokens(text: str, pos: int = 0):
    """Every terminal of `text` in the grammar's reading (longest match), white space and comments
    left out. Raises LexError where no terminal starts."""
    n = len(text)
    while pos < n:
        tok = token_at(text, pos)
        if tok.kind not in ("ws", "comment"):
            yield tok
        pos = tok.end


def alternatives(text: str, tok: Token, next_gt: int) -> list[int]:
    """Other positions a PEG parser such as Oxigraph's may read the next token from after `tok`'s
    start: `next_gt` is the index of the first `>` after the token's start (-1: none)."""
    if tok.text.startswith("<"):
        ends = [tok.start + 1]  # `<` as an operator
        if text.startswith(("<=", "<<"), tok.start):
            ends.append(tok.start + 2)
        if next_gt > tok.start:
            ends.append(next_gt + 1)  # the engine's own IRI rule: anything up to the next `>`
        return ends
    if tok.kind == "pname":
        return [tok.start + tok.text.index(":") + 1]  # the bare `prefix:`
    return []
