"""What a Result and its trace say: named records, every operation, the user's units."""

import json

import numpy as np
import pytest

import derivlab
from derivlab import Status, TraceRecord

_SCALAR = lambda v: v[0] ** 2 * v[1] + np.sin(v[1])  # noqa: E731
_VECTOR = lambda v: np.array([v[0] * v[1], v[1] ** 2])  # noqa: E731
X2, V2 = np.array([1.0, 2.0]), np.array([0.5, -1.0])

OPERATIONS = {
    "derivative": lambda **kw: derivlab.derivative(np.exp, [1.0, 2.0], **kw),
    "gradient": lambda **kw: derivlab.gradient(_SCALAR, X2, **kw),
    "jacobian": lambda **kw: derivlab.jacobian(_VECTOR, X2, **kw),
    "hessian": lambda **kw: derivlab.hessian(_SCALAR, X2, **kw),
    "jvp": lambda **kw: derivlab.jvp(_VECTOR, X2, V2, **kw),
    "hvp": lambda **kw: derivlab.hvp(_SCALAR, X2, V2, **kw),
    "complex": lambda **kw: derivlab.gradient(_SCALAR, X2, method="complex", **kw),
}


@pytest.mark.parametrize("op", OPERATIONS)
def test_trace_as_dicts_is_json_for_every_operation(op):
    res = OPERATIONS[op](trace=True)
    assert res.trace is not None and len(res.trace) > 0
    assert all(isinstance(r, TraceRecord) for r in res.trace)
    dicts = res.trace.as_dicts()
    assert len(dicts) == len(res.trace)
    back = json.loads(json.dumps(dicts))
    assert set(back[0]) == set(TraceRecord.__dataclass_fields__)
    assert str(res.trace).count("\n") == len(res.trace) + 1  # header, rule, one line a record


def test_complex_trace_records_the_complex_points():
    x = np.array([1.0, 2.0])
    res = derivlab.gradient(_SCALAR, x, method="complex", trace=True)
    every = [r for r in res.trace if isinstance(r.x, complex)]
    # after the real-arithmetic check, one complex point per partial a small real shift on
    # (it sizes the bar's eps |x f''| term), then one at x + i h, which carries the result
    moved, cplx = every[:2], every[2:]
    assert len(every) == 4 and res.trace[-1] is every[-1]
    for r in moved:
        i = r.element[0]
        assert r.x.real > x[i] and r.x.imag == r.step > 0
        pt = x.astype(complex)
        pt[i] = r.x
        assert r.fx == _SCALAR(pt)
    for r in cplx:
        i = r.element[0]
        assert r.x.real == x[i] and r.x.imag == r.step > 0 and r.offset == 1j * r.step
        pt = x.astype(complex)
        pt[i] += 1j * r.step
        assert r.fx == _SCALAR(pt)
        assert r.estimate == res.value[i] == r.fx.imag / r.step
    assert json.dumps(res.trace.as_dicts())


def test_trace_records_are_named_and_match_the_evaluations():
    seen = []
    g = lambda v: v[0] * v[1] ** 2  # noqa: E731

    def f(v):
        seen.append(np.array(v, dtype=float))
        return g(v)

    res = derivlab.gradient(f, [1.0, 2.0], step=1e-3, vectorized=False, trace=True)
    assert [r.element for r in res.trace] == [(0,), (0,), (1,), (1,)]
    for r in res.trace:
        assert r.step == 1e-3 and abs(r.offset) == 1e-3
        pt = np.array([1.0, 2.0])
        pt[r.element] += r.offset
        assert r.x == pt[r.element]
        assert any(np.array_equal(s, pt) for s in seen) and g(pt) == r.fx


# -- status: Status members ------------------------------------------------------------------

def test_scalar_status_is_a_status_member():
    res = derivlab.derivative(np.sin, 1.0)
    assert isinstance(res.status, Status) and res.status is Status.OK
    assert res.status == Status.OK and res.status >= 0 and res.success
    bad = derivlab.derivative(np.abs, 0.0)
    assert isinstance(bad.status, Status) and bad.status < 0 and not bad.success


@pytest.mark.parametrize("op", [op for op in OPERATIONS if op != "jvp"] + ["jvp"])
def test_array_status_holds_status_members(op):
    res = OPERATIONS[op]()
    status = res.status
    assert isinstance(status, np.ndarray) and status.dtype == object
    assert status.shape == np.shape(res.value)
    assert all(isinstance(s, Status) for s in status.flat)
    assert np.all(status == Status.OK) and np.all(status >= 0) and res.success


def test_array_status_mixed_and_fixed():
    res = derivlab.derivative(lambda x: np.sqrt(x) if x > 0 else np.nan, [-1.0, 4.0],
                              vectorized=False)
    assert [type(s) for s in res.status] == [Status, Status]
    assert res.status.tolist() == [Status.NONFINITE, Status.OK] and not res.success
    fixed = derivlab.gradient(_SCALAR, X2, step=1e-4)
    assert all(s is Status.FIXED_STEP for s in fixed.status) and fixed.success
    failed = derivlab.gradient(lambda v: 1 / 0, X2)
    assert all(s is Status.NONFINITE for s in failed.status)


