"""Stencils: exact weights, exactness on polynomials, value-object behaviour, convergence order."""

from __future__ import annotations

import math
import re
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy

import derivlab
from derivlab import InputError, InputTypeError, Stencil
from derivlab.stencils import _solve_weights


def _vandermonde_weights(offsets, order):
    """Weights solved independently with SymPy rationals: sum_k w_k c_k^j = j! [j == order]."""
    c = [sympy.Rational(str(o)) if not isinstance(o, Fraction)
         else sympy.Rational(o.numerator, o.denominator) for o in offsets]
    n = len(c)
    A = sympy.Matrix(n, n, lambda j, k: c[k] ** j)
    b = sympy.Matrix(n, 1, lambda j, _: sympy.factorial(order) if j == order else 0)
    w = A.LUsolve(b)
    return {Fraction(int(ci.p), int(ci.q)): Fraction(int(wi.p), int(wi.q))
            for ci, wi in zip(c, w) if wi != 0}


def _as_dict(stencil):
    return dict(zip(stencil.offsets, stencil.weights))


F = Fraction

#: Classic finite-difference tables (offset -> weight).
KNOWN = [
    (Stencil.central, 1, 2, {-1: F(-1, 2), 1: F(1, 2)}),
    (Stencil.central, 1, 4, {-2: F(1, 12), -1: F(-2, 3), 1: F(2, 3), 2: F(-1, 12)}),
    (Stencil.central, 2, 2, {-1: F(1), 0: F(-2), 1: F(1)}),
    (Stencil.central, 2, 4, {-2: F(-1, 12), -1: F(4, 3), 0: F(-5, 2), 1: F(4, 3), 2: F(-1, 12)}),
    (Stencil.central, 3, 2, {-2: F(-1, 2), -1: F(1), 1: F(-1), 2: F(1, 2)}),
    (Stencil.central, 4, 2, {-2: F(1), -1: F(-4), 0: F(6), 1: F(-4), 2: F(1)}),
    (Stencil.forward, 1, 1, {0: F(-1), 1: F(1)}),
    (Stencil.forward, 1, 2, {0: F(-3, 2), 1: F(2), 2: F(-1, 2)}),
    (Stencil.forward, 2, 1, {0: F(1), 1: F(-2), 2: F(1)}),
    (Stencil.backward, 1, 1, {-1: F(-1), 0: F(1)}),
    (Stencil.backward, 1, 2, {-2: F(1, 2), -1: F(-2), 0: F(3, 2)}),
]


@pytest.mark.parametrize("ctor, order, accuracy, weights", KNOWN,
                         ids=[f"{k[0].__name__}-{k[1]}-{k[2]}" for k in KNOWN])
def test_known_weights(ctor, order, accuracy, weights):
    s = ctor(order, accuracy)
    assert _as_dict(s) == {F(k): v for k, v in weights.items()}
    assert all(isinstance(w, Fraction) for w in s.weights)
    assert all(isinstance(c, Fraction) for c in s.offsets)
    assert s.order == order and s.accuracy == accuracy


def _all_stencils():
    for kind in ("central", "forward", "backward"):
        for order in range(1, 7):
            for accuracy in range(1, 7):
                if kind == "central" and accuracy % 2:
                    continue
                yield pytest.param(kind, order, accuracy, id=f"{kind}-{order}-{accuracy}")


ALL_STENCILS = list(_all_stencils())


@pytest.mark.parametrize("kind, order, accuracy", ALL_STENCILS)
def test_weights_match_vandermonde_solution(kind, order, accuracy):
    s = getattr(Stencil, kind)(order, accuracy)
    if kind == "central":
        m = (order + 1) // 2 - 1 + accuracy // 2
        grid = range(-m, m + 1)
    elif kind == "forward":
        grid = range(order + accuracy)
    else:
        grid = range(-(order + accuracy) + 1, 1)
    assert _as_dict(s) == _vandermonde_weights(list(grid), order)
    assert s.kind == kind
    assert list(s.offsets) == sorted(s.offsets)


def _monomial_derivative(j, order, x0):
    """d^order/dx^order x^j at x0, exactly."""
    if j < order:
        return Fraction(0)
    return Fraction(math.factorial(j), math.factorial(j - order)) * x0 ** (j - order)


def _apply_exact(stencil, poly, x0, h):
    return sum(w * poly(x0 + c * h) for c, w in zip(stencil.offsets, stencil.weights)) / h**stencil.order


