"""The build runs Python's cyclic collector less often (publisher/dataset/collector.py), and only the build."""

from __future__ import annotations

import gc

import pytest

from publisher.dataset import pipeline
from publisher.dataset.collector import BUILD_THRESHOLDS, fewer_collections


def test_the_thresholds_hold_inside_the_block_and_are_restored_after_it_even_on_an_error():
    before = gc.get_threshold()
    assert before != BUILD_THRESHOLDS
    with fewer_collections():
        assert gc.get_threshold() == BUILD_THRESHOLDS
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("a failing build")
    assert gc.get_threshold() == before


def test_a_build_runs_with_the_builds_thresholds(monkeypatch, settings):
    """`pipeline.build` wraps the whole build: a step sees the build's thresholds, the caller its own."""
    seen = []

    def refuse(*args, **kwargs):
        seen.append(gc.get_threshold())
        raise RuntimeError("stop here")

    monkeypatch.setattr(pipeline, "_build", refuse)
    before = gc.get_threshold()
    with pytest.raises(RuntimeError):
        pipeline.build(settings)
    assert seen == [BUILD_THRESHOLDS] and gc.get_threshold() == before
