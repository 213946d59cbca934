"""Accuracy against independent truths (SymPy derivatives evaluated by mpmath at 40 digits).

Every successful result must come with an error estimate that bounds its true
error, and numerical trouble must show up as a status, never as a confident
wrong number.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy

import derivlab
from derivlab import Status
from _truth import DPS, abs_err, exact_derivative, exact_partial, rel_err

X = sympy.Symbol("x")

#: (name, SymPy expression, numpy function, point)
FUNCTIONS = [
    ("exp", sympy.exp(X), np.exp, 0.7),
    ("sin", sympy.sin(X), np.sin, 1.3),
    ("cos", sympy.cos(X), np.cos, -0.4),
    ("log", sympy.log(X), np.log, 2.5),
    ("sqrt", sympy.sqrt(X), np.sqrt, 3.0),
    ("atan", sympy.atan(X), np.arctan, 0.8),
    ("tanh", sympy.tanh(X), np.tanh, 0.3),
    ("poly5", X**5 - 3 * X**3 + X, lambda x: x**5 - 3 * x**3 + x, 1.7),
    ("runge", 1 / (1 + X**2), lambda x: 1 / (1 + x**2), 0.5),
    ("3x_exp_x", 3 * X * sympy.exp(X), lambda x: 3 * x * np.exp(x), 2.0),
    ("gauss", sympy.exp(-X**2), lambda x: np.exp(-x**2), 0.9),
    ("sin_exp", sympy.sin(sympy.exp(X)), lambda x: np.sin(np.exp(x)), 0.5),
    ("logistic", 1 / (1 + sympy.exp(-X)), lambda x: 1 / (1 + np.exp(-x)), -1.2),
    ("cbrt", sympy.cbrt(X), np.cbrt, 5.0),
    ("exp_large_x", sympy.exp(X), np.exp, 30.0),
    ("sin_tiny_x", sympy.sin(X), np.sin, 1e-3),
    ("sin_slow_big_x", sympy.sin(X / 1000), lambda x: np.sin(x / 1000), 2000.0),
]
IDS = [f[0] for f in FUNCTIONS]

#: Relative tolerance of the adaptive default, by derivative order.
RTOL = {1: 1e-12, 2: 5e-9, 3: 2e-7, 4: 2e-5, 5: 1e-6, 6: 1e-6}


def _check(res, exact, rtol):
    """Success, an honest error estimate, and a small relative error."""
    assert res.success, res.message
    true = abs_err(res.value, exact)
    assert res.error >= true, f"error estimate {res.error:.3g} < true error {true:.3g}"
    assert rel_err(res.value, exact) <= rtol


LOW_ORDER_CASES = [pytest.param(name, expr, f, x0, order, id=f"{name}-{order}")
                   for name, expr, f, x0 in FUNCTIONS for order in (1, 2, 3, 4)]


@pytest.mark.parametrize("name, expr, f, x0, order", LOW_ORDER_CASES)
def test_derivative_orders_1_to_4(name, expr, f, x0, order):
    res = derivlab.derivative(f, x0, order=order)
    _check(res, exact_derivative(expr, X, x0, order), RTOL[order])
    assert res.status == Status.OK
    assert res.nfev > 0


@pytest.mark.parametrize("order", [5, 6])
@pytest.mark.parametrize("name, expr, f, x0", FUNCTIONS, ids=IDS)
def test_high_order_error_estimate_is_honest(name, expr, f, x0, order):
    """Orders 5 and 6: whatever the status, the error estimate covers the true error."""
    res = derivlab.derivative(f, x0, order=order)
    exact = exact_derivative(expr, X, x0, order)
    assert np.isfinite(res.value)
    assert res.error >= abs_err(res.value, exact)


def test_high_order_derivatives_succeed_to_1e6():
    """Orders 5-6 meet 1e-6 on all 17 functions (log at 2.5 and sqrt at 3.0 once went
    one-sided where the first steps crossed 0: the central stencil now shrinks to fit)."""
    failures = []
    for name, expr, f, x0 in FUNCTIONS:
        for order in (5, 6):
            res = derivlab.derivative(f, x0, order=order)
            rel = rel_err(res.value, exact_derivative(expr, X, x0, order))
            if not res.success or rel > RTOL[order]:
                failures.append(f"{name}-{order}: {Status(int(res.status)).name} rel={rel:.1e}")
    assert not failures, failures


#: Orders 2-4 of ordinary functions at points of their own: (name, SymPy expression, numpy
#: function, points). Measured worst relative errors: order 2 3e-12, order 3 2e-11 (log1p and
#: runge at 1.1), order 4 1.3e-9 (exp(sin x) at 2.7 with numpy 2.4; 1e-10 elsewhere); the
#: tolerances leave about 3x (order 4: near the 1e-9 target, which is not met at every point).
ORDINARY = [
    ("sin", sympy.sin(X), np.sin, (1.1, 2.7, -0.8)),
    ("cos", sympy.cos(X), np.cos, (1.9, 5.2, -0.8)),
    ("exp", sympy.exp(X), np.exp, (1.1, 2.7, -1.6)),
    ("gauss", sympy.exp(-X**2), lambda x: np.exp(-x**2), (1.1, 2.7)),
    ("cosh", sympy.cosh(X), np.cosh, (1.9, -0.8)),
    ("log1p", sympy.log(1 + X), np.log1p, (0.45, 1.1)),
    ("runge", 1 / (1 + X**2), lambda x: 1 / (1 + x**2), (1.1, 5.2)),
    ("exp_sin", sympy.exp(sympy.sin(X)), lambda x: np.exp(np.sin(x)), (2.7,)),
]
ORDINARY_RTOL = {2: 1e-11, 3: 6e-11, 4: 2e-9}


@pytest.mark.parametrize("order", [2, 3, 4])
@pytest.mark.parametrize("name, expr, f, points", ORDINARY, ids=[c[0] for c in ORDINARY])
def test_ordinary_functions_orders_2_to_4(name, expr, f, points, order):
    """Fourth derivatives to 1e-9 relative (issue 11), second and third near what the ladder
    reaches; every error bar covers the true error."""
    res = derivlab.derivative(f, np.array(points), order=order)
    assert res.success, res.message
    for i, x0 in enumerate(points):
        exact = exact_derivative(expr, X, x0, order)
        assert res.error[i] >= abs_err(res.value[i], exact), (x0, res.error[i])
        assert rel_err(res.value[i], exact) <= ORDINARY_RTOL[order], (x0, res.value[i])


@pytest.mark.parametrize("name, expr, f", [
    ("atan", sympy.atan(X), np.arctan), ("tanh", sympy.tanh(X), np.tanh),
    ("logistic", 1 / (1 + sympy.exp(-X)), lambda x: 1 / (1 + np.exp(-x)))],
    ids=["atan", "tanh", "logistic"])
def test_fourth_derivative_near_poles_is_honest(name, expr, f):
    """Poles about one scale unit off the real axis (atan at +-i, tanh at +-i pi/2): the
    ladder's fourth derivatives reach 1e-7.4..1e-10 there, short of 1e-9 at some points
    (atan at -1.6: 4e-8, tanh at 1.9: 1.3e-8); the error bars must still cover."""
    points = (0.45, 1.1, 1.9, 2.7, 5.2, -0.8, -1.6)
    res = derivlab.derivative(f, np.array(points), order=4)
    assert res.success, res.message
    for i, x0 in enumerate(points):
        exact = exact_derivative(expr, X, x0, 4)
        assert res.error[i] >= abs_err(res.value[i], exact), (x0, res.error[i])
        assert rel_err(res.value[i], exact) <= 1e-7, (x0, res.value[i])


@pytest.mark.parametrize("method, accuracy", [("central", 4), ("central", 6), ("forward", 1),
                                              ("forward", 3), ("backward", 2)])
@pytest.mark.parametrize("name, expr, f, x0", FUNCTIONS[:6], ids=IDS[:6])
def test_other_stencils_adaptive(name, expr, f, x0, method, accuracy):
    res = derivlab.derivative(f, x0, method=method, accuracy=accuracy)
    _check(res, exact_derivative(expr, X, x0, 1), 1e-11)


# -- several variables ------------------------------------------------------------------------

V = sympy.symbols("v0:3")


def _entrywise(res, exact, rtol):
    """Elementwise: honest error, and |value - exact| <= rtol * (|exact| + max|exact|)."""
    assert res.success, res.message
    value, error = np.asarray(res.value), np.asarray(res.error)
    assert value.shape == exact.shape
    scale = max(float(np.max(np.abs(exact.astype(float)))), 1.0)
    for idx in np.ndindex(exact.shape):
        true = abs_err(value[idx], exact[idx])
        assert error[idx] >= true, (idx, error[idx], true)
        assert true <= rtol * (abs(float(exact[idx])) + scale), (idx, value[idx], exact[idx])


def _exact_gradient(expr, syms, point):
    return np.array([exact_partial(expr, syms, point, s) for s in syms], dtype=object)


def _exact_hessian(expr, syms, point):
    n = len(syms)
    out = np.empty((n, n), dtype=object)
    for i in range(n):
        for j in range(n):
            out[i, j] = exact_partial(expr, syms, point, syms[i], syms[j])
    return out


ROSEN = (1 - V[0]) ** 2 + 100 * (V[1] - V[0] ** 2) ** 2


def _rosen(v):
    return (1 - v[0]) ** 2 + 100 * (v[1] - v[0] ** 2) ** 2


@pytest.mark.parametrize("point", [(0.5, -0.3), (-1.2, 1.0), (1.0, 1.0), (2.5, 3.75)])
def test_rosenbrock_gradient_and_hessian(point):
    syms = V[:2]
    _entrywise(derivlab.gradient(_rosen, np.array(point)), _exact_gradient(ROSEN, syms, point),
               1e-12)
    res = derivlab.hessian(_rosen, np.array(point))
    _entrywise(res, _exact_hessian(ROSEN, syms, point), 1e-8)
    assert np.array_equal(res.value, res.value.T)
    assert np.array_equal(res.error, res.error.T)


M = sympy.Matrix(3, 3, lambda i, j: sympy.Symbol(f"m{i}{j}"))
M_SYMS = list(M)
M_EXPR = (sum(sympy.sin(M[i, j]) * M[j, i] for i in range(3) for j in range(3))
          + (M * M).trace() + sympy.log(1 + sum(s**2 for s in M_SYMS)))
M_POINT = np.array([[0.3, -1.1, 0.7], [1.9, 0.2, -0.4], [0.05, 1.3, -0.8]])


def _mfun(m):
    return np.sum(np.sin(m) * m.T) + np.trace(m @ m) + np.log(1 + np.sum(m**2))


def test_matrix_input_gradient():
    res = derivlab.gradient(_mfun, M_POINT)
    exact = _exact_gradient(M_EXPR, M_SYMS, M_POINT.ravel()).reshape(3, 3)
    _entrywise(res, exact, 1e-12)


def test_matrix_input_hessian():
    res = derivlab.hessian(_mfun, M_POINT)
    assert res.value.shape == (3, 3, 3, 3)
    exact = _exact_hessian(M_EXPR, M_SYMS, M_POINT.ravel()).reshape(3, 3, 3, 3)
    _entrywise(res, exact, 1e-8)
    flat = res.value.reshape(9, 9)
    assert np.array_equal(flat, flat.T)


VEC_EXPRS = [V[0] * V[1] * sympy.exp(V[2]), sympy.sin(V[0]) + V[2] ** 2,
             sympy.log(1 + V[1] ** 2) * V[0], V[2] / (1 + V[0] ** 2)]


def _vfun(v):
    return np.array([v[0] * v[1] * np.exp(v[2]), np.sin(v[0]) + v[2] ** 2,
                     np.log(1 + v[1] ** 2) * v[0], v[2] / (1 + v[0] ** 2)])


@pytest.mark.parametrize("point", [(0.3, 0.8, -0.5), (-1.5, 2.0, 1.25)])
def test_vector_valued_jacobian(point):
    res = derivlab.jacobian(_vfun, np.array(point))
    exact = np.array([[exact_partial(e, V, point, s) for s in V] for e in VEC_EXPRS],
                     dtype=object)
    _entrywise(res, exact, 1e-12)


def test_hessian_three_variables():
    expr = V[0] ** 2 * V[1] + sympy.exp(V[1] * V[2]) + sympy.cos(V[0] * V[2])
    f = lambda v: v[0] ** 2 * v[1] + np.exp(v[1] * v[2]) + np.cos(v[0] * v[2])  # noqa: E731
    point = (1.0, 0.5, -0.3)
    res = derivlab.hessian(f, np.array(point))
    _entrywise(res, _exact_hessian(expr, V, point), 1e-8)
    assert np.array_equal(res.value, res.value.T)


# -- complex step -----------------------------------------------------------------------------

EPS = np.finfo(float).eps


@pytest.mark.parametrize("name, expr, f, x0", [c for c in FUNCTIONS if c[0] != "cbrt"],
                         ids=[i for i in IDS if i != "cbrt"])
def test_complex_step_machine_precision(name, expr, f, x0):
    res = derivlab.derivative(f, x0, method="complex")
    exact = exact_derivative(expr, X, x0, 1)
    assert res.success, res.message
    assert rel_err(res.value, exact) <= 8 * EPS
    assert res.error >= abs_err(res.value, exact)


def test_complex_step_gradient():
    point = (0.3, 0.8, -0.5)
    expr = V[0] * V[1] * sympy.exp(V[2]) + sympy.sin(V[0] * V[1])
    f = lambda v: v[0] * v[1] * np.exp(v[2]) + np.sin(v[0] * v[1])  # noqa: E731
    res = derivlab.gradient(f, np.array(point), method="complex")
    assert res.success
    for i, s in enumerate(V):
        assert rel_err(res.value[i], exact_partial(expr, V, point, s)) <= 8 * EPS


def _assert_complex_failure(res):
    assert not res.success
    assert res.status == Status.NOT_ANALYTIC
    assert "complex" in res.message and "analytic" in res.message


def test_complex_step_not_analytic_abs():
    _assert_complex_failure(derivlab.derivative(np.abs, 0.7, method="complex"))


def test_complex_step_math_sin():
    # math.sin silently drops the imaginary part of a numpy complex
    _assert_complex_failure(derivlab.derivative(math.sin, 0.7, method="complex"))


def _real_only(x):
    if np.iscomplexobj(x):
        raise TypeError("real input only")
    return np.sin(x)


@pytest.mark.parametrize("f", [np.cbrt, _real_only], ids=["np.cbrt", "raises"])
def test_complex_step_rejected_by_f(f):
    res = derivlab.derivative(f, 0.7, method="complex")
    _assert_complex_failure(res)
    assert np.isnan(res.value)  # no made-up number when f refuses complex input


# -- float32 ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name, expr, f, x0", [FUNCTIONS[i] for i in (0, 1, 3, 4)],
                         ids=[IDS[i] for i in (0, 1, 3, 4)])
def test_float32_input(name, expr, f, x0):
    seen = []

    def rec(x):
        seen.append(np.array(x, copy=True))
        return f(x)

    x32 = np.float32(x0)
    res = derivlab.derivative(rec, x32)
    exact = exact_derivative(expr, X, float(x32), 1)
    assert res.success, res.message
    assert rel_err(res.value, exact) <= 2e-5  # float32: 8.5e-7 at worst measured
    assert res.error >= abs_err(res.value, exact)
    pts = np.concatenate([p.ravel() for p in seen])
    assert pts.dtype == np.float32
    assert np.count_nonzero(pts == x32) <= 1  # only f(x) itself: x + h never collapses to x


@pytest.mark.parametrize("x0", [300.0, 1e5])
def test_float32_large_x_steps_do_not_collapse(x0):
    seen = []

    def rec(x):
        seen.append(np.array(x, copy=True))
        return np.sqrt(x)

    x32 = np.float32(x0)
    res = derivlab.derivative(rec, x32)
    exact = mpmath.mpf(1) / (2 * mpmath.sqrt(mpmath.mpf(float(x32))))
    assert res.success
    assert rel_err(res.value, exact) <= 2e-5  # measured 1.2e-6
    assert res.error >= abs_err(res.value, exact)
    pts = np.concatenate([p.ravel() for p in seen])
    assert np.count_nonzero(pts == x32) <= 1


def test_float32_gradient_beats_seed_float32_cast():
    # the seed cast [4, 5, 1] to float32 with h = 1e-4 and printed 6502.8585877, 10004.79..
    f = lambda v: (v[0] ** 3 + v[0] * 4) * np.exp(v[1]) * np.sin(v[2])  # noqa: E731
    expr = (V[0] ** 3 + 4 * V[0]) * sympy.exp(V[1]) * sympy.sin(V[2])
    res = derivlab.gradient(f, np.array([4, 5, 1], dtype=np.float32))
    seed = [6502.8585877, 10004.79455543, 6411.66329297]
    assert res.success
    for i, s in enumerate(V):
        exact = exact_partial(expr, V, (4, 5, 1), s)
        assert res.error[i] >= abs_err(res.value[i], exact)
        assert rel_err(res.value[i], exact) <= 2e-5  # measured 1.9e-6
        assert abs_err(res.value[i], exact) < abs_err(seed[i], exact) / 10


# -- domain edges and failures ----------------------------------------------------------------

def test_an_edge_nearer_than_any_step_goes_one_sided():
    """log(t - 5) 1e-5 beside its edge: NaN on one side at every step the engine guesses
    (tests/test_hard_cases.py: edges a central stencil fits beside)."""
    res = derivlab.derivative(lambda t: np.log(t - 5), 5 + 1e-5)
    assert res.success
    assert res.status == Status.ONE_SIDED
    assert "one-sided" in res.message
    with mpmath.workdps(DPS):
        exact = 1 / (mpmath.mpf(5 + 1e-5) - 5)
    assert res.error >= abs_err(res.value, exact)
    assert rel_err(res.value, exact) <= 1e-9


def test_domain_keeps_points_inside():
    seen = []

    def rec(x):
        seen.append(np.min(x))
        return np.sqrt(x)

    res = derivlab.derivative(rec, 1e-3, domain=(0, np.inf))
    assert min(seen) >= 0
    exact = 1 / (2 * mpmath.sqrt(mpmath.mpf(1e-3)))
    assert res.success
    assert res.error >= abs_err(res.value, exact)
    assert rel_err(res.value, exact) <= 1e-8


@pytest.mark.parametrize("step", [None, 1e-3])
def test_domain_edge_with_vector_and_fixed_step(step):
    seen = []

    def rec(v):
        seen.append(np.min(v))
        return np.log(v[..., 0]) + v[..., 1] ** 2 if np.ndim(v) > 1 else np.log(v[0]) + v[1] ** 2

    res = derivlab.gradient(rec, [1e-4, 1.5], domain=(0, np.inf), step=step)
    assert min(seen) >= 0  # the stencil never left the domain
    if step is None:
        assert res.success
        assert rel_err(res.value[0], mpmath.mpf(1) / mpmath.mpf(1e-4)) <= 1e-9
        assert rel_err(res.value[1], mpmath.mpf(3.0)) <= 1e-12
    else:  # one-sided at the edge, same accuracy (2): (-3/2 f(x) + 2 f(x+h) - 1/2 f(x+2h)) / h
        assert res.status[0] == derivlab.Status.FIXED_STEP
        x, h = mpmath.mpf(1e-4), mpmath.mpf(step)
        exact = (-1.5 * mpmath.log(x) + 2 * mpmath.log(x + h) - 0.5 * mpmath.log(x + 2 * h)) / h
        assert res.value[0] == pytest.approx(float(exact), rel=1e-9)


@pytest.mark.parametrize("domain", [(0, np.inf), (0, 1), None])
def test_sqrt_at_zero_is_not_a_confident_number(domain):
    res = derivlab.derivative(np.sqrt, 0.0, domain=domain)  # the derivative is infinite
    assert not res.success or res.error >= abs(res.value)
    assert res.message


@pytest.mark.parametrize("f, x0", [(np.abs, 0.0), (lambda x: np.abs(x - 2.0), 2.0),
                                   (lambda x: np.maximum(x, 0.0), 0.0)])
def test_kink_is_not_smooth(f, x0):
    res = derivlab.derivative(f, x0)
    assert not res.success
    assert res.status == Status.NOT_SMOOTH
    assert "kink" in res.message


@pytest.mark.parametrize("f", [lambda x: np.nan * x, lambda x: np.full_like(x, np.inf)])
def test_nonfinite_everywhere(f):
    res = derivlab.derivative(f, 1.0)
    assert not res.success
    assert res.status == Status.NONFINITE
    assert np.isnan(res.value) and np.isnan(res.error)
    assert "nonfinite" in res.message or "NaN" in res.message


def test_f_raising_at_x_is_reported():
    def f(x):
        if x == 1.0:
            raise ValueError("undefined at one")
        return x

    res = derivlab.derivative(f, 1.0)
    assert not res.success
    assert res.status == Status.NONFINITE
    assert "ValueError" in res.message and "undefined at one" in res.message
    assert np.isnan(res.value)


def test_huge_offset_no_confident_wrong_number():
    res = derivlab.derivative(lambda x: 1e20 + x, 1.0)  # true derivative 1, invisible in f
    assert not res.success or res.error >= 1


def test_fast_oscillation_is_flagged():
    res = derivlab.derivative(lambda x: np.sin(1e13 * x), 0.3)
    assert not res.success
    assert res.status in (Status.NOT_CONVERGED, Status.ROUNDOFF, Status.NOISY)
    assert res.message


def test_zero_derivative_is_a_success():
    x0 = float(np.exp(-1.0))
    res = derivlab.derivative(lambda x: x * np.log(x), x0)  # log(x) + 1 = 0 (to 1e-17) at 1/e
    with mpmath.workdps(DPS):
        exact = mpmath.log(mpmath.mpf(x0)) + 1
    assert res.error >= abs_err(res.value, exact)
    assert res.success, res.message
    res = derivlab.derivative(lambda x: 3 * x + 1, 1e-3, order=2)  # a line bends nowhere
    assert res.error >= abs(res.value)
    assert res.success, res.message


def test_adaptive_false_uses_the_textbook_step():
    for order, accuracy in ((1, 2), (2, 2), (1, 4)):
        res = derivlab.derivative(np.exp, 2.5, order=order, accuracy=accuracy, adaptive=False)
        h = EPS ** (1 / (order + accuracy)) * 2.5
        assert res.status == Status.FIXED_STEP and np.isnan(res.error)
        assert res.step == pytest.approx(h, rel=1e-12)
        same = derivlab.derivative(np.exp, 2.5, order=order, accuracy=accuracy, step=res.step)
        assert same.value == res.value
        assert rel_err(res.value, mpmath.exp(mpmath.mpf(2.5))) <= 1e-7  # measured 7e-9


def test_error_estimate_with_cancellation():
    """f = v@A@v with cancelling terms: the round-off model (eps |f| + eps |x f'|) still covers."""
    from fractions import Fraction

    short = []
    for a_flat, x in [([0, 0, 1, -1], [0.78125, 0.7789706069937439]),
                      ([-1, 0, 1, 3, 2, 0, 0, 2, 4, 0, 5, -1, 3, 0, 5, 0],
                       [0.5, 0.1875, -0.1875, 0.13534179008587666])]:
        n = len(x)
        A = np.array(a_flat, dtype=float).reshape(n, n)
        sym = A + A.T
        x = np.array(x)
        f = lambda v, A=A: v @ A @ v  # noqa: E731
        g = derivlab.gradient(f, x)
        for i in range(n):
            exact = sum(Fraction(int(sym[i, j])) * Fraction(float(x[j])) for j in range(n))
            if Fraction(float(g.error[i])) < abs(Fraction(float(g.value[i])) - exact):
                short.append(("gradient", n, i))
        h = derivlab.hessian(f, x)  # the exact Hessian sym is an integer matrix
        short += [("hessian", n, tuple(ij)) for ij in np.argwhere(h.error < np.abs(h.value - sym))]
    assert not short, short


_XS, _YS = sympy.symbols("x y", real=True)
_TWO_D = {  # ordinary 2-D test functions (optimisation benchmarks and friends)
    "himmelblau": (_XS**2 + _YS - 11) ** 2 + (_XS + _YS**2 - 7) ** 2,
    "beale": (sympy.Rational(3, 2) - _XS + _XS * _YS) ** 2
    + (sympy.Rational(9, 4) - _XS + _XS * _YS**2) ** 2
    + (sympy.Rational(21, 8) - _XS + _XS * _YS**3) ** 2,
    "three-hump camel": 2 * _XS**2 - sympy.Rational(21, 20) * _XS**4 + _XS**6 / 6 + _XS * _YS
    + _YS**2,
    "sin cos + xy": sympy.sin(_XS) * sympy.cos(_YS) + _XS * _YS,
    "exp bump": sympy.exp(sympy.cos(2 * _XS) / 2 + sympy.sin(_YS) / 2) + _XS**2 + _YS**2,
}


@pytest.mark.parametrize("name", _TWO_D)
def test_worst_gradient_component_of_2d_functions(name):
    """Issue 11's target: every component of the gradient to 1e-11 relative (measured worst
    over these 60 points: 10**-11.8), with honest bars."""
    expr = _TWO_D[name]
    f = sympy.lambdify([(_XS, _YS)], expr, "numpy")
    grads = [sympy.diff(expr, v) for v in (_XS, _YS)]
    pts = np.random.default_rng(11).uniform(-2, 2, (12, 2)).round(3)
    for p in pts:
        res = derivlab.gradient(f, p)
        assert res.success, (name, p, res.message)
        sub = {_XS: sympy.Rational(str(p[0])), _YS: sympy.Rational(str(p[1]))}
        exact = [sympy.N(g.subs(sub), 30) for g in grads]
        for i in range(2):
            err = abs(mpmath.mpf(float(res.value[i])) - mpmath.mpf(str(exact[i])))
            assert err <= res.error[i], (name, p, i)
            assert err <= 1e-11 * max(abs(float(exact[i])), 1e-3), (name, p, i, float(err))
