"""derivlab.compare: every method side by side, errors against an independent reference."""

import json

import mpmath
import numpy as np
import pytest
import sympy as sp

import derivlab
from derivlab import InputError

from _truth import exact_partial

NUMERIC = ["forward h=1e-4", "backward h=1e-4", "central h=1e-4", "adaptive (default)",
           "complex step", "symbolic"]
SEED = "(x**3 + 4*x)*exp(y)*sin(z)"


def _rows(c):
    return {r["method"]: r for r in c.rows}


def test_seed_gradient_table():
    c = derivlab.compare(SEED, [4, 5, 1], methods=NUMERIC)
    rows = _rows(c)
    assert c.reference == "symbolic (exact)" and c.operation == "gradient"
    x, y, z = sp.symbols("x y z", real=True)
    expr = (x**3 + 4 * x) * sp.exp(y) * sp.sin(z)
    truth = np.array([float(exact_partial(expr, (x, y, z), (4, 5, 1), s)) for s in (x, y, z)])
    for name in ("adaptive (default)", "complex step", "symbolic"):
        r = rows[name]
        assert np.max(np.abs(r["value"] - truth)) <= r["estimate"] + 1e-12 * 1e4, name
        assert r["error"] <= r["estimate"] + 2e-12, name
        assert r["note"] == "", name
    # the seeds' fixed steps lose digits, and the table says why
    for name in ("forward h=1e-4", "backward h=1e-4", "central h=1e-4"):
        assert rows[name]["error"] > 1e-6 and "fixed step too large" in rows[name]["note"]
    assert rows["forward h=1e-4"]["error"] > 1e3 * rows["central h=1e-4"]["error"]


def test_reference_without_a_formula_is_confirmed():
    c = derivlab.compare(lambda t: np.exp(t) * np.sin(3 * t), 0.4, methods=NUMERIC)
    assert c.reference.endswith("confirmed by adaptive (default)") or \
        c.reference.endswith("confirmed by complex step")
    truth = float(mpmath.diff(lambda t: mpmath.exp(t) * mpmath.sin(3 * t), mpmath.mpf(0.4)))
    rows = _rows(c)
    assert rows["symbolic"]["value"] is None  # np.sin cannot take a symbol: a row, not a crash
    assert abs(rows["adaptive (default)"]["value"] - truth) <= rows["adaptive (default)"]["estimate"]


def test_kink_has_no_reference_and_says_so():
    c = derivlab.compare("abs(x)", 0.0, methods=NUMERIC)
    assert c.reference.startswith("nothing: f has a kink")
    rows = _rows(c)
    assert "kink" in rows["adaptive (default)"]["note"] and "kink" in rows["symbolic"]["note"]
    assert "no derivative exists" in rows["central h=1e-4"]["note"]


def test_non_analytic_and_float32_notes():
    c = derivlab.compare(lambda t: np.abs(t) ** 3, 0.5, methods=NUMERIC)
    assert "not analytic" in _rows(c)["complex step"]["note"]
    c = derivlab.compare(np.sin, np.float32(1.0), methods=NUMERIC)
    assert any("float32" in n for n in c.notes)
    assert "round-off" in _rows(c)["central h=1e-4"]["note"]


def test_outputs_text_html_json():
    c = derivlab.compare("3*x*exp(x)", 2.0, methods=NUMERIC)
    text = str(c)
    assert all(m in text for m in NUMERIC) and "symbolic (exact)" in text
    html = c._repr_html_()
    assert html.count("<tr>") == len(NUMERIC) + 1
    back = json.loads(json.dumps(c.to_dict()))
    assert [r["method"] for r in back["rows"]] == NUMERIC
    assert back["rows"][5]["value"] == pytest.approx(9 * np.exp(2), rel=1e-15)


def test_rich_table():
    rich = pytest.importorskip("rich")
    from rich.console import Console

    console = Console(record=True, width=140)
    console.print(derivlab.compare("x^2", 3.0, methods=["central h=1e-4", "symbolic"]))
    assert "symbolic" in console.export_text() and rich


def test_bad_input():
    with pytest.raises(InputError, match="unknown method row"):
        derivlab.compare("x^2", 1.0, methods=["centrall"])
    # a row named by its method alone, or misspelt: the row meant is named
    with pytest.raises(InputError, match=r"did you mean 'central' -> 'central h=1e-4', "
                                         r"'symblic' -> 'symbolic'\?\); the rows are"):
        derivlab.compare("x^2", 1.0, methods=["central", "symblic"])
    with pytest.raises(InputError, match=r"unknown method row\(s\) \['xyz'\]; the rows"):
        derivlab.compare("x^2", 1.0, methods="xyz")
    with pytest.raises(InputError, match="order=2 for one variable only"):
        derivlab.compare("x*y", [1.0, 2.0], order=2)


def test_mapping_names_are_checked():
    with pytest.raises(InputError, match="has 'y', not a variable"):
        derivlab.compare("x^2", {"y": 1.0})
    with pytest.raises(InputError, match="misses 'z'"):
        derivlab.compare("x*y*z", {"x": 1.0, "y": 2.0})
    c = derivlab.compare("x^2", {"x": 3.0}, methods=["symbolic"])
    assert c.rows[0]["value"] == 6.0
