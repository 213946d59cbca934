"""Many points are walked a chunk of base points at a time (memory stays bounded): the
numbers are those of one walk over all points, bit for bit."""

import numpy as np
import pytest

import derivlab
import derivlab.engine as engine

XS = np.concatenate([np.linspace(-3, 3, 61), [0.0, 1e-9, 1e3]])


def _same(a, b):
    for name in ("value", "error", "step"):
        assert np.array_equal(np.asarray(getattr(a, name)), np.asarray(getattr(b, name)),
                              equal_nan=True), name
    assert np.array_equal(np.asarray(a.status, int), np.asarray(b.status, int))
    assert a.nfev == b.nfev and a.message == b.message


CASES = {
    "abs": lambda: derivlab.derivative(np.abs, XS),
    "sqrt_domain": lambda: derivlab.derivative(np.sqrt, np.abs(XS), domain=(0, np.inf)),
    "sin_order3": lambda: derivlab.derivative(np.sin, XS, order=3),
    "complex": lambda: derivlab.derivative(np.exp, XS, method="complex"),
    "fixed": lambda: derivlab.derivative(np.cos, XS, step=1e-4),
    "vector_f": lambda: derivlab.derivative(lambda x: np.stack([np.sin(x), np.abs(x)], -1), XS),
    "batch_gradient": lambda: derivlab.gradient(
        lambda v: np.sum(np.abs(v) ** 1.5 + np.sin(v), axis=-1), np.stack([XS, XS[::-1]], 1),
        batch=True),
    "batch_hessian": lambda: derivlab.hessian(
        lambda v: np.sum(v ** 2 * np.cos(v), axis=-1), np.stack([XS, 2 * XS], 1), batch=True),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_chunked_walk_is_the_same_walk(name, monkeypatch):
    whole = CASES[name]()
    monkeypatch.setattr(engine, "CHUNK_OUTPUTS", 5)  # a few base points per chunk
    _same(CASES[name](), whole)


def test_chunks_follow_base_points():
    """Every chunk holds whole base points, the last one the rest."""
    comps = engine.Components(np.repeat(np.arange(10), 3), None, None, None, [], None, None)
    chunks = engine._chunks(comps, 2, 10)
    assert chunks[0][0] == 0 and chunks[-1][1] == 10
    assert all(b == c for (_, b), (c, _) in zip(chunks, chunks[1:]))
