"""The seeds' examples three ways (numeric, symbolic, automatic) through the same entry points."""

import numpy as np
import pytest

import derivlab
from derivlab import InputError

jax = pytest.importorskip("jax")
torch = pytest.importorskip("torch")
jnp = jax.numpy

SEEDS = [  # (operation, formula, point, kwargs)
    ("derivative", "3*x**3 - 5*x + 4", np.array([-1.0, 0.5, 2.0]), {}),
    ("derivative", "3*x*exp(x)", 2.0, {}),
    ("derivative", "3*x*exp(x)", 2.0, {"order": 3}),
    ("gradient", "2*x + 3*x*y + y^3", {"x": 1.0, "y": 2.0}, {}),
    ("gradient", "(x**3 + 4*x)*exp(y)*sin(z)", [4.0, 5.0, 1.0], {}),
    ("hessian", "x^2*y + exp(y)", [1.0, 0.0], {}),
    ("jacobian", ["x*y", "sin(x)"], [1.0, 2.0], {}),
    ("gradient", "x^2 + y^2", [[1.0, 2.0], [3.0, 4.0]], {"batch": True}),
]


@pytest.mark.parametrize("op,f,at,kw", SEEDS)
@pytest.mark.parametrize("method", ["jax", "torch"])
def test_autodiff_agrees_with_symbolic_and_numeric(op, f, at, kw, method):
    call = getattr(derivlab, op)
    sym = call(f, at, method="symbolic", **kw)
    ad = call(f, at, method=method, **kw)
    num = call(f, at, **kw)
    assert np.shape(ad.value) == np.shape(sym.value) == np.shape(num.value)
    scale = np.max(np.abs(sym.value)) + 1
    assert np.max(np.abs(np.asarray(ad.value) - sym.value)) <= 1e-12 * scale
    assert np.all(np.abs(np.asarray(num.value) - sym.value) <= num.error)
    assert ad.success and np.all(np.isnan(ad.error)) and "no error estimate" in ad.message


def test_the_seeds_matrix_function_written_for_each_library():
    w = np.array([[1.0, 2.0], [3.0, 4.0]])
    exact = [[2.0, 9.0], [6.0, 48.0]]
    f = lambda m: m[0, 0] ** 2 + 3 * m[0, 1] * m[1, 0] + m[1, 1] ** 3
    for method in ("jax", "torch", "symbolic"):
        assert derivlab.gradient(f, w, method=method).value.tolist() == exact
    g = lambda v: jnp.sin(v[0]) * v[1]
    assert derivlab.gradient(g, [1.0, 2.0], method="jax").value == pytest.approx(
        [2 * np.cos(1), np.sin(1)], rel=1e-15)
    h = lambda v: torch.exp(v[0]) * v[1] ** 2
    assert derivlab.hvp(h, [0.0, 3.0], [1.0, 0.0], method="torch").value == pytest.approx([9.0, 6.0])


@pytest.mark.parametrize("method", ["jax", "torch"])
def test_numeric_options_and_untraceable_f(method):
    with pytest.raises(InputError, match="step=0.001 applies to finite differences"):
        derivlab.derivative("sin(x)", 1.0, method=method, step=1e-3)
    with pytest.raises(InputError, match=f"method='{method}' needs f written with"):
        derivlab.derivative(np.sin, 1.0, method=method)


def test_compare_with_every_row():
    c = derivlab.compare("(x**3 + 4*x)*exp(y)*sin(z)", [4, 5, 1])
    rows = {r["method"]: r for r in c.rows}
    assert len(rows) == 8 and c.reference == "symbolic (exact)"
    for name in ("jax", "torch", "complex step"):
        assert rows[name]["error"] <= 1e-15 * 1e4 and rows[name]["note"] == ""


def test_compare_names_the_subgradient():
    c = derivlab.compare("abs(x)", 0.0)
    rows = {r["method"]: r for r in c.rows}
    assert c.reference.startswith("nothing: f has a kink")
    for name in ("jax", "torch"):
        assert rows[name]["value"] is not None and "subgradient" in rows[name]["note"]


def _public_suite():
    import pathlib
    import sys

    bench = pathlib.Path(__file__).resolve().parent.parent / "benchmarks"
    if str(bench) not in sys.path:
        sys.path.insert(0, str(bench))
    from suite import CASES, HIGHER_CASES

    return [c for c in CASES + HIGHER_CASES if c.dtype == "float64"]


@pytest.mark.parametrize("method", ["jax", "torch"])
def test_autodiff_on_the_public_suite_agrees_with_sympy(method):
    """Every float64 formula of the public accuracy suite, each order: autodiff within 1e-12
    (relative) of SymPy's exact derivative, at the suite's point."""
    cases = _public_suite()
    worst = []
    for case in cases:
        f = derivlab.parse(case.expr)
        x = float(case.point())
        exact = derivlab.derivative(f, x, order=case.order, method="symbolic")
        ad = derivlab.derivative(f, x, order=case.order, method=method)
        worst.append((abs(ad.value - exact.value) / abs(exact.value), case.name))
    assert len(cases) >= 40
    assert max(worst)[0] <= 1e-12, max(worst)


@pytest.mark.parametrize("method", ["jax", "torch"])
def test_every_function_of_the_formula_language(method):
    from derivlab.symbolic._text import FUNCTIONS

    bad = []
    for name, (_, arities) in sorted(FUNCTIONS.items()):
        if 1 not in arities or name in ("sign", "abs"):
            continue
        at = 1.6 if name in ("acosh", "arccosh") else 0.6
        text = f"{name}(x) * x"
        exact = derivlab.derivative(text, at, method="symbolic").value
        got = derivlab.derivative(text, at, method=method).value
        if not abs(got - exact) <= 1e-13 * abs(exact):
            bad.append((name, got, exact))
    assert not bad
