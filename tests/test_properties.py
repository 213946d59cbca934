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
