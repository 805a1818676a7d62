"""What a query may ask of this endpoint, decided on its tokens before the engine sees it. Pure functions.

- `SERVICE` is refused: the engine would send a request to any IRI the query names. The decision
  is made on the grammar's terminals (lexer.py), following *every* reading a PEG parser may
  take where the terminals are ambiguous (`<` as IRI or operator; `prefix:` alone), so a keyword
  the engine would see cannot hide in what one reading takes for an IRI, a string, a comment or a
  local name. Oxigraph matches keywords without word boundaries (`SERVICE:x`, `SERVICEex:y` and
  `trueSERVICE` are all read as SERVICE), so any name token that contains the letters is refused.
  This is the polite fence: the serving process also cannot open a network socket at all
  (net_fence), whatever a query says.
- Cost: the engine's parser and planner are superlinear in some shapes (a flat `1+1+…` chain is
  quadratic, a group of triple patterns costs about n⁴ to plan), so the number of operators in one
  chain and of triple patterns in the query are bounded, with the bracket nesting and the length.
  Brackets inside what one reading takes for an IRI count too (another reading may nest them).
  Whatever slips past these bounds still runs on a thread whose stack is sized for the longest
  query accepted (engine.py) and under the time limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from .lexer import CLOSERS, OPENERS, LexError, Token, alternatives, token_at

CHAIN_OPERATORS = frozenset({"+", "*", "/", "|", "UNION"})  # left-associative chains the engine handles in O(n²)
PATTERN_SEPARATORS = frozenset({".", ";", ","})
NAME_KINDS = frozenset({"word", "pname", "bnode", "langtag", "number", "punct", "nil", "anon"})
WORK_PER_CHARACTER = 16  # the readings followed may scan at most this many characters per character


class QueryRejected(ValueError):
    """The query is refused before parsing; the message says why, for the person who sent it."""


@dataclass(frozen=True)
class Limits:
    length: int = 50_000  # characters
    depth: int = 100  # bracket nesting
    chain: int = 128  # operators in one flat chain (+ * / | UNION at one bracket level)
    patterns: int = 100  # triple patterns (separated by . ; , inside braces)


@dataclass(frozen=True)
class Shape:
    depth: int
    chain: int
    patterns: int


def check_query(query: str, limits: Limits = Limits()) -> Shape:
    """Raise QueryRejected when the query is too long, too big for the engine, or federated."""
    if len(query) > limits.length:
        raise QueryRejected(f"query is {len(query)} characters long; this endpoint accepts at most {limits.length}")
    where = find_service(query)
    if where is not None:
        raise QueryRejected(
            f"SERVICE (federated query) is not supported: this endpoint never sends requests to other servers "
            f"(the letters SERVICE at line {_line(query, where)} are read as that keyword)")
    shape = measure(query, limits)
    if shape.depth > limits.depth:
        raise QueryRejected(f"query nests brackets {shape.depth} deep; this endpoint accepts at most {limits.depth}")
    if shape.chain > limits.chain:
        raise QueryRejected(f"query chains {shape.chain} operators (+ * / | UNION) in one expression or path; "
                            f"this endpoint accepts at most {limits.chain}")
    if shape.patterns > limits.patterns:
        raise QueryRejected(f"query has about {shape.patterns} triple patterns; this endpoint accepts at most "
                            f"{limits.patterns} (split it, or use VALUES for long lists)")
    return shape


def find_service(text: str) -> int | None:
    """The position of the letters SERVICE where some reading of `text` makes them the keyword of a
    federated pattern (`SERVICE` [`SILENT`] var-or-IRI `{`), or None.

    Every position a reading can reach is visited once (a reading that meets no terminal ends
    there), so the work is linear in the length, bounded by WORK_PER_CHARACTER.
    """
    low = text.lower()
    if "service" not in low:
        return None
    next_gt, next_nl = _next_index(text, ">"), _next_index(text, "\n")
    budget = WORK_PER_CHARACTER * max(len(text), 1000)
    todo, seen = [0], set()
    while todo:
        pos = todo.pop()
        if pos in seen or pos >= len(text):
            continue
        seen.add(pos)
        tok = _read(text, pos, next_nl)
        if tok is None:
            continue
        budget -= tok.end - tok.start if tok.kind != "comment" else 1
        if budget < 0:
            raise QueryRejected("query is too irregular to check (its tokens can be read in too many ways)")
        if tok.kind in NAME_KINDS:
            k = low.find("service", tok.start, tok.end)
            while k >= 0:
                if _service_clause_at(text, k + len("service"), next_gt, next_nl):
                    return k
                k = low.find("service", k + 1, tok.end)
        todo.append(tok.end)
        todo.extend(alternatives(text, tok, next_gt[pos]))
    return None


def _read(text: str, pos: int, next_nl: list[int]) -> Token | None:
    """The token at `pos`, or None; a comment is found in constant time (it ends at the line's end)."""
    if text[pos] == "#":
        end = next_nl[pos] if next_nl[pos] >= 0 else len(text)
        return Token("comment", pos, end, "")
    try:
        return token_at(text, pos)
    except LexError:
        return None


def _service_clause_at(text: str, pos: int, next_gt: list[int], next_nl: list[int]) -> bool:
    """Whether, right after the keyword SERVICE, the text can go on as `SILENT`? var-or-IRI `{`."""
    pos = _skip_space(text, pos, next_nl)
    starts = [pos]
    if text[pos:pos + 6].upper() == "SILENT":
        starts.append(_skip_space(text, pos + 6, next_nl))
    for start in starts:
        for end in _var_or_iri_ends(text, start, next_gt):
            if text.startswith("{", _skip_space(text, end, next_nl)):
                return True
    return False


def _var_or_iri_ends(text: str, pos: int, next_gt: list[int]) -> list[int]:
    if pos >= len(text):
        return []
    if text[pos] == "<":  # the engine's IRI rule: anything up to the next `>`
        return [next_gt[pos] + 1] if next_gt[pos] > pos else []
    try:
        tok = token_at(text, pos)
    except LexError:
        return []
    if tok.kind == "var":
        return [tok.end]
    if tok.kind == "pname":
        return [tok.end, *alternatives(text, tok, -1)]
    return []


def _skip_space(text: str, pos: int, next_nl: list[int]) -> int:
    n = len(text)
    while pos < n:
        if text[pos] in " \t\r\n":
            pos += 1
        elif text[pos] == "#":
            pos = next_nl[pos] if next_nl[pos] >= 0 else n
        else:
            break
    return pos


def measure(text: str, limits: Limits | None = None) -> Shape:
    """Depth, longest operator chain and triple patterns in the grammar's reading of `text`
    (as soon as one passes `limits`, the measure stops there).

    Where no terminal starts, one character is skipped (the engine will report the syntax error);
    brackets inside IRIs are counted as if they were brackets (another reading may nest them).
    """
    depth = deepest = chain = patterns = 0
    chains: list[int] = [0]  # operators so far, per open bracket
    kinds: list[str] = []  # the open brackets
    pos, n = 0, len(text)
    while pos < n:
        try:
            tok = token_at(text, pos)
        except LexError:
            pos += 1
            continue
        pos = tok.end
        t = tok.text
        if tok.kind == "punct" and t in OPENERS:
            depth += 1
            deepest = max(deepest, depth)
            kinds.append(t)
            chains.append(0)
        elif tok.kind == "punct" and t in CLOSERS:
            depth = max(0, depth - 1)
            if kinds:
                kinds.pop()
                chains.pop()
        elif (t if tok.kind == "punct" else t.upper() if tok.kind == "word" else "") in CHAIN_OPERATORS:
            chains[-1] += 1
            chain = max(chain, chains[-1])
        elif tok.kind == "punct" and t in PATTERN_SEPARATORS and kinds and kinds[-1] in "{[":
            patterns += 1
        elif tok.kind == "iri":
            inner, ops = _iri_shape(t)
            deepest = max(deepest, depth + inner)
            chain = max(chain, chains[-1] + ops)
        if limits is not None and (deepest > limits.depth or chain > limits.chain or patterns > limits.patterns):
            break
    return Shape(deepest, chain, patterns)


def _iri_shape(iri: str) -> tuple[int, int]:
    """Bracket nesting and operator characters inside an IRI's text."""
    depth = deepest = 0
    for ch in iri:
        if ch in "([":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]":
            depth = max(0, depth - 1)
    return deepest, sum(iri.count(op) for op in "+*/|")


def _next_index(text: str, char: str) -> list[int]:
    """For every index, the index of the first `char` at or after it (-1: none)."""
    out, nxt = [-1] * (len(text) + 1), -1
    for i in range(len(text) - 1, -1, -1):
        if text[i] == char:
            nxt = i
        out[i] = nxt
    return out


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1

