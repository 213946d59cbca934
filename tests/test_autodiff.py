"""Automatic differentiation (derivlab.autodiff) with JAX and PyTorch: exact values, the
numeric entry points' shapes, float32, input safety and the errors.

Every callable here is written once against a module ``m`` (``jax.numpy``, ``torch`` or, for
derivlab's numeric entry points, ``numpy``): the three share ``sin``, ``exp``, ``sum`` and
``stack``.
"""

from __future__ import annotations

import math
import subprocess
import sys

import mpmath
import numpy as np
import pytest
import sympy

import derivlab
from derivlab import InputError
from derivlab.autodiff import differentiate
from _truth import exact_derivative, exact_partial, rel_err


def _library(name):
    """(library name, its array module), or a skip when it is not installed."""
    if name == "jax":
        pytest.importorskip("jax")
        import jax.numpy as jnp

        return "jax", jnp
    return "torch", pytest.importorskip("torch")


@pytest.fixture(params=["jax", "torch"])
def lib(request):
    return _library(request.param)


def _both(cases, name):
    """Parameters for every case with torch, and with JAX for the cases marked "J" (a JAX
    call compiles a program, ~0.1 s: it runs a representative subset; the shared code is
    covered by torch's full run)."""
    out = []
    for case in cases:
        label = f"{case[0]}-{name(case)}-{case[2].shape}-{'-'.join(case[3]) or 'plain'}"
        for library in (("jax", "torch") if case[4] == "J" else ("torch",)):
            out.append(pytest.param(library, *case[:4], id=f"{library}-{label}"))
    return out


# -- the seeds' examples, against SymPy evaluated by mpmath (40 digits) ------------------------

CUBIC, CUBIC_X = "3*x**3 - 5*x + 4", [-2.0, -0.5, 0.0, 1.0, 2.5, 10.0]


@pytest.mark.parametrize("how", ["formula", "callable"])
def test_cubic_derivative(lib, how):
    name, m = lib
    x = np.array(CUBIC_X)
    if how == "formula":
        value, fx = differentiate(name, "derivative", None, x, formulas=[derivlab.parse(CUBIC)])
    else:
        value, fx = differentiate(name, "derivative", lambda t: 3 * t**3 - 5 * t + 4, x)
    X = sympy.Symbol("x", real=True)
    expr = sympy.sympify(CUBIC, locals={"x": X})
    assert value.shape == x.shape and value.dtype == np.float64
    for xi, d in zip(CUBIC_X, value):
        assert rel_err(d, exact_derivative(expr, X, xi)) <= 1e-12
    assert np.array_equal(value, 9 * x**2 - 5)  # exact in binary for these points
    assert np.allclose(fx, 3 * x**3 - 5 * x + 4, rtol=1e-15)


@pytest.mark.parametrize("how", ["formula", "callable"])
def test_3x_exp_x_at_2(lib, how):
    name, m = lib
    if how == "formula":
        value, fx = differentiate(name, "derivative", None, np.array(2.0),
                                  formulas=[derivlab.parse("3*x*exp(x)")])
    else:
        value, fx = differentiate(name, "derivative", lambda t: 3 * t * m.exp(t), np.array(2.0))
    assert isinstance(value, float) and isinstance(fx, float)
    with mpmath.workdps(30):
        assert rel_err(value, 9 * mpmath.e**2) <= 1e-12
        assert rel_err(fx, 6 * mpmath.e**2) <= 1e-15


@pytest.mark.parametrize("how", ["formula", "callable"])
def test_gradient_2x_3xy_y3(lib, how):
    name, m = lib
    x = np.array([1.0, 2.0])
    if how == "formula":
        value, fx = differentiate(name, "gradient", None, x,
                                  formulas=[derivlab.parse("2*x + 3*x*y + y^3")])
    else:
        value, fx = differentiate(name, "gradient", lambda p: 2 * p[0] + 3 * p[0] * p[1] + p[1]**3, x)
    assert np.array_equal(value, [8.0, 15.0]) and fx == 16.0


THREE = "(x**3 + 4*x)*exp(y)*sin(z)"