# -- jvp in the user's units -----------------------------------------------------------------

X3, V3 = np.array([100.0, 2.0]), np.array([1.0, 3.0])
J3 = np.array([[X3[1], X3[0]], [np.sin(X3[1]), X3[0] * np.cos(X3[1])]])
_JF = lambda x: np.array([x[0] * x[1], np.sin(x[1]) * x[0]])  # noqa: E731


def test_jvp_fixed_step_is_reported_in_the_users_units():
    res = derivlab.jvp(_JF, X3, V3, step=1e-3, trace=True)
    assert res.step == 1e-3
    assert np.allclose(res.value, J3 @ V3, rtol=1e-5)  # truncation: O(h**2)
    # the textbook central difference along v with that step, bit for bit
    manual = (_JF(X3 + 1e-3 * V3) - _JF(X3 - 1e-3 * V3)) / 2e-3
    assert np.allclose(res.value, manual, rtol=1e-12, atol=0)
    assert sorted(r.offset for r in res.trace) == [-1e-3, 1e-3]
    for r in res.trace:
        assert r.step == 1e-3 and r.x == r.offset
        assert np.allclose(r.fx, _JF(X3 + r.offset * V3), rtol=1e-15)
        assert np.allclose(r.estimate, manual, rtol=1e-12)


@pytest.mark.parametrize("method", ["central", "complex"])
def test_jvp_adaptive_value_error_and_trace_in_the_users_units(method):
    res = derivlab.jvp(_JF, X3, V3, method=method, trace=True)
    assert res.success and np.all(np.abs(res.value - J3 @ V3) <= res.error)
    assert np.allclose(res.value, J3 @ V3, rtol=1e-10)
    assert any(r.step == res.step for r in res.trace)
    for r in res.trace:
        if isinstance(r.offset, complex):
            assert np.allclose(r.fx, _JF(X3.astype(complex) + r.offset * V3), rtol=1e-15)
        else:
            assert np.allclose(r.fx, _JF(X3 + r.offset * V3), rtol=1e-15)
    assert np.allclose(res.trace[-1].extrapolated, res.value, rtol=1e-8)


def test_jvp_returns_a_new_result():
    res = derivlab.jvp(_JF, X3, V3)
    assert res.operation == "jvp" and np.array_equal(res.x, X3)
    assert np.array_equal(res.fx, _JF(X3))


# -- x, fx, operation --------------------------------------------------------------------------

@pytest.mark.parametrize("op", OPERATIONS)
def test_result_says_what_it_is(op):
    res = OPERATIONS[op]()
    expect = "gradient" if op == "complex" else op
    assert res.operation == expect
    x = np.array([1.0, 2.0]) if op == "derivative" else X2
    assert np.array_equal(res.x, x)
    fx = {"derivative": np.exp(x), "jacobian": _VECTOR(x), "jvp": _VECTOR(x)}.get(op, _SCALAR(x))
    assert np.array_equal(res.fx, fx)


def test_result_x_is_a_copy_in_the_users_shape():
    x = [[1, 2], [3, 4]]
    res = derivlab.gradient(lambda m: np.sum(m ** 2), x)
    assert res.x.shape == (2, 2) and res.x.dtype == np.float64 and res.fx == 30.0
    arr = np.array([1.0, 2.0])
    res = derivlab.derivative(np.sin, arr)
    res.x[0] = 99.0
    assert arr[0] == 1.0
    scalar = derivlab.derivative(np.sin, 0.5)
    assert scalar.x == 0.5 and scalar.fx == np.sin(0.5) and np.ndim(scalar.x) == 0


def test_result_fx_nan_where_not_evaluated_none_if_never():
    res = derivlab.derivative(lambda x: 1 / x if x != 0 else 1 / 0, [0.0, 2.0], vectorized=False)
    assert np.isnan(res.fx[0]) and res.fx[1] == 0.5
    batch = derivlab.gradient(lambda v: v @ v, [[1.0, 2.0], [3.0, 4.0]], batch=True, step=1e-3)
    assert batch.fx[0] == 5.0 and np.isnan(batch.fx[1])  # a fixed central stencil skips f(x)
    never = derivlab.gradient(lambda v: 1 / 0, X2)
    assert never.fx is None and never.operation == "gradient"


def test_result_positional_construction_still_works():
    res = derivlab.Result(1.0, 0.1, 3, 0.01, "m", Status.OK, "ok")
    assert res.trace is None and res.ncalls == 0
    assert res.x is None and res.fx is None and res.operation is None and res.success


# -- repr: error bars never print as 0. ------------------------------------------------------

def test_repr_shows_small_error_bars():
    for error in (4e-3, np.array([4e-3, 3.6e-5])):
        res = derivlab.Result(np.ones(np.shape(error)) if np.ndim(error) else 1.0, error, 5,
                              0.01, "m", Status.OK, "converged")
        text = repr(res)
        err = text.split("error=")[1].split(", success")[0]
        assert "0.004" in err or "4e-03" in err or "4.0e-03" in err
        assert err not in ("0.", "[0. 0.]") and "0.]" not in err
        if np.ndim(error):
            assert "3.6e-05" in err


