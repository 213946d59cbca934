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
    cplx = [r for r in res.trace if isinstance(r.x, complex)]
    assert len(cplx) == 2  # one complex point per partial, after the real-arithmetic check
    assert len(res.trace) > len(cplx) and res.trace[-1] is cplx[-1]
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