@pytest.mark.parametrize("how", ["formula", "callable"])
def test_gradient_three_variables_at_4_5_1(lib, how):
    name, m = lib
    point = [4.0, 5.0, 1.0]
    if how == "formula":
        value, _ = differentiate(name, "gradient", None, np.array(point), formulas=[derivlab.parse(THREE)])
    else:
        value, _ = differentiate(name, "gradient",
                                 lambda p: (p[0]**3 + 4 * p[0]) * m.exp(p[1]) * m.sin(p[2]), np.array(point))
    syms = sympy.symbols("x y z", real=True)
    expr = sympy.sympify(THREE, locals=dict(zip("xyz", syms)))
    for i, s in enumerate(syms):
        assert rel_err(value[i], exact_partial(expr, syms, point, s)) <= 1e-12


@pytest.mark.parametrize("how", ["formula", "callable"])
def test_hessian_x2y_exp_y(lib, how):
    name, m = lib
    point = [1.5, 0.3]
    if how == "formula":
        value, fx = differentiate(name, "hessian", None, np.array(point),
                                  formulas=[derivlab.parse("x^2*y + exp(y)")])
    else:
        value, fx = differentiate(name, "hessian", lambda p: p[0]**2 * p[1] + m.exp(p[1]), np.array(point))
    syms = sympy.symbols("x y", real=True)
    expr = syms[0]**2 * syms[1] + sympy.exp(syms[1])
    assert value.shape == (2, 2)
    for i in range(2):
        for j in range(2):
            assert rel_err(value[i, j], exact_partial(expr, syms, point, syms[i], syms[j])) <= 1e-12
    assert value[0, 1] == value[1, 0]


# -- orders 1 to 4, and every function of the formula language ----------------------------------

ORDERS = ["3*x*exp(x)", "exp(-x^2)", "sin(x)*log(x)"]


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_orders_1_to_4(lib, order):
    name, m = lib
    points = [0.7, 1.3, 2.1]
    formulas = [derivlab.parse(t) for t in ORDERS]  # one call: the components of a vector f
    by_formula, _ = differentiate(name, "derivative", None, np.array(points), formulas=formulas,
                                  vector=True, order=order)
    assert by_formula.shape == (3, 3)
    X = formulas[0].symbols[0]
    for i, xi in enumerate(points):
        for j, formula in enumerate(formulas):
            exact = exact_derivative(formula.expr, X, xi, order)
            assert rel_err(by_formula[i, j], exact) <= 1e-12


def test_order_4_of_a_callable(lib):
    name, m = lib
    points = [0.7, 1.3, 2.1]
    value, _ = differentiate(name, "derivative", lambda t: 3 * t * m.exp(t), np.array(points), order=4)
    formula = derivlab.parse(ORDERS[0])
    for i, xi in enumerate(points):
        assert rel_err(value[i], exact_derivative(formula.expr, formula.symbols[0], xi, 4)) <= 1e-12


LANGUAGE = ["atan2(2, x) + asin(x/9) + acos(x/9)", "sinh(x)*cosh(x) + tanh(x) + asinh(x)",
            "acosh(x+2) + atanh(x/9)", "log10(x) + log2(x) + log(x, 3) + ln(x)",
            "sqrt(x) + cbrt(x) + x^(2/3) + abs(x)", "erf(x) + gamma(x)", "gamma(-x)",
            "pi*x + e^x + exp(2)*x + sqrt(2)*x + 2^x", "tan(x)/x^1.5"]


def test_formula_functions(lib):
    """Every function of the formula language, read into the library's functions."""
    name, _ = lib
    points = np.array([0.4, 1.3, 2.25])
    formulas = [derivlab.parse(t) for t in LANGUAGE]
    value, fx = differentiate(name, "derivative", None, points, formulas=formulas, vector=True)
    X = formulas[0].symbols[0]
    for i, xi in enumerate(points):
        for j, formula in enumerate(formulas):
            assert rel_err(value[i, j], exact_derivative(formula.expr, X, xi)) <= 1e-12, LANGUAGE[j]
            assert fx[i, j] == pytest.approx(float(formula(xi)), rel=1e-14)


def test_formula_programs_are_reused_with_new_points(lib):
    name, _ = lib
    formulas = [derivlab.parse("x^2*y + exp(y)")]
    first, _ = differentiate(name, "gradient", None, np.array([1.5, 0.3]), formulas=formulas)
    second, fx = differentiate(name, "gradient", None, np.array([2.0, 0.0]), formulas=formulas)
    assert np.allclose(first, [0.9, 2.25 + np.exp(0.3)], rtol=1e-15)
    assert np.array_equal(second, [0.0, 5.0]) and fx == 1.0


# -- shapes and values: the numeric entry points' --------------------------------------------

