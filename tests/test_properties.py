"""Property-based tests (hypothesis, profile "ci" from conftest.py)."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import derivlab

coefficients = st.lists(st.integers(-9, 9), min_size=1, max_size=5)  # degree <= 4
points = st.floats(-3, 3, allow_nan=False, allow_infinity=False)


def _poly(coefs):
    def p(x):
        out = np.zeros_like(x, dtype=float) if isinstance(x, np.ndarray) else 0.0
        for c in reversed(coefs):  # Horner
            out = out * x + c
        return out
    return p


def _exact_poly_derivative(coefs, x, order):
    """The order-th derivative at the float x, in exact rational arithmetic."""
    xq = Fraction(x)
    total = Fraction(0)
    for k, c in enumerate(coefs):
        if k >= order:
            fall = 1
            for j in range(order):
                fall *= k - j
            total += c * fall * xq ** (k - order)
    return total


@given(coefficients, points)
def test_polynomial_first_derivative(coefs, x):
    res = derivlab.derivative(_poly(coefs), x)
    exact = _exact_poly_derivative(coefs, x, 1)
    true_err = abs(Fraction(float(res.value)) - exact)
    assert res.success, res.message
    assert true_err <= Fraction(1e-9) * (1 + abs(exact))
    assert Fraction(float(res.error)) >= true_err


@given(coefficients, points)
def test_polynomial_second_derivative(coefs, x):
    res = derivlab.derivative(_poly(coefs), x, order=2)
    exact = _exact_poly_derivative(coefs, x, 2)
    true_err = abs(Fraction(float(res.value)) - exact)
    assert res.success, res.message
    assert true_err <= Fraction(1e-7) * (1 + abs(exact))
    assert Fraction(float(res.error)) >= true_err


@given(st.integers(1, 4).flatmap(
    lambda n: st.tuples(st.lists(st.integers(-5, 5), min_size=n * n, max_size=n * n),
                        st.lists(st.floats(-2, 2, allow_nan=False), min_size=n, max_size=n))))
def test_quadratic_form(data):
    a_flat, x = data
    n = len(x)
    A = np.array(a_flat, dtype=float).reshape(n, n)
    x = np.array(x)
    f = lambda v: v @ A @ v  # noqa: E731
    sym = A + A.T
    # (A + A^T) x in exact rational arithmetic
    exact = [sum(Fraction(int(sym[i, j])) * Fraction(float(x[j])) for j in range(n))
             for i in range(n)]
    g = derivlab.gradient(f, x)
    assert g.success, g.message
    scale = 1 + np.abs(sym).sum() * (1 + np.abs(x).max())
    # (the error estimate is not checked here: it can fall short for such cancelling f,
    # see test_error_estimate_with_cancellation in test_accuracy.py)
    for i in range(n):
        true_err = abs(Fraction(float(g.value[i])) - exact[i])
        assert true_err <= Fraction(1e-10) * Fraction(float(scale))
    h = derivlab.hessian(f, x)
    assert h.success, h.message
    assert np.all(np.abs(h.value - sym) <= 1e-7 * scale)
    assert np.array_equal(h.value, h.value.T)


@given(st.sampled_from(["exp", "sin"]), st.floats(-5, 5, allow_nan=False))
def test_error_estimate_covers_true_error(name, x):
    f = getattr(np, name)
    res = derivlab.derivative(f, x)
    with mpmath.workdps(40):
        xm = mpmath.mpf(x)
        exact = mpmath.exp(xm) if name == "exp" else mpmath.cos(xm)
        true_err = float(abs(mpmath.mpf(float(res.value)) - exact))
    assert res.success, res.message
    assert res.error >= true_err
    assert true_err <= 1e-12 * max(1.0, float(abs(exact)))


# -- wider: compositions, |x| from 1e-6 to 1e6, float32 -------------------------------------

import functools  # noqa: E402

import sympy  # noqa: E402

from hypothesis import settings  # noqa: E402

_S = sympy.Symbol("x")
#: (name, SymPy expression, numpy function, |x| range where it is smooth and well-scaled)
COMPOSITIONS = {
    "exp_sin": (sympy.exp(sympy.sin(_S)), lambda x: np.exp(np.sin(x)), 1e6),
    "log1p_x2": (sympy.log(1 + _S**2), lambda x: np.log(1 + x * x), 1e6),
    "tanh": (sympy.tanh(_S), np.tanh, 1e6),
    "rational": ((_S**2 + 1) / (_S**2 + 3 * _S + 5), lambda x: (x * x + 1) / (x * x + 3 * x + 5), 1e6),
    "sqrt_1_x2": (sympy.sqrt(1 + _S**2), lambda x: np.sqrt(1 + x * x), 1e6),
    "atan": (sympy.atan(_S), np.arctan, 1e6),
    "sin_exp": (sympy.sin(sympy.exp(_S / 4)), lambda x: np.sin(np.exp(x / 4)), 8.0),
    "x_exp": (_S * sympy.exp(-_S**2 / 8), lambda x: x * np.exp(-x * x / 8), 30.0),
}


@functools.lru_cache(maxsize=None)
def _truth_fn(name, order):
    """The order-th derivative, lambdified once for mpmath."""
    return sympy.lambdify(_S, sympy.diff(COMPOSITIONS[name][0], _S, order), modules="mpmath")


def _points(limit):
    mags = st.floats(-6, np.log10(limit), allow_nan=False).map(lambda e: 10.0**e)
    return st.tuples(mags, st.sampled_from([1.0, -1.0])).map(lambda t: t[0] * t[1])


@st.composite
def _cases(draw):
    name = draw(st.sampled_from(sorted(COMPOSITIONS)))
    x = draw(_points(COMPOSITIONS[name][2]))
    dtype = draw(st.sampled_from([np.float64, np.float64, np.float32]))
    order = draw(st.sampled_from([1, 1, 2]))
    return name, dtype(x), order


@settings(max_examples=120, derandomize=True, deadline=None)
@given(_cases())
def test_compositions_success_implies_honest_error(case):
    name, x, order = case
    res = derivlab.derivative(COMPOSITIONS[name][1], x, order=order)
    if not res.success:
        return
    with mpmath.workdps(30):
        exact = _truth_fn(name, order)(mpmath.mpf(float(x)))
        true_err = float(abs(mpmath.mpf(float(res.value)) - exact))
    assert true_err <= res.error, (name, x, order, res.value, res.error, true_err)


# -- batch == loop on the hostile families (restarts, leaps, plateaus are per element) -----------

_HOSTILE = {
    "relu": lambda a: (lambda t: np.maximum(t - a, 0.0)),
    "abs^3": lambda a: (lambda t: np.abs(t - a) ** 3),
    "hinge^2+t": lambda a: (lambda t: np.maximum(t - a, 0.0) ** 2 + t),
    "round": lambda a: (lambda t: np.round(np.sin(t + a), 5)),
    "wiggle": lambda a: (lambda t: t + 1e-3 * np.sin(2 * np.pi * t / (1 + abs(a)))),
    "sinc": lambda a: (lambda t: np.sin(t - a) / (t - a)),
}


@settings(max_examples=25, derandomize=True, deadline=None)
@given(st.sampled_from(sorted(_HOSTILE)), st.sampled_from([-1.0, 0.0, 0.5]),
       st.lists(st.sampled_from([0.0, 1e-8, -1e-3, 0.5, 1.0 + 1e-6, 1000.0, -2.0]),
                min_size=2, max_size=4), st.sampled_from([1, 2, 3]))
def test_hostile_batch_equals_loop(name, a, xs, order):
    f = _HOSTILE[name](a)
    xs = np.array(xs) + a
    res = derivlab.derivative(f, xs, order=order)
    for i, x in enumerate(xs):
        one = derivlab.derivative(f, x, order=order)
        assert np.array_equal(res.value[i], one.value, equal_nan=True), (name, x)
        assert np.array_equal(res.error[i], one.error, equal_nan=True), (name, x)
        assert res.status[i] == one.status, (name, x)
