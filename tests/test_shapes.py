"""Shapes, batches, vectorization, input safety and the Result object."""

from __future__ import annotations

import math

import numpy as np
import pytest

import derivlab
from derivlab import Result, Status

XSHAPES = [(), (3,), (2, 3), (2, 1, 2)]


def _scalar_f(x):
    x = np.asarray(x)
    return np.sum(np.sin(x) * np.arange(1, x.size + 1).reshape(x.shape)) + np.sum(x) ** 2


def _x(shape):
    return np.linspace(0.1, 0.9, int(np.prod(shape, dtype=int))).reshape(shape)


@pytest.mark.parametrize("xshape", XSHAPES, ids=str)
def test_gradient_and_hessian_shapes(xshape):
    x = _x(xshape)
    g = derivlab.gradient(_scalar_f, x)
    assert np.shape(g.value) == xshape
    assert np.shape(g.error) == xshape and np.shape(g.status) == xshape
    h = derivlab.hessian(_scalar_f, x)
    assert np.shape(h.value) == xshape + xshape
    assert np.shape(h.error) == xshape + xshape and np.shape(h.status) == xshape + xshape
    assert g.success and h.success
    # the exact gradient: k*cos(x_k) + 2*sum(x)
    k = np.arange(1, x.size + 1).reshape(xshape)
    assert np.allclose(g.value, k * np.cos(x) + 2 * np.sum(x), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("fshape", [(), (2,), (2, 3)], ids=str)
@pytest.mark.parametrize("xshape", XSHAPES, ids=str)
def test_jacobian_shape_is_f_shape_plus_x_shape(xshape, fshape):
    A = np.arange(1.0, 1 + int(np.prod(fshape, dtype=int))).reshape(fshape)

    def f(x):
        return A * np.sum(np.asarray(x) ** 2)

    x = _x(xshape)
    res = derivlab.jacobian(f, x)
    assert np.shape(res.value) == np.shape(f(x)) + np.shape(x)
    assert np.shape(res.error) == fshape + xshape and np.shape(res.status) == fshape + xshape
    exact = np.multiply.outer(A, 2 * x)
    assert np.allclose(res.value, exact, rtol=1e-12, atol=1e-12)


def test_derivative_shapes():
    assert isinstance(derivlab.derivative(np.sin, 0.5).value, float)
    xs = _x((2, 3))
    assert derivlab.derivative(np.sin, xs).value.shape == (2, 3)
    vec = lambda t: np.array([t, t**2, t**3])  # noqa: E731
    assert derivlab.derivative(vec, 2.0).value.shape == (3,)
    res = derivlab.derivative(vec, [1.0, 2.0])
    assert res.value.shape == (2, 3)
    assert np.allclose(res.value, [[1, 2, 3], [1, 4, 12]], rtol=1e-12)


# -- batch == loop ----------------------------------------------------------------------------

PTS = np.random.default_rng(7).normal(size=(5, 2))


def _g(v):
    return np.sin(v[0]) * np.exp(v[1]) + v[0] * v[1] ** 2


def _vf(v):
    return np.array([v[0] * v[1], np.sin(v[0]), np.exp(-v[1])])


def _same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape
    assert np.all((a == b) | (np.abs(a - b) <= 1e-15 * np.abs(b)))


def test_derivative_batch_equals_loop():
    xs = np.linspace(-2, 3, 11)
    res = derivlab.derivative(np.sin, xs)
    _same(res.value, [derivlab.derivative(np.sin, x).value for x in xs])
    assert np.all(res.error >= np.abs(res.value - np.cos(xs)))


@pytest.mark.parametrize("op", ["gradient", "hessian"])
def test_scalar_operators_batch_equals_loop(op):
    fn = getattr(derivlab, op)
    res = fn(_g, PTS, batch=True)
    loop = [fn(_g, p) for p in PTS]
    _same(res.value, [r.value for r in loop])
    _same(res.error, [r.error for r in loop])
    assert res.value.shape == ((5, 2) if op == "gradient" else (5, 2, 2))


def test_jacobian_batch_equals_loop():
    res = derivlab.jacobian(_vf, PTS, batch=True)
    assert res.value.shape == (5, 3, 2)
    _same(res.value, [derivlab.jacobian(_vf, p).value for p in PTS])


def _raises_at_one(x):
    if 0.5 <= x <= 1.5:  # around 1 (f undefined at x alone is a removable gap: sin(x)/x at 0)
        raise ValueError("undefined at 1")
    return x**2


@pytest.mark.parametrize("xs", [[2.0, 1.0, 3.0], [2.0, 3.0, 1.0]])
def test_points_where_f_raises_fail_alone(xs):
    res = derivlab.derivative(_raises_at_one, xs)
    for i, x in enumerate(xs):
        if x == 1.0:
            assert res.status[i] == Status.NONFINITE and np.isnan(res.value[i])
        else:
            assert res.status[i] == Status.OK and abs(res.value[i] - 2 * x) <= 1e-12
    assert "ValueError: undefined at 1" in res.message


def test_f_raising_at_first_point_does_not_sink_the_batch():
    res = derivlab.derivative(_raises_at_one, [1.0, 2.0, 3.0])
    assert res.status.tolist()[1:] == [Status.OK, Status.OK]
    assert np.allclose(res.value[1:], [4.0, 6.0], rtol=1e-12)

    def g(v):
        if v[0] < 0:
            raise ValueError("negative")
        return v[0] ** 2 + v[1]

    res = derivlab.gradient(g, np.array([[-1.0, 1.0], [2.0, 1.0]]), batch=True)
    assert np.allclose(res.value[1], [4.0, 1.0], rtol=1e-12)


# -- vectorized=True / False / None ---------------------------------------------------------

def _gv(v):
    return np.sin(v[..., 0]) * np.exp(v[..., 1]) + v[..., 0] * v[..., 1] ** 2


def _vfv(v):
    return np.stack([v[..., 0] * v[..., 1], np.sin(v[..., 0]), np.exp(-v[..., 1])], axis=-1)


CASES = [
    ("derivative", np.sin, np.linspace(-1, 2, 7), {}),
    ("gradient", _gv, np.array([0.3, 0.4]), {}),
    ("gradient", _gv, PTS, {"batch": True}),
    ("jacobian", _vfv, np.array([0.3, 0.4]), {}),
    ("hessian", _gv, np.array([0.3, 0.4]), {}),
]


@pytest.mark.parametrize("op, f, x, kw", CASES, ids=[f"{c[0]}{'-batch' if c[3] else ''}"
                                                      for c in CASES])
def test_vectorized_modes_agree(op, f, x, kw):
    fn = getattr(derivlab, op)
    runs = {v: fn(f, x, vectorized=v, **kw) for v in (True, False, None)}
    ref = runs[False]
    assert ref.ncalls == ref.nfev  # one call per point
    for v in (True, None):
        r = runs[v]
        assert np.array_equal(r.value, ref.value)
        assert np.array_equal(r.error, ref.error)
        assert np.array_equal(r.status, ref.status)
        assert r.ncalls < ref.ncalls
    assert runs[True].nfev == ref.nfev
    # detection (None) counts the three points it evaluates twice to check a batch call
    assert runs[None].nfev - ref.nfev in (0, 3)


def test_non_vectorized_functions_with_default_detection():
    res = derivlab.derivative(math.sin, [0.5, 1.0, 2.0])
    assert res.success
    assert np.allclose(res.value, np.cos([0.5, 1.0, 2.0]), rtol=1e-12)

    def branchy(x):
        if x > 0:
            return x**2
        return -(x**3)

    res = derivlab.derivative(branchy, [1.5, -2.0])
    assert res.success
    assert np.allclose(res.value, [3.0, -12.0], rtol=1e-12)
    # a gradient f that indexes coordinates: v[0] of a batch is a point, not a coordinate
    res = derivlab.gradient(lambda v: v[0] * v[1] + math.exp(v[1]), [1.0, 2.0])
    assert res.success
    assert np.allclose(res.value, [2.0, 1.0 + math.exp(2.0)], rtol=1e-12)


# -- the user's x is never touched ----------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.int32, np.int8, np.uint16])
@pytest.mark.parametrize("op", ["derivative", "gradient", "hessian"])
def test_input_never_mutated_nor_shared(op, dtype):
    x = np.array([1, 2, 3], dtype=dtype)
    keep = x.copy()
    seen = []

    def f(v):
        seen.append(v)
        out = np.sum(np.asarray(v, dtype=float) ** 3) if op != "derivative" else v**3
        if isinstance(v, np.ndarray):
            v[...] = 99  # a function that scribbles on its argument, like the seeds
        return out

    res = getattr(derivlab, op)(f, x)
    assert np.array_equal(x, keep) and x.dtype == keep.dtype
    assert seen
    for v in seen:
        assert v is not x
        assert not np.shares_memory(v, x)
    assert res.success
    exact = {"derivative": 3 * keep.astype(float) ** 2, "gradient": 3 * keep.astype(float) ** 2,
             "hessian": np.diag(6 * keep.astype(float))}[op]
    assert np.allclose(res.value, exact, rtol=1e-6 if dtype == np.float32 else 1e-9, atol=1e-9)


def test_list_input_unchanged():
    x = [1.0, 2.0]
    derivlab.gradient(lambda v: v[0] * v[1], x)
    assert x == [1.0, 2.0]


@pytest.mark.parametrize("op", ["gradient", "jacobian"])
def test_int_input_gives_float_gradient(op):
    # the seeds' zeros_like(int x) truncated every partial to an integer
    f = (lambda v: np.sum(np.sqrt(v))) if op == "gradient" else (lambda v: np.sqrt(v))
    res = getattr(derivlab, op)(f, np.array([1, 2, 3]))
    assert res.value.dtype.kind == "f"
    diag = 0.5 / np.sqrt([1.0, 2.0, 3.0])
    exact = diag if op == "gradient" else np.diag(diag)
    assert np.allclose(res.value, exact, rtol=1e-12, atol=1e-14)
    assert not np.array_equal(res.value, np.trunc(res.value))


# -- args, unpack ----------------------------------------------------------------------------

def test_args_passed_through():
    res = derivlab.derivative(lambda x, a, b: a * x**2 + b, 3.0, args=(2.0, 5.0))
    assert abs(res.value - 12.0) <= 1e-12
    res = derivlab.gradient(lambda v, a: a * np.sum(v**2), [1.0, 2.0], args=(3.0,))
    assert np.allclose(res.value, [6.0, 12.0], rtol=1e-12)
    res = derivlab.gradient(lambda x, y, a: a * x * y, [1.0, 2.0], unpack=True, args=(3.0,))
    assert np.allclose(res.value, [6.0, 3.0], rtol=1e-12)
    res = derivlab.hessian(lambda v, c: c * v[0] ** 2 * v[1], [1.0, 2.0], args=(0.5,))
    assert np.allclose(res.value, [[2.0, 1.0], [1.0, 0.0]], atol=1e-8)
    res = derivlab.derivative(np.sin, 1.0, args=(), step=1e-3)
    assert res.status == Status.FIXED_STEP


def test_unpack_batch():
    f = lambda x, y: x**2 * y  # noqa: E731
    pts = np.array([[1.0, 2.0], [3.0, -1.0]])
    res = derivlab.gradient(f, pts, unpack=True, batch=True)
    assert np.allclose(res.value, [[4.0, 1.0], [-6.0, 9.0]], rtol=1e-12)


# -- Result -----------------------------------------------------------------------------------

def test_result_conversions_and_repr():
    res = derivlab.derivative(np.sin, 1.0)
    assert isinstance(res, Result)
    assert float(res) == res.value
    assert np.asarray(res).shape == () and float(np.asarray(res)) == res.value
    assert np.asarray(res, dtype=np.float32).dtype == np.float32
    text = repr(res)
    assert "value=" in text and "error=" in text and "success=True" in text
    assert repr(res.value) in text
    assert isinstance(res.nfev, int) and res.nfev > 0
    assert isinstance(res.method, str) and "central" in res.method
    assert res.message == "converged"
    assert Status(int(res.status)) is Status.OK

    g = derivlab.gradient(lambda v: np.sum(v**2), [1.0, 2.0])
    assert np.array_equal(np.asarray(g), g.value)
    copy = np.array(g)  # a copy: writing to it leaves the result alone
    copy[0] = 99.0
    assert g.value[0] != 99.0
    assert not np.shares_memory(np.array(g, copy=True), g.value)
    assert "value=" in repr(g) and "error=" in repr(g)
    with pytest.raises(TypeError):
        float(g)
