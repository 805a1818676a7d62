"""The commands of README.md and docs/*.md: the lines of their fenced `sh` blocks, the inline code
spans that are commands, and the SPARQL queries of their `sparql` blocks.

An inline code span is a command when it has at least two words and its first word (after any
`NAME=value` assignments) is a program: one of KNOWN_PROGRAMS, on PATH, in `.venv/bin/`, or an
executable file of the project (`.venv/bin/python`, `deploy/virtuoso-run`). A span of one word (`make`, `publisher`,
`nginx`, `.ci/run`) names a program or a file and is not a command; `publisher/build` is a folder.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
# a code span (CommonMark): a run of backticks, its content (line breaks read as spaces), the same run
SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
EXPECTED_STATUS = re.compile(r"#\s*(\d{3})\b")


@dataclass(frozen=True)
class Block:
    file: str
    language: str
    text: str

    def commands(self) -> list[str]:
        """Its command lines: continuation lines joined, comment-only and blank lines left out."""
        joined = re.sub(r"\s*\\\n\s*", " ", self.text)
        return [line for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@dataclass(frozen=True)
class Command:
    file: str
    line: int
    text: str  # as written (a block's line with its comment, a span with its whitespace collapsed)
    block: Block | None  # the fenced block it is a line of; None for an inline span

    @property
    def bare(self) -> str:
        """The command without its trailing comment and without a leading `$ `."""
        return strip_comment(self.text)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.text}"


def documents(root: Path) -> list[Path]:
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def blocks(root: Path) -> list[Block]:
    return [Block(str(f.relative_to(root)), m.group(1), m.group(2))
            for f in documents(root) for m in FENCE.finditer(f.read_text(encoding="utf-8"))]


def strip_comment(line: str) -> str:
    """`make run     # set up …` → `make run` (a `#` after whitespace, outside quotes, starts a comment)."""
    quote = None
    for i, c in enumerate(line):
        if quote:
            quote = None if c == quote else quote
        elif c in "'\"":
            quote = c
        elif c == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i].rstrip()
    return line.rstrip()


# programs a document might tell a reader to run that this machine may lack: found wherever they are
KNOWN_PROGRAMS = frozenset({"apt", "apt-get", "sudo", "docker", "podman", "kubectl", "systemctl", "wget", "git",
                            "npm", "npx", "node", "pip", "pip3", "python3", "uv", "pytest", "ruff", "mypy",
                            "oxigraph", "virtuoso-t", "isql-vt", "nginx", "wrk"})


def is_program(word: str, root: Path) -> bool:
    if "/" not in word:
        return word in KNOWN_PROGRAMS or shutil.which(word) is not None or (root / ".venv" / "bin" / word).exists()
    path = root / word
    return path.is_file() and os.access(path, os.X_OK) or (word.startswith("/") and shutil.which(word) is not None)


def is_command(span: str, root: Path) -> bool:
    words = span.split()
    while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):
        words = words[1:]
    return len(words) >= 2 and is_program(words[0], root)


def commands(root: Path) -> list[Command]:
    """Every command of the documents, in order: the lines of the `sh` blocks and the inline commands."""
    found: list[Command] = []
    for path in documents(root):
        name = str(path.relative_to(root))
        text = path.read_text(encoding="utf-8")
        for m in FENCE.finditer(text):
            if m.group(1) == "sh":
                block = Block(name, "sh", m.group(2))
                first = text.count("\n", 0, m.start()) + 2
                for command in block.commands():
                    found.append(Command(name, first, command.strip(), block))
        # inline spans, outside the fenced blocks (blanked, keeping the line numbers)
        prose = FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
        for m in SPAN.finditer(prose):
            span = " ".join(m.group(2).split())
            if is_command(span, root):
                found.append(Command(name, prose.count("\n", 0, m.start()) + 1, span, None))
    return found


def expected_status(line: str) -> int | None:
    """The status a documented curl line says it gets (`# 406, …`); None: any success (below 400)."""
    _, _, comment = line.partition(" #")
    found = EXPECTED_STATUS.search("#" + comment) if comment else None
    return int(found.group(1)) if found else None


def instrumented(lines: list[str]) -> str:
    """Lines as one bash script: curl reports each status on stderr, and a marker before every
    line says which line the statuses that follow belong to."""
    script = ["set -euo pipefail",
              "curl() { command curl -sS -w '%{stderr}@status %{http_code}\\n' \"$@\"; }"]
    for n, command in enumerate(lines):
        script.append(f"echo '@line {n}' >&2")
        script.append(command)
    return "\n".join(script) + "\n"


def statuses_by_line(stderr: str) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    line = -1
    for row in stderr.splitlines():
        if row.startswith("@line "):
            line = int(row.split()[1])
            found[line] = []
        elif row.startswith("@status "):
            found.setdefault(line, []).append(int(row.split()[1]))
    return found