def _x(shape, lo=0.2, hi=0.9):
    return np.linspace(lo, hi, int(np.prod(shape, dtype=int))).reshape(shape)


def _scalar(m):
    return lambda p: m.sum(m.sin(p) * p) + m.sum(p) ** 2


def _vec2(m):  # a vector f of an array: shape (2,)
    return lambda p: m.stack([m.sum(p**2), m.sum(m.sin(p)) * m.sum(p)])


def _mat(m):  # shape (2, 2)
    return lambda p: m.stack([m.stack([m.sum(p**2), m.sum(m.exp(p))]),
                              m.stack([m.sum(p) ** 3, m.sum(m.sin(p))])])


def _three(m):  # f(a, b, c), for unpack
    return lambda a, b, c: a * b + m.sin(c) * a + c**2


def _three_vec(m):
    return lambda a, b, c: m.stack([a * b, m.exp(c) * a])


def _t_scalar(m):
    return lambda t: t * m.sin(t) + t**2


def _t_vec(m):
    return lambda t: m.stack([m.sin(t), t**3, m.exp(t) * t])


# (operation, make f, x, options, "J" to run with JAX too); v (jvp, hvp) is made from x
CASES = [
    ("derivative", _t_scalar, _x((2, 3)), {}, "J"),
    ("derivative", _t_vec, _x((4,)), {}, ""),
    ("derivative", _t_vec, _x((2, 2)), {"order": 2}, "J"),
    ("gradient", _scalar, np.array(0.6), {}, "J"),
    ("gradient", _scalar, _x((3,)), {}, ""),
    ("gradient", _scalar, _x((2, 3)), {}, ""),
    ("gradient", _scalar, _x((4, 3)), {"batch": True}, "J"),
    ("gradient", _three, _x((3,)), {"unpack": True}, ""),
    ("gradient", _three, _x((4, 3)), {"unpack": True, "batch": True}, "J"),
    ("jacobian", _vec2, _x((3,)), {}, "J"),
    ("jacobian", _vec2, _x((5,)), {}, "J"),  # more inputs than outputs: reverse mode
    ("jacobian", _mat, _x((2, 2)), {}, "J"),
    ("jacobian", _scalar, _x((3,)), {}, ""),
    ("jacobian", _vec2, _x((4, 3)), {"batch": True}, "J"),
    ("jacobian", _three_vec, _x((3,)), {"unpack": True}, ""),
    ("jacobian", _three_vec, _x((2, 3)), {"unpack": True, "batch": True}, ""),
    ("hessian", _scalar, np.array(0.6), {}, "J"),
    ("hessian", _scalar, _x((3,)), {}, ""),
    ("hessian", _scalar, _x((2, 2)), {}, ""),
    ("hessian", _scalar, _x((2, 3)), {"batch": True}, "J"),
    ("hessian", _three, _x((3,)), {"unpack": True}, "J"),
    ("jvp", _vec2, _x((3,)), {}, "J"),
    ("jvp", _scalar, _x((3,)), {}, ""),
    ("hvp", _scalar, _x((3,)), {}, ""),
    ("hvp", _scalar, _x((2, 2)), {}, "J"),
]


def _numeric(operation, f, x, v, options):
    """derivlab's default (adaptive central differences) for the same question."""
    if operation == "derivative":
        return derivlab.derivative(f, x, vectorized=False, **options)
    if operation in ("jvp", "hvp"):
        return getattr(derivlab, operation)(f, x, v, vectorized=False)
    return getattr(derivlab, operation)(f, x, vectorized=False, **options)


def _direction(x):
    return np.cos(3.0 * np.arange(x.size)).reshape(x.shape)


@pytest.mark.parametrize("library,operation,make,x,options", _both(CASES, lambda c: c[1].__name__))
def test_shapes_and_values_match_numeric(library, operation, make, x, options):
    name, m = _library(library)
    v = _direction(x) if operation in ("jvp", "hvp") else None
    keep = x.copy(), None if v is None else v.copy()
    value, fx = differentiate(name, operation, make(m), x, v=v, **options)
    assert np.array_equal(x, keep[0]) and x.flags.writeable  # never touched, never shared
    assert v is None or np.array_equal(v, keep[1])
    for out in (value, fx):
        assert not isinstance(out, np.ndarray) or (not np.shares_memory(out, x) and out.flags.writeable)
    res = _numeric(operation, make(np), x, v, options)
    assert res.success
    assert np.shape(value) == np.shape(res.value) and type(value) is type(res.value)
    assert np.allclose(value, res.value, rtol=1e-8, atol=1e-8)
    assert np.shape(fx) == np.shape(res.fx) and np.allclose(fx, res.fx, rtol=1e-14, atol=0)
    assert np.asarray(value).dtype == np.float64