@pytest.mark.parametrize("kind, order, accuracy", ALL_STENCILS)
def test_exact_on_polynomials_up_to_order_plus_accuracy_minus_one(kind, order, accuracy):
    s = getattr(Stencil, kind)(order, accuracy)
    assert s.accuracy == accuracy
    x0, h = Fraction(3, 7), Fraction(2, 5)
    top = order + accuracy
    for j in range(top):
        got = _apply_exact(s, lambda t, j=j: t**j, x0, h)
        assert got == _monomial_derivative(j, order, x0), f"not exact on x^{j}"
    # a random-looking polynomial of the top exact degree, too
    coefs = [Fraction((-1) ** k * (k + 2), k + 3) for k in range(top)]
    poly = lambda t: sum(a * t**k for k, a in enumerate(coefs))  # noqa: E731
    want = sum(a * _monomial_derivative(k, order, x0) for k, a in enumerate(coefs))
    assert _apply_exact(s, poly, x0, h) == want
    # ... and not exact one degree higher: the error is O(h**accuracy), not better
    got = _apply_exact(s, lambda t: t**top, x0, h)
    assert got != _monomial_derivative(top, order, x0)


def test_from_offsets():
    s = Stencil.from_offsets([-1, 0, 2], 1)
    assert _as_dict(s) == _vandermonde_weights([-1, 0, 2], 1)
    assert s.accuracy == 2
    assert s.kind == "custom"
    # fractional and float offsets are taken exactly
    half = Stencil.from_offsets([0.5, -0.5], 1)
    assert _as_dict(half) == {F(-1, 2): F(-1), F(1, 2): F(1)}
    assert half.accuracy == 2
    s2 = Stencil.from_offsets([F(1, 3), 0, 1, 2], 2)
    assert _as_dict(s2) == _vandermonde_weights([F(0), F(1, 3), F(1), F(2)], 2)
    # order (default 1) is checked like any other order
    assert Stencil.from_offsets([0, 1]).order == 1
    # zero-weight offsets are dropped: the symmetric 3-point rule is the central one
    assert Stencil.from_offsets([1, -1, 0], 1) == Stencil.central(1, 2)


def test_from_offsets_accuracy_is_computed():
    # a symmetric 5-point rule for the first derivative on -2..2 is 4th order
    assert Stencil.from_offsets(range(-2, 3), 1).accuracy == 4
    # a lopsided one is not symmetric and has the Vandermonde accuracy n - order
    s = Stencil.from_offsets([-1, 0, 1, 3], 1)
    assert s.accuracy == 3
    assert not s.symmetric
    assert Stencil.central(2, 4).symmetric and Stencil.central(3, 2).symmetric
    assert not Stencil.forward(1, 2).symmetric


def test_caching_equality_hash():
    a, b = Stencil.central(2, 4), Stencil.central(2, 4)
    assert a is b  # constructors are cached
    info0 = _solve_weights.cache_info()
    Stencil.from_offsets([-3, 0, 5], 2)
    Stencil.from_offsets([-3, 0, 5], 2)
    info1 = _solve_weights.cache_info()
    assert info1.hits >= info0.hits + 1  # the exact solve is done once
    c = Stencil.from_offsets(range(-2, 3), 2)
    assert c == a and hash(c) == hash(a)
    assert c is not a
    assert {a: 1}[c] == 1
    assert Stencil.central(1, 2) != Stencil.central(1, 4)
    assert Stencil.forward(1, 1) != Stencil.backward(1, 1)
    assert Stencil.central(1, 2) != "central"
    assert len({Stencil.forward(1, k) for k in (1, 2, 3)} | {Stencil.forward(1, 2)}) == 3


def test_immutable():
    s = Stencil.central(1, 2)
    with pytest.raises(AttributeError):
        s.order = 2
    with pytest.raises(AttributeError):
        s.weights = (F(1),)
    with pytest.raises(AttributeError):
        s.new_attribute = 1
    with pytest.raises(AttributeError):
        del s.weights
    assert s.order == 1 and _as_dict(s) == {F(-1): F(-1, 2), F(1): F(1, 2)}
    assert isinstance(s.offsets, tuple) and isinstance(s.weights, tuple)
    # the cached instance is still intact for everyone else
    assert Stencil.central(1, 2).weights == (F(-1, 2), F(1, 2))


