"""method="symbolic": SymPy's exact derivatives through the numeric entry points."""

import pathlib
import sys

import mpmath
import numpy as np
import pytest
import sympy as sp

import derivlab
from derivlab import InputError, Status

from _truth import abs_err, exact_derivative, exact_partial

_BENCH = pathlib.Path(__file__).resolve().parent.parent / "benchmarks"
if str(_BENCH) not in sys.path:
    sys.path.insert(0, str(_BENCH))
from suite import CASES, HIGHER_CASES  # noqa: E402

x, y, z = sp.symbols("x y z", real=True)


# -- the seeds, three ways agreeing ------------------------------------------------------------

def test_seed_polynomial_and_exp():
    r = derivlab.derivative("3*x**3 - 5*x + 4", [0.0, 1.0, 2.0], method="symbolic")
    assert r.value.tolist() == [-5.0, 4.0, 31.0] and r.success
    assert np.all(r.error == 0)  # integers: exact in float64
    assert sp.simplify(r.expression.expr - (9 * x**2 - 5)) == 0
    r = derivlab.derivative("3*x*exp(x)", 2.0, method="symbolic")
    assert abs(r.value - 9 * np.exp(2)) <= 1e-15 * 66.6
    assert abs_err(r.value, 9 * mpmath.exp(2)) <= r.error
    num = derivlab.derivative("3*x*exp(x)", 2.0)
    assert abs(num.value - r.value) <= num.error


def test_seed_gradient_and_three_variables():
    r = derivlab.gradient("2*x + 3*x*y + y^3", {"x": 1, "y": 2}, method="symbolic")
    assert r.value.tolist() == [8.0, 15.0] and np.all(r.error == 0)
    f = "(x**3 + 4*x)*exp(y)*sin(z)"
    r = derivlab.gradient(f, [4, 5, 1], method="symbolic")
    expr = (x**3 + 4 * x) * sp.exp(y) * sp.sin(z)
    for i, s in enumerate((x, y, z)):
        assert abs_err(r.value[i], exact_partial(expr, (x, y, z), (4, 5, 1), s)) <= r.error[i]
    num = derivlab.gradient(f, [4.0, 5.0, 1.0])
    assert np.all(np.abs(num.value - r.value) <= num.error)
    assert str(r.expression[0]) == str(sp.diff(expr, x))


def test_seed_matrix_function_callable():
    """The seeds' f of a 2x2 matrix, written as plain arithmetic: the callable is traced."""
    def f(w):
        return w[0, 0] ** 2 + 3 * w[0, 1] * w[1, 0] + w[1, 1] ** 3
    w = np.array([[1.0, 2.0], [3.0, 4.0]])
    r = derivlab.gradient(f, w, method="symbolic")
    assert r.value.tolist() == [[2.0, 9.0], [6.0, 48.0]]
    assert np.allclose(derivlab.gradient(f, w).value, r.value, rtol=1e-10)
    assert w.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert r.expression.shape == (2, 2) and str(r.expression[1, 1]) == "3*x3**2"


def test_hessian_jvp_hvp_jacobian():
    h = derivlab.hessian("x^2*y + exp(y)", {"x": 1, "y": 0}, method="symbolic")
    assert h.value.tolist() == [[0.0, 2.0], [2.0, 1.0]]
    j = derivlab.jacobian(["x*y", "sin(x)"], [1.0, 2.0], method="symbolic")
    assert j.value[0].tolist() == [2.0, 1.0] and abs(j.value[1, 0] - np.cos(1)) <= j.error[1, 0]
    jv = derivlab.jvp(["x*y", "y^2"], [1.0, 2.0], [1.0, 0.0], method="symbolic")
    assert jv.value.tolist() == [2.0, 0.0]
    hv = derivlab.hvp("x^2*y + y^3", [1.0, 2.0], [1.0, 1.0], method="symbolic")
    assert hv.value.tolist() == [6.0, 14.0]
    hv3 = derivlab.hvp("x^2*y + y^3", [1.0, 2.0], [0.1, 0.3], method="symbolic")
    assert np.all(np.abs(hv3.value - np.array([[4, 2], [2, 12]]) @ [0.1, 0.3]) <= hv3.error + 4e-16 * 4)


@pytest.mark.parametrize("op,kw", [
    ("derivative", {}), ("gradient", {}), ("jacobian", {}), ("hessian", {}),
    ("gradient", {"batch": True}), ("jacobian", {"batch": True}), ("hessian", {"batch": True}),
])
def test_shapes_match_numeric(op, kw):
    rng = np.random.default_rng(0)
    if op == "derivative":
        f, pt = "sin(x)*x", rng.normal(size=(2, 3))
    elif op == "jacobian":
        f, pt = ["x*y", "exp(x) - y", "y^2"], rng.normal(size=(4, 2) if kw else 2)
    else:
        f, pt = "x*y*cos(x)", rng.normal(size=(4, 2) if kw else 2)
    sym = getattr(derivlab, op)(f, pt, method="symbolic", **kw)
    num = getattr(derivlab, op)(f, pt, **kw)
    assert np.shape(sym.value) == np.shape(num.value) == np.shape(sym.error)
    assert np.all(np.abs(sym.value - num.value) <= num.error)
    assert np.shape(sym.fx) == np.shape(num.fx) and np.allclose(sym.fx, num.fx)