def test_repr_of_a_float32_result_shows_its_error():
    res = derivlab.derivative(lambda x: np.exp(3 * x), np.float32([1.0, 2.0]))
    err = repr(res).split("error=")[1].split(", success")[0]
    shown = [float(t) for t in err.strip("[]").split()]
    assert all(s > 0 for s in shown) and np.allclose(shown, res.error, rtol=0.05)


# -- nfev counts every point f was given -------------------------------------------------------

class _Counting:
    """Wraps f and counts the points it receives (rows of a batch, or 1)."""

    def __init__(self, f, point_ndim):
        self.f, self.point_ndim, self.points = f, point_ndim, 0

    def __call__(self, x):
        x = np.asarray(x)
        self.points += x.shape[0] if x.ndim > self.point_ndim else 1
        return self.f(x)


def _scalar_only(x):  # not vectorized: math.* refuses arrays of several points
    import math
    return math.sin(float(x))


def test_nfev_counts_a_rejected_vectorization_probe():
    f = _Counting(_scalar_only, 0)
    res = derivlab.derivative(f, [0.5, 1.0, 2.0])
    assert res.success and np.allclose(res.value, np.cos([0.5, 1.0, 2.0]), rtol=1e-12)
    assert res.nfev == f.points
    g = _Counting(lambda v: np.sin(float(v[0])) * float(v[1]), 1)
    res = derivlab.gradient(g, [[0.5, 1.0], [1.0, 2.0], [2.0, 3.0]], batch=True)
    assert res.success and res.nfev == g.points


def test_nfev_counts_a_batch_that_raised():
    def f(x):
        if np.any(np.asarray(x) > 2.5):
            raise ValueError("outside")
        return np.sqrt(x)

    counted = _Counting(f, 0)
    res = derivlab.derivative(counted, [1.0, 2.0, 2.5], vectorized=True)
    assert res.nfev == counted.points > 0
    assert np.allclose(res.value[:2], 0.5 / np.sqrt([1.0, 2.0]), rtol=1e-10)
    assert res.status[2] is Status.ONE_SIDED  # f raised to the right of 2.5


# -- the trace by level: one record per level of each element's ladder, with what it showed ----

@pytest.mark.parametrize("op", OPERATIONS)
def test_levels_partition_the_evaluations_for_every_operation(op):
    res = OPERATIONS[op](trace=True)
    levels = res.trace.levels
    assert all(isinstance(r, derivlab.LevelRecord) for r in levels)
    assert sum(len(r.x) for r in levels) == len(res.trace)
    json.dumps([r.as_dict() for r in levels])
    table = res.trace.levels_table()
    assert table.count("\n") == len(levels) + 1
    if op != "complex":  # every adaptive ladder says why it stopped, on its last level
        last = {}
        for r in levels:
            last[(r.point, r.element)] = r
        assert all(any(c.startswith("stop: ") for c in r.checks) for r in last.values())


def test_level_estimate_is_the_difference_of_its_points():
    res = derivlab.derivative(np.exp, 1.0, trace=True)
    for r in res.trace.levels:
        (xm, fm), (xp, fp) = sorted(zip(r.x, r.fx))
        assert r.estimate == pytest.approx((fp - fm) / (xp - xm), rel=1e-12)
        assert xp - 1.0 == pytest.approx(r.step, rel=1e-12)
    kept = [r for r in res.trace.levels if "value kept" in r.checks]
    assert kept and kept[-1].extrapolated == res.value and kept[-1].error == res.error


@pytest.mark.parametrize("f, x, words", [
    (np.abs, 0.0, "jump seen"),
    (lambda t: np.round(np.sin(t), 5), 1.0, "quantised"),
    (lambda t: np.maximum(t, 0.0), 1e-3, "jump seen"),
])
def test_levels_say_what_they_saw(f, x, words):
    res = derivlab.derivative(f, x, trace=True)
    assert any(words in c for r in res.trace.levels for c in r.checks)


def test_levels_report_measured_noise():
    rng = np.random.default_rng(5)
    res = derivlab.derivative(lambda t: np.sin(t) + 1e-7 * rng.standard_normal(np.shape(t)), 1.0,
                              trace=True)
    assert res.status == Status.NOISY
    noted = [c for r in res.trace.levels for c in r.checks if c.startswith("noise in f about")]
    assert noted and 3e-8 <= float(noted[-1].split()[-1]) <= 1e-6


def test_html_tables_for_jupyter():
    """Result and Trace render as HTML tables: one row per element / evaluation."""
    import html as html_lib

    r = derivlab.gradient(lambda v: v[0] * v[1], [1.0, 2.0], trace=True)
    page = r._repr_html_()
    assert page.count("<tr>") == 1 + 2 and "OK" in page and html_lib.escape(r.message) in page
    assert repr(float(r.value[0])) in page
    t = r.trace._repr_html_()
    assert t.count("<tr>") == 1 + len(r.trace)
    bad = derivlab.derivative(abs, 0.0)._repr_html_()
    assert "NOT_SMOOTH" in bad