def test_repr_and_str_show_offsets_and_weights():
    s = Stencil.central(1, 4)
    r = repr(s)
    assert "offsets=[-2, -1, 1, 2]" in r
    assert "order=1" in r and "accuracy=4" in r and "central" in r
    text = str(s)
    for piece in ("f(x-2h)", "f(x-1h)", "f(x+1h)", "f(x+2h)", "1/12", "2/3", "O(h^4)"):
        assert piece in text
    assert "f(x)" in str(Stencil.central(2, 2))
    assert "1/2h" in str(Stencil.from_offsets([-0.5, 0.5]))


def test_apply_and_coefficients():
    s = Stencil.central(1, 2)
    c, w = s.coefficients()
    assert c.tolist() == [-1.0, 1.0] and w.tolist() == [-0.5, 0.5]
    # x**2 at 2 with h = 1: (9 - 1) / 2
    assert s.apply([1.0, 9.0], 1.0) == 4.0
    vals = np.array([[1.0, 2.0], [9.0, 4.0]])  # several columns at once
    assert s.apply(vals, 1.0).tolist() == [4.0, 1.0]
    with pytest.raises(InputError, match=re.escape(
            "values must have 2 rows (one per offset), got shape (3,)")):
        s.apply([1.0, 2.0, 3.0], 1.0)


BAD = [
    (lambda: Stencil.central(0), InputError, "order must be an integer >= 1, got 0"),
    (lambda: Stencil.forward(-1), InputError, "order must be an integer >= 1, got -1"),
    (lambda: Stencil.central(1.5), InputTypeError, "order must be an integer >= 1, got 1.5"),
    (lambda: Stencil.backward(True), InputTypeError, "order must be an integer >= 1, got True"),
    (lambda: Stencil.central(1, 3), InputError, "accuracy must be even for central differences, got 3"),
    (lambda: Stencil.forward(1, 0), InputError, "accuracy must be an integer >= 1, got 0"),
    (lambda: Stencil.backward(1, 2.0), InputTypeError, "accuracy must be an integer >= 1, got 2.0"),
    (lambda: Stencil.from_offsets([0, 1, 1]), InputError, "offsets must be distinct, got ['0', '1', '1']"),
    (lambda: Stencil.from_offsets([0, 0.5, 1 / 2]), InputError,
     "offsets must be distinct, got ['0', '1/2', '1/2']"),
    (lambda: Stencil.from_offsets([0, 1], 2), InputError,
     "a stencil for order 2 needs at least 3 offsets, got 2"),
    (lambda: Stencil.from_offsets([0, 1], 0), InputError, "order must be an integer >= 1, got 0"),
    (lambda: Stencil.from_offsets([0, "a"]), InputTypeError,
     "offsets must be a sequence of numbers, got [0, 'a']"),
    (lambda: Stencil.from_offsets([0, None]), InputTypeError,
     "offsets must be a sequence of numbers, got [0, None]"),
    (lambda: Stencil.from_offsets(5), InputTypeError, "offsets must be a sequence of numbers, got 5"),
    (lambda: Stencil.from_offsets([0, float("inf")]), InputTypeError,
     "offsets must be a sequence of numbers, got [0, inf]"),
    (lambda: Stencil.from_offsets([0, float("nan")]), InputTypeError,
     "offsets must be a sequence of numbers, got [0, nan]"),
]


@pytest.mark.parametrize("make, exc, message", BAD, ids=[b[2][:40] for b in BAD])
def test_bad_stencil_messages(make, exc, message):
    with pytest.raises(exc, match=f"^{re.escape(message)}$") as info:
        make()
    base = ValueError if exc is InputError else TypeError
    assert isinstance(info.value, base)
    assert isinstance(info.value, derivlab.DerivlabError)


# -- convergence order: log-log slope of the error equals the accuracy ----------------------

EXACT = mpmath.exp(mpmath.mpf(0.5))  # d/dx exp at 0.5
EPS = np.finfo(float).eps


def _slope(method, accuracy, stencil):
    hs = 2.0 ** -np.arange(1.0, 16.0)
    wsum = float(sum(abs(w) for w in stencil.weights))
    keep_h, keep_e = [], []
    for h in hs:
        res = derivlab.derivative(np.exp, 0.5, step=h, method=method, accuracy=accuracy)
        err = float(abs(mpmath.mpf(res.value) - EXACT))
        roundoff = EPS * np.exp(0.5) * wsum / h
        if h <= 0.25 and err > 1e3 * roundoff:  # truncation dominates
            keep_h.append(h)
            keep_e.append(err)
    assert len(keep_h) >= 3, (method, accuracy, keep_h)
    return np.polyfit(np.log(keep_h), np.log(keep_e), 1)[0]