@pytest.mark.parametrize("case", CASES + HIGHER_CASES, ids=str)
def test_public_suite_error_bars_hold(case):
    """Every derivative of the public suite is within its (rounding) bar of the 40-digit truth."""
    f = derivlab.parse(case.expr)
    r = derivlab.derivative(f, float(case.point()), order=case.order, method="symbolic")
    truth = exact_derivative(f.expr, f.symbols[0], float(case.point()), case.order)
    assert r.success
    assert abs_err(r.value, truth) <= r.error
    assert r.error <= 2.3e-16 * abs(r.value)  # nothing but the final rounding


# -- derivatives that do not exist -------------------------------------------------------------

@pytest.mark.parametrize("text,order,at,status", [
    ("abs(x)", 1, 0.0, Status.NOT_SMOOTH),
    ("x*sign(x)", 1, 0.0, Status.NOT_SMOOTH),
    ("sign(x) + 1", 1, 0.0, Status.NOT_SMOOTH),      # a jump: f' = 2 delta, not 0
    ("abs(x)^3", 3, 0.0, Status.NOT_SMOOTH),
    ("x^2*sign(x)", 2, 0.0, Status.NOT_SMOOTH),
    ("abs(x - 1)*x", 1, 1.0, Status.NOT_SMOOTH),
    ("sqrt(x)", 1, 0.0, Status.NONFINITE),
    ("log(x)", 1, -1.0, Status.NONFINITE),            # complex there
    ("1/x", 1, 0.0, Status.NONFINITE),
])
def test_no_derivative_is_flagged(text, order, at, status):
    r = derivlab.derivative(text, at, order=order, method="symbolic")
    assert r.status == status and not r.success and np.isnan(r.value)


@pytest.mark.parametrize("text,order,value", [
    ("abs(x)^3", 1, 0.0), ("abs(x)^3", 2, 0.0), ("x^2*sign(x)", 1, 0.0), ("abs(x)*x^3", 3, 0.0),
])
def test_smooth_enough_at_the_switch(text, order, value):
    """|x|^3 is C2 at 0: SymPy's sign(0) = 0 is not trusted, the sides are compared."""
    r = derivlab.derivative(text, 0.0, order=order, method="symbolic")
    assert r.success and r.value == value


def test_kink_in_two_variables():
    r = derivlab.gradient("abs(x - y)*x", [1.0, 1.0], method="symbolic")
    assert not r.success and np.all(r.status == Status.NOT_SMOOTH)
    r = derivlab.gradient("abs(x - y)*x", [2.0, 1.0], method="symbolic")
    assert r.value.tolist() == [3.0, -2.0]


# -- input -------------------------------------------------------------------------------------

def test_numpy_callable_gets_a_clear_message():
    with pytest.raises(InputError, match="method='symbolic' needs a formula.*f raised"):
        derivlab.derivative(np.sin, 1.0, method="symbolic")
    with pytest.raises(InputError, match="must return a SymPy expression"):
        derivlab.derivative(lambda t: "x**2", 1.0, method="symbolic")


@pytest.mark.parametrize("opt", [{"step": 1e-4}, {"rtol": 1e-6}, {"trace": True},
                                 {"adaptive": False}, {"accuracy": 4}])
def test_numeric_options_refused(opt):
    with pytest.raises(InputError, match=f"{next(iter(opt))}=.* applies to finite differences"):
        derivlab.derivative("sin(x)", 1.0, method="symbolic", **opt)


def test_formula_point_errors_are_the_numeric_ones():
    with pytest.raises(InputError, match="misses 'y'"):
        derivlab.gradient("x*y", {"x": 1}, method="symbolic")
    with pytest.raises(InputError, match="hvp's method must be"):
        derivlab.hvp("x*y", [1.0, 2.0], [1.0, 0.0], method="forward")


def test_input_not_mutated_and_expression_prints():
    pt = np.array([0.5, 2.0])
    r = derivlab.hessian("sin(x)*y^2", pt, method="symbolic")
    assert pt.tolist() == [0.5, 2.0]
    assert "cos" in sp.latex(r.expression) and r.expression.shape == (2, 2)
    d = derivlab.derivative("sin(x)^2", 0.3, method="symbolic")
    assert d.expression.latex == sp.latex(d.expression.expr) and "cos" in str(d.expression)


def test_expression_swell_is_refused_quickly():
    """Order 40 would take SymPy hours: refused once the expression passes the limit."""
    with pytest.raises(InputError, match="the derivative of order 10 has more than 2,000 operations"):
        derivlab.derivative("exp(sin(x))*atan(x^2)", 0.7, order=40, method="symbolic")
    r = derivlab.derivative("exp(sin(x))*atan(x^2)", 0.7, order=8, method="symbolic")
    num = derivlab.derivative("exp(sin(x))*atan(x^2)", 0.7, order=8)
    assert r.success and (not num.success or abs(num.value - r.value) <= num.error)
