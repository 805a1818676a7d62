"""The errors the publisher reports to people. Each carries what the reader needs to fix it."""

from __future__ import annotations

from dataclasses import dataclass


class PublisherError(Exception):
    """Base class: every error the CLI turns into a message and an exit code."""

    exit_code = 2


@dataclass(frozen=True, order=True)
class SourceProblem:
    """One problem in a source data file, located as precisely as we can."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class SourceDataError(PublisherError):
    """The YAML/CSV source data cannot be read; lists every problem found, not just the first."""

    exit_code = 2

    SHOWN = 100  # problems spelled out; the rest are counted (a broken bulk file can have thousands)

    def __init__(self, problems: list[SourceProblem]):
        self.problems = sorted(set(problems))
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the source data:"
        lines = [head, *(f"  {p}" for p in self.problems[:self.SHOWN])]
        if n > self.SHOWN:
            lines.append(f"  ... and {n - self.SHOWN} more problems (fix these first; the rest are often the same)")
        super().__init__("\n".join(lines))


class ValidationFailure(PublisherError):
    """The built graph does not conform to the SHACL shapes (or another published check)."""

    exit_code = 1

    def __init__(self, report_text: str):
        super().__init__(report_text)


class ConfigError(PublisherError):
    """A setting or command-line option is wrong."""

    exit_code = 2


class NoReleaseError(PublisherError):
    """Nothing has been built yet, so there is nothing to serve."""

    exit_code = 2


class DumpMismatch(PublisherError):
    """A dump re-parsed by an independent parser does not hold the graph we meant to write."""

    exit_code = 3


class ReleaseIOError(PublisherError):
    """The release could not be written (disk full, read-only, permissions); nothing was published."""

    exit_code = 5