@pytest.mark.parametrize("method, accuracy", [("central", 2), ("central", 4), ("central", 6),
                                              ("forward", 1), ("forward", 2), ("forward", 3),
                                              ("backward", 1), ("backward", 2), ("backward", 4)])
def test_error_slope_equals_accuracy(method, accuracy):
    stencil = getattr(Stencil, method)(1, accuracy)
    assert abs(_slope(method, accuracy, stencil) - accuracy) <= 0.3


def test_error_slope_of_a_custom_stencil():
    s = Stencil.from_offsets([-1, 0, 2])
    assert abs(_slope(s, None, s) - s.accuracy) <= 0.3


def test_fixed_step_uses_the_stencil_exactly():
    # one stencil at step h: the weighted sum of f at x + c*h, nothing else
    s = Stencil.forward(1, 3)
    h, x0 = 2.0**-6, 0.5
    res = derivlab.derivative(np.exp, x0, step=h, method="forward", accuracy=3)
    c, w = s.coefficients()
    assert res.value == pytest.approx(float(np.dot(w, np.exp(x0 + c * h)) / h), rel=1e-15)
    assert res.status == derivlab.Status.FIXED_STEP


# -- Hessians honour the user's Stencil --------------------------------------------------------

def _poly5(v):
    x, y = v[0], v[1]
    return x**5 + x**3 * y**2 + y**4 * x - 2 * x * y


def _hess5(x, y):
    return np.array([[20 * x**3 + 6 * x * y**2, 6 * x**2 * y + 4 * y**3 - 2],
                     [6 * x**2 * y + 4 * y**3 - 2, 2 * x**3 + 12 * y**2 * x]])


def test_hessian_central_accuracy_4_is_exact_on_quintics():
    """With a fixed step, accuracy 2 leaves an O(h^2) error on a quintic; the user's accuracy-4
    stencil (diagonal, and the mixed entries built from it) leaves none."""
    x0 = np.array([0.7, -1.3])
    exact = _hess5(*x0)
    h2 = derivlab.hessian(_poly5, x0, step=0.1).value
    h4 = derivlab.hessian(_poly5, x0, step=0.1, method=Stencil.central(2, 4)).value
    assert np.max(np.abs(h2 - exact)) > 1e-3
    assert np.max(np.abs(h4 - exact)) < 1e-11
    adaptive = derivlab.hessian(_poly5, x0, method=Stencil.central(2, 4))
    assert adaptive.success and np.all(np.abs(adaptive.value - exact) <= adaptive.error)


def test_hessian_forward_stencil_accuracy_2():
    """forward(2, 2) on the diagonal, forward(1, 2) x forward(1, 2) for mixed entries: exact
    on f = x^3 + x^2 y^2 (degree <= 3 along each axis, <= 2 in each variable of the mixed
    term), where the default forward(2, 1) is off by O(h)."""
    f = lambda v: v[0] ** 3 + v[0] ** 2 * v[1] ** 2
    x0 = np.array([0.4, 0.9])
    exact = np.array([[6 * 0.4 + 2 * 0.81, 4 * 0.4 * 0.9], [4 * 0.4 * 0.9, 2 * 0.16]])
    h1 = derivlab.hessian(f, x0, step=0.01, method="forward").value
    h2 = derivlab.hessian(f, x0, step=0.01, method=Stencil.forward(2, 2)).value
    assert np.max(np.abs(h1 - exact)) > 1e-3
    assert np.max(np.abs(h2 - exact)) < 1e-9


def test_mixed_template_is_the_classic_formula():
    from derivlab.engine import Template

    t = Template.mixed(Stencil.central(2, 2))
    got = {tuple(c): w for c, w in zip(t.coef.tolist(), t.weights.tolist())}
    assert got == {(1, 1): 0.5, (-1, -1): 0.5, (1, 0): -0.5, (-1, 0): -0.5, (0, 1): -0.5,
                   (0, -1): -0.5, (0, 0): 1.0}
    t = Template.mixed(Stencil.backward(2, 1))
    got = {tuple(c): w for c, w in zip(t.coef.tolist(), t.weights.tolist())}
    assert got == {(0, 0): 1.0, (0, -1): -1.0, (-1, 0): -1.0, (-1, -1): 1.0}
