"""Every status is reachable, and its message says what happened in words."""

import math

import numpy as np
import pytest

import derivlab
from derivlab import Status

CASES = [
    # (status, f, x, kwargs, words the message must contain)
    (Status.OK, np.exp, 1.0, {}, "converged"),
    (Status.FIXED_STEP, np.exp, 1.0, {"step": 1e-4}, "fixed step"),
    (Status.ONE_SIDED, lambda t: np.log(t - 5), 5 + 1e-5, {}, "one-sided"),
    (Status.ONE_SIDED, np.sqrt, 0.5, {"domain": (0.5, 1.0)}, "one-sided"),
    (Status.NONFINITE, lambda x: np.nan * x, 1.0, {}, "NaN/inf"),
    (Status.NOT_CONVERGED, np.sign, 0.0, {}, "did not settle"),
    (Status.NOT_CONVERGED, np.sqrt, 0.0, {}, "did not settle"),
    # wiggles far finer than any step x + h can resolve at x = 0.3 look like noise in f
    (Status.NOISY, lambda x: np.sin(1e13 * x), 0.3, {}, "noise in f measured"),
    (Status.NOISY, lambda x: np.round(np.sin(x), 6), 1.0, {}, "noisy"),
    (Status.ROUNDOFF, lambda x: 1e12 + x * x, 1.0, {}, "round-off"),
    (Status.NOT_SMOOTH, np.abs, 0.0, {}, "not differentiable"),
    (Status.NOT_SMOOTH, lambda x: np.maximum(x, 0.0), 0.0, {}, "kink"),
    (Status.NOT_ANALYTIC, np.abs, 1.0, {"method": "complex"}, "analytic"),
    (Status.NOT_ANALYTIC, math.sin, 1.0, {"method": "complex"}, "complex"),
]


@pytest.mark.parametrize("status, f, x, kw, words", CASES,
                         ids=[f"{c[0].name}-{i}" for i, c in enumerate(CASES)])
def test_status_reached_and_worded(status, f, x, kw, words):
    res = derivlab.derivative(f, x, **kw)
    assert int(res.status) == status
    assert res.success == (status >= 0)
    assert words in res.message
    assert status.reason.split(":")[0].split(" (")[0] in res.message or status is Status.OK
    if status < 0:  # a failure still reports its best value and a (large or NaN) error
        assert np.isnan(res.error) or res.error > 0


def test_failures_never_hide_a_confident_wrong_value():
    """Wherever a failure reports a finite value and error, the error is not tiny."""
    for status, f, x, kw, _ in CASES:
        res = derivlab.derivative(f, x, **kw)
        if status < 0 and np.isfinite(res.value) and np.isfinite(res.error) \
                and status is not Status.NOT_SMOOTH:
            assert res.error > 1e-9 * max(abs(res.value), 1e-300)


def test_message_locates_failing_elements():
    f = lambda v: np.abs(v[0]) + v[1] ** 2  # noqa: E731 - kink in x0 only
    res = derivlab.gradient(f, [0.0, 1.0])
    assert res.status.tolist() == [Status.NOT_SMOOTH, Status.OK]
    assert "not_smooth: 1 of 2" in res.message and "(0,)" in res.message


def test_roundoff_error_bar_covers_the_truth():
    res = derivlab.derivative(lambda x: 1e12 + x * x, 1.0)
    assert not res.success and res.status == Status.ROUNDOFF
    assert res.error >= abs(res.value - 2.0)


@pytest.mark.parametrize("f, x, exact", [
    (lambda x: np.sin(x) / x, 1e-8, -1e-8 / 3),   # f ~ 1, f' ~ 3e-9
    (lambda x: 1e6 + 1e-3 * x, 1.0, 1e-3),        # f ~ 1e6, f' ~ 1e-3
])
def test_value_near_zero_known_to_a_few_digits_is_a_success(f, x, exact):
    """A derivative tiny against f's own size is a success when its bar is tiny against that
    size and at most a few parts in a thousand of the value."""
    res = derivlab.derivative(f, x)
    assert res.success, res.message
    assert abs(res.value - exact) <= res.error <= 3e-3 * abs(exact)
