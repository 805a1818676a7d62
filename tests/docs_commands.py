"""The shell commands and SPARQL queries of README.md and docs/*.md, read from their fenced blocks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
EXPECTED_STATUS = re.compile(r"#\s*(\d{3})\b")


@dataclass(frozen=True)
class Block:
    file: str
    language: str
    text: str

    def commands(self) -> list[str]:
        """Its command lines: continuation lines joined, comment-only and blank lines left out."""
        joined = self.text.replace("\\\n", " ")
        return [line for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def blocks(root: Path) -> list[Block]:
    files = [root / "README.md", *sorted((root / "docs").glob("*.md"))]
    return [Block(str(f.relative_to(root)), m.group(1), m.group(2))
            for f in files for m in FENCE.finditer(f.read_text(encoding="utf-8"))]


def expected_status(line: str) -> int | None:
    """The status a documented curl line says it gets (`# 406, …`); None: any success (below 400)."""
    _, _, comment = line.partition(" #")
    found = EXPECTED_STATUS.search("#" + comment) if comment else None
    return int(found.group(1)) if found else None


def instrumented(block: Block, port: int) -> str:
    """The block as one bash script against the test server: curl reports each status on stderr,
    and a marker before every command says which line the statuses that follow belong to."""
    lines = ["set -euo pipefail",
             "curl() { command curl -sS -w '%{stderr}@status %{http_code}\\n' \"$@\"; }"]
    for n, command in enumerate(block.commands()):
        lines.append(f"echo '@line {n}' >&2")
        lines.append(command.replace("127.0.0.1:8000", f"127.0.0.1:{port}"))
    return "\n".join(lines) + "\n"


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