# formulas: derivlab's numeric entry point is given the text, autodiff the parsed formulas
FORMULA_CASES = [
    ("derivative", "3*x*exp(x)", _x((2, 2)), {}, ""),
    ("derivative", ["sin(x)", "x^2", "3"], _x((3,)), {}, "J"),
    ("gradient", "x^3", np.array(0.8), {}, "J"),
    ("gradient", "x^2*y + exp(y)", np.array([1.5, 0.3]), {}, ""),
    ("gradient", "x^2*y + exp(y)", _x((3, 2)), {"batch": True}, "J"),
    ("gradient", "x^2*y + exp(y)", np.array([1.5, 0.3]), {"unpack": True}, ""),
    ("gradient", "x + 0*y", np.array([1.5, 0.3]), {}, ""),
    ("jacobian", ["x*y", "sin(x)", "2"], np.array([1.0, 2.0]), {}, ""),
    ("jacobian", ["x*y", "sin(x)", "2"], _x((3, 2)), {"batch": True}, "J"),
    ("hessian", "x^2*y + exp(y)", np.array([1.5, 0.3]), {}, "J"),
    ("hessian", "x^2*y + exp(y)", _x((2, 2)), {"batch": True}, ""),
    ("hessian", "sin(x)", np.array(0.4), {}, ""),
    ("jvp", ["x*y", "y^2"], np.array([1.0, 2.0]), {}, "J"),
    ("hvp", "x^2*y + y^3", np.array([1.0, 2.0]), {}, "J"),
]


@pytest.mark.parametrize("library,operation,text,x,options", _both(FORMULA_CASES, lambda c: c[1]))
def test_formula_shapes_and_values_match_numeric(library, operation, text, x, options):
    name, _ = _library(library)
    vector = isinstance(text, list)
    formulas = [derivlab.parse(t) for t in text] if vector else [derivlab.parse(text)]
    v = _direction(x) if operation in ("jvp", "hvp") else None
    value, fx = differentiate(name, operation, None, x, formulas=formulas, vector=vector, v=v, **options)
    if operation in ("jvp", "hvp"):
        res = getattr(derivlab, operation)(text, x, v)
    else:
        res = getattr(derivlab, operation)(text, x, **options)
    assert res.success
    assert np.shape(value) == np.shape(res.value) and type(value) is type(res.value)
    assert np.allclose(value, res.value, rtol=1e-8, atol=1e-8)
    assert np.shape(fx) == np.shape(res.fx) and np.allclose(fx, res.fx, rtol=1e-14, atol=0)


def test_constant_formulas_broadcast(lib):
    name, _ = lib
    x = _x((2, 3))
    value, fx = differentiate(name, "derivative", None, x, formulas=[derivlab.parse("3")])
    assert np.array_equal(value, np.zeros((2, 3))) and np.array_equal(fx, np.full((2, 3), 3.0))
    pts = _x((4, 2))
    value, fx = differentiate(name, "jacobian", None, pts, batch=True, vector=True,
                              formulas=[derivlab.parse("x*y"), derivlab.parse("2")])
    assert value.shape == (4, 2, 2) and fx.shape == (4, 2)
    assert np.array_equal(value[:, 0], pts[:, ::-1]) and np.array_equal(value[:, 1], np.zeros((4, 2)))
    assert np.array_equal(fx[:, 1], np.full(4, 2.0))


@pytest.mark.parametrize("operation", ["jvp", "hvp"])
def test_batched_products_equal_full_matrices(lib, operation):
    name, m = lib
    pts = _x((2, 4))
    vs = np.cos(np.arange(8.0)).reshape(2, 4)
    if operation == "jvp":
        full, fx_full = differentiate(name, "jacobian", _vec2(m), pts, batch=True)
        product, fx = differentiate(name, "jvp", _vec2(m), pts, v=vs, batch=True)
        assert product.shape == (2, 2) and fx.shape == (2, 2)
    else:
        full, fx_full = differentiate(name, "hessian", _scalar(m), pts, batch=True)
        product, fx = differentiate(name, "hvp", _scalar(m), pts, v=vs, batch=True)
        assert product.shape == (2, 4) and fx.shape == (2,)
    for k in range(2):
        assert np.allclose(product[k], full[k] @ vs[k], rtol=1e-13, atol=1e-13)
    assert np.array_equal(fx, fx_full)


