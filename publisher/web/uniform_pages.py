"""Observations' documents from templates, once a template has shown it writes them byte for byte.

An observation's document is assembled on request (release/assemble.py): ~0.5 ms for RDF and
~1.5 ms for a page, where a stored document costs ~0.05 ms. Observations are 85-97 % of a large
release's documents. Their documents differ only in the observation's own values
(release/uniform_slots.py), so each (class, representation) gets a template (release/slot_templates.py):

- learning: the first requests of a class are answered the general way, and the last SAMPLES of
  them kept as samples; once those hold different values in every slot, each is tried as the exemplar: its
  template, narrowed by the others (at each place only the transforms that gave every sample's text
  there are kept), must write every sample byte for byte. If none does, or a slot never varied
  within MAX_SAMPLES requests, the class and representation stay with the general way ("off");
- ready: documents are filled in (~0.03 ms); where the template cannot say for sure (a place whose
  exemplar text several transforms gave, and which the new values would write differently) the
  document is made the general way, and the template narrowed by it (as the samples narrowed it).
  Every CHECK_EVERY-th filled document is also made the general way and compared; a difference
  turns the template off for good, logs it, and the general answer is sent.

The state is per serving process: at most LEARNER_LIMIT (class, representation) pairs (a cube has
tens of classes), each holding at most SAMPLES documents while it learns.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from ..release.slot_templates import Slots, Template, cut

SAMPLES = 4  # documents with pairwise different values that a template must reproduce
MAX_SAMPLES = 24  # documents of a class seen while waiting for every slot to vary (the last SAMPLES kept)
CHECK_EVERY = 997  # a filled document also made the general way, and compared
LEARNER_LIMIT = 1000  # (class, representation) pairs tracked; beyond that (not a cube's shape), the general way

log = logging.getLogger("publisher.uniform")


@dataclass
class _Learner:
    samples: list[tuple[Slots, str]] = field(default_factory=list)
    template: Template | None = None
    off: bool = False
    filled: int = 0
    seen: int = 0  # samples taken


def _varied(samples: list[tuple[Slots, str]]) -> bool:
    """Every slot holds at least two different values among the samples."""
    names = samples[0][0].keys()
    return all(len({s[name] for s, _ in samples}) > 1 for name in names)


def _learn(samples: list[tuple[Slots, str]]) -> Template | None:
    """The template, cut from one of the samples and narrowed by the others (each place keeps the
    transforms that gave every sample's text there), that writes every sample byte for byte; None if
    no sample's does."""
    for exemplar_slots, exemplar in samples:
        template = cut(exemplar, exemplar_slots)
        for slots, body in samples:
            if template is not None and slots is not exemplar_slots:
                template = template.narrowed(body, slots)
        if template is not None and all(template.fill(s) == body for s, body in samples):
            return template
    return None


class UniformPages:
    """Templates per (class, representation), learnt from the documents this process made."""

    def __init__(self) -> None:
        self._learners: dict[tuple, _Learner] = {}
        self._lock = threading.Lock()

    def document(self, cls: tuple, variant: tuple, slots: Slots, general: Callable[[], bytes]) -> tuple[bytes, bool]:
        """The document (UTF-8) of the resource with `slots`, of class `cls`, in `variant`, and whether
        a template wrote it; `general()` makes it the general way."""
        learner = self._learner(cls, variant)
        if learner is None or learner.off:
            return general(), False
        template = learner.template
        if template is None:
            body = general()
            self._sample(learner, cls, variant, slots, body.decode("utf-8"))
            return body, False
        body = template.fill_bytes(slots)
        if body is None:  # a value the samples could not tell the spellings of apart: learn from this one
            expected = general()
            text = expected.decode("utf-8")
            narrowed = template.narrowed(text, slots)
            if narrowed is not None and narrowed.fill(slots) == text:
                learner.template = narrowed
            return expected, False
        learner.filled += 1
        if learner.filled % CHECK_EVERY == 0:
            expected = general()
            if expected != body:
                learner.off, learner.template = True, None
                log.warning("template for %s %s turned off: it wrote %s differently", variant, cls[:2],
                            slots.get("key"))
                return expected, False
        return body, True

    def _learner(self, cls: tuple, variant: tuple) -> _Learner | None:
        learner = self._learners.get((cls, variant))
        if learner is None:
            with self._lock:
                if len(self._learners) >= LEARNER_LIMIT:
                    return None
                learner = self._learners.setdefault((cls, variant), _Learner())
        return learner

    def _sample(self, learner: _Learner, cls: tuple, variant: tuple, slots: Slots, text: str) -> None:
        with self._lock:
            if learner.template is not None or learner.off or any(s == slots for s, _ in learner.samples):
                return
            learner.samples = [*learner.samples[-(SAMPLES - 1):], (slots, text)]
            learner.seen += 1
            if len(learner.samples) == SAMPLES and _varied(learner.samples):
                learner.template = _learn(learner.samples)
                learner.off = learner.template is None
            elif learner.seen >= MAX_SAMPLES:
                learner.off = True
            if learner.off:
                log.info("no template for %s %s: the general way", variant, cls[:2])
            if learner.template is not None or learner.off:
                learner.samples = []
