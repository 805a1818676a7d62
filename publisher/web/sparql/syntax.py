"""A malformed query's error message that points at the mistake, for the person who made it.

Oxigraph reports where its parser stopped and what it expected there (`error at 4:11: expected
OPTIONAL`). A mistyped keyword is read by its parser as something else, so that position and
expectation can point past the mistake (`SELEC ?x …` gives "error at 1:10: expected CONSTRUCT").
The message here keeps the parser's line, column and expected token, quotes that line with a caret
under the column, and, when a bare word before that point is not a SPARQL keyword but close to one
(`SELEC`, `FILTR`, `WHER`), names it with its own line and column and the keyword meant.
"""

from __future__ import annotations

import difflib
import re

from .lexer import LexError, tokens

KEYWORD_TEXT = """
BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK DISTINCT REDUCED FROM NAMED WHERE GROUP BY HAVING ORDER
ASC DESC LIMIT OFFSET VALUES OPTIONAL GRAPH SERVICE SILENT BIND UNDEF MINUS UNION FILTER AS NOT IN
EXISTS STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN
UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS
MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT
SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE COUNT SUM MIN MAX AVG SAMPLE
GROUP_CONCAT SEPARATOR TRUE FALSE A
"""
KEYWORDS = tuple(KEYWORD_TEXT.split())
KEYWORD_SET = frozenset(KEYWORDS)
WHERE = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)


def _position(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


def _offset(text: str, line: int, column: int) -> int:
    """The character offset of a 1-based line and column (Oxigraph counts columns in characters)."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    return min(len(text), starts[min(line, len(starts)) - 1] + max(column - 1, 0))


def _misspelt(text: str, until: int) -> tuple[str, int, str] | None:
    """(word, offset, keyword) for the last bare word before `until` that is close to a keyword."""
    found = None
    try:
        for tok in tokens(text):
            if tok.start > until:
                break
            if tok.kind == "word" and tok.text.upper() not in KEYWORD_SET:
                close = difflib.get_close_matches(tok.text.upper(), KEYWORDS, n=1, cutoff=0.75)
                if close:
                    found = (tok.text, tok.start, close[0])
    except LexError:
        pass
    return found


def explain(query: str, parser_message: str) -> str:
    """The message for a query Oxigraph could not parse."""
    m = WHERE.match(parser_message.strip())
    if m is None:
        return f"malformed query: {parser_message}"
    line, column, expected = int(m.group(1)), int(m.group(2)), m.group(3).strip()
    lines = query.split("\n")
    quoted = lines[line - 1] if 0 < line <= len(lines) else ""
    parts = [f"malformed query: line {line}, column {column}: {expected} "
             f"(the parser's words: error at {line}:{column})"]
    guess = _misspelt(query, _offset(query, line, column))
    if guess is not None:
        word, offset, keyword = guess
        wline, wcolumn = _position(query, offset)
        parts.append(f"{word!r} at line {wline}, column {wcolumn} is not a SPARQL keyword: "
                     f"did you mean {keyword}?")
        if wline != line:
            prefix = f"line {wline}: "
            parts.append(prefix + lines[wline - 1].rstrip() + "\n" + " " * (len(prefix) + wcolumn - 1) + "^")
            return "\n".join(parts)
        column = wcolumn
    if quoted:
        prefix = f"line {line}: "
        parts.append(prefix + quoted.rstrip() + "\n" + " " * (len(prefix) + column - 1) + "^")
    return "\n".join(parts)