def test_args_reach_f(lib):
    name, m = lib
    a = np.array([1.0, 2.0, 3.0])
    f = lambda p, w, c: c * m.sum(w * p**2)  # noqa: E731
    value, fx = differentiate(name, "gradient", f, np.ones(3), args=(a, 0.5))
    assert np.array_equal(value, a) and fx == 3.0


# -- float32 ------------------------------------------------------------------------------------

@pytest.mark.parametrize("how", ["formula", "callable"])
def test_float32_is_computed_in_float32(lib, how):
    name, m = lib
    x64 = np.array([0.3, 1.1, 2.0, 2.7])
    x32 = x64.astype(np.float32)
    f = None if how == "formula" else (lambda t: 3 * t * m.exp(t) + math.pi * t)
    formulas = [derivlab.parse("3*x*exp(x) + pi*x")] if how == "formula" else None
    v32, fx32 = differentiate(name, "derivative", f, x32, formulas=formulas)
    v64, fx64 = differentiate(name, "derivative", f, x64, formulas=formulas)
    assert v32.dtype == np.float32 and fx32.dtype == np.float32 and v64.dtype == np.float64
    exact = 3 * (1 + x64) * np.exp(x64) + np.pi  # at the float32 points: x32 differs from x64
    exact32 = 3 * (1 + x32.astype(np.float64)) * np.exp(x32.astype(np.float64)) + np.pi
    assert np.allclose(v64, exact, rtol=1e-14)
    assert np.allclose(v32, exact32, rtol=3e-7)  # float32 rounding, a few eps
    assert np.allclose(v32, v64, rtol=1e-5)
    assert not np.array_equal(v32.astype(np.float64), exact32)  # not float64 arithmetic


def test_float32_gradient_and_hessian(lib):
    name, m = lib
    x = _x((3,)).astype(np.float32)
    g, fx = differentiate(name, "gradient", _scalar(m), x)
    h, _ = differentiate(name, "hessian", _scalar(m), x)
    assert g.dtype == np.float32 and h.dtype == np.float32 and isinstance(fx, float)
    p = x.astype(np.float64)  # the exact derivatives of _scalar at the float32 point
    assert np.allclose(g, np.sin(p) + p * np.cos(p) + 2 * p.sum(), rtol=1e-6)
    assert np.allclose(h, np.diag(2 * np.cos(p) - p * np.sin(p)) + 2, rtol=1e-6)


def test_library_state_is_restored(lib):
    name, m = lib
    if name == "jax":
        import jax

        before = jax.config.jax_enable_x64
        differentiate(name, "derivative", lambda t: t**2, np.array([1.0]))
        assert jax.config.jax_enable_x64 == before
    else:
        before = m.get_default_dtype()
        differentiate(name, "derivative", lambda t: t**2 + m.tensor(0.1), np.array([1.0]))
        assert m.get_default_dtype() == before
        # tensors f creates have x's dtype during the call: 0.1 is a float64 constant
        _, fx = differentiate(name, "derivative", lambda t: t * 0 + m.tensor(0.1), np.array([1.0]))
        assert fx[0] == 0.1


# -- vectorization ------------------------------------------------------------------

def test_many_points_are_vectorized(lib):
    name, m = lib
    calls = []

    def f(t):
        calls.append(1)
        return m.sin(t) * t

    x = np.linspace(-3.0, 3.0, 10_000)
    value, fx = differentiate(name, "derivative", f, x, order=2)
    assert np.allclose(value, 2 * np.cos(x) - x * np.sin(x), rtol=1e-13, atol=1e-14)
    assert len(calls) <= 4  # traced once or twice, never once per point


# -- errors ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,message", [
    ("jax", "method='jax' needs JAX: pip install 'derivlab[jax]'"),
    ("torch", "method='torch' needs PyTorch: pip install 'derivlab[torch]'")])
def test_missing_library(monkeypatch, name, message):
    monkeypatch.setitem(sys.modules, name, None)  # "import jax" now fails as if not installed
    with pytest.raises(InputError) as info:
        differentiate(name, "derivative", lambda t: t, np.array([1.0]))
    assert str(info.value).startswith(message)
    with pytest.raises(InputError, match="derivlab\\[" + name):
        differentiate(name, "gradient", None, np.array([1.0, 2.0]), formulas=[derivlab.parse("x*y")])


def test_import_loads_neither_library():
    code = ("import sys, derivlab, derivlab.autodiff; "
            "print(sorted(m for m in ('jax', 'torch', 'sympy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


UNTRACEABLE = {  # f of one number (derivative), f of a vector (gradient)
    "numpy": [("derivative", np.sin), ("gradient", lambda p: np.sum(np.exp(p)))],
    "math": [("derivative", math.sin), ("gradient", lambda p: math.exp(p[0]) * p[1])],
    "float": [("derivative", lambda t: t * float(t)), ("gradient", lambda p: float(p[0]) * p[1])],
    "if": [("derivative", lambda t: t if t > 0 else -t), ("gradient", lambda p: p[0] if p[0] > 0 else p[1])],
}


@pytest.mark.parametrize("kind", list(UNTRACEABLE))
def test_untraceable_f(lib, kind):
    name, _ = lib
    written = {"jax": "jax.numpy", "torch": "torch functions"}[name]
    said = {"jax": "JAX said", "torch": "PyTorch said"}[name]
    for operation, f in UNTRACEABLE[kind]:
        with pytest.raises(InputError) as info:
            differentiate(name, operation, f, np.array([0.5, 1.0]))
        text = str(info.value)
        assert f"method='{name}' needs f written with {written}" in text and said in text
        assert "\n" not in text


@pytest.mark.parametrize("operation", ["gradient", "hessian", "hvp"])
def test_non_scalar_f(lib, operation):
    name, m = lib
    x = _x((3,))
    v = x if operation == "hvp" else None
    with pytest.raises(InputError, match=rf"{operation} needs f to return a scalar, but f returned "
                                         r"shape \(3,\).*use jacobian"):
        differentiate(name, operation, lambda p: p**2, x, v=v)
    with pytest.raises(InputError, match="scalar"):
        differentiate(name, operation, None, np.array([1.0, 2.0]), v=v if v is None else v[:2], vector=True,
                      formulas=[derivlab.parse("x*y"), derivlab.parse("y")])


def test_other_errors_of_f_propagate(lib):
    name, _ = lib

    def f(t):
        raise ZeroDivisionError("f's own bug")

    with pytest.raises(ZeroDivisionError, match="f's own bug"):
        differentiate(name, "derivative", f, np.array([1.0]))


def test_complex_f(lib):
    name, m = lib
    f = (lambda t: t * 1j) if name == "jax" else (lambda t: t * (1 + 1j))
    with pytest.raises(InputError, match="real-valued"):
        differentiate(name, "derivative", f, np.array([1.0]))


@pytest.mark.parametrize("kwargs,match", [
    ({"library": "numpy"}, "library must be one of"),
    ({"operation": "curl"}, "operation must be one of"),
    ({"operation": "jvp"}, "needs a direction v"),
    ({"operation": "jvp", "v": np.ones(2)}, "v must have x's shape"),
    ({"v": np.ones(3)}, "applies to jvp and hvp only"),
    ({"order": 0}, "order"),
    ({"batch": True, "operation": "derivative"}, "batch and unpack do not apply"),
    ({"unpack": True, "operation": "gradient", "x": np.ones((2, 2))}, "unpack=True needs x to be a 1-D"),
    ({"f": None}, "give a callable f"),
    ({"formulas": ["x"]}, "give f or formulas"),
])
def test_invalid_options(kwargs, match):
    pytest.importorskip("jax")
    call = {"library": "jax", "operation": "derivative", "f": lambda t: t, "x": np.ones(3)} | kwargs
    with pytest.raises((InputError, derivlab.InputTypeError), match=match):
        differentiate(call.pop("library"), call.pop("operation"), call.pop("f"), call.pop("x"), **call)


def test_formula_errors(lib):
    name, _ = lib
    two = [derivlab.parse("x*y")]
    with pytest.raises(InputError, match="derivative needs a formula of one variable"):
        differentiate(name, "derivative", None, np.ones(3), formulas=two)
    with pytest.raises(InputError, match="along its last axis"):
        differentiate(name, "gradient", None, np.ones(3), formulas=two)
    with pytest.raises(InputError, match="args cannot be used with formulas"):
        differentiate(name, "gradient", None, np.ones(2), formulas=two, args=(1.0,))
    with pytest.raises(InputError, match="no variables"):
        differentiate(name, "gradient", None, np.ones(2), formulas=[derivlab.parse("3")])
