"""derivlab on the public accuracy suite (benchmarks/suite.py).

Checks the honest-error property case by case (a successful result's error
estimate bounds its true error) and the overall accuracy and failure rate.
"""

import pathlib
import statistics
import sys

import mpmath
import numpy as np
import pytest

_BENCH = pathlib.Path(__file__).resolve().parent.parent / "benchmarks"
if str(_BENCH) not in sys.path:
    sys.path.insert(0, str(_BENCH))

from suite import CASES, HIGHER_CASES  # noqa: E402

#: Median relative error required of successes on float64 cases.
MEDIAN_RTOL = 1e-13
#: Largest allowed share of flagged failures over CASES.
MAX_FAILURE_SHARE = 0.05


def _derivative(case):
    """Run ``derivlab.derivative`` on ``case`` (imported here, not at collection)."""
    import derivlab

    with np.errstate(all="ignore"):
        return derivlab.derivative(case.f, case.point(case.dtype), order=case.order)


def _abs_error(value, exact):
    """Return ``|value - exact|`` as an mpmath number at 40 digits."""
    with mpmath.workdps(40):
        return abs(mpmath.mpf(float(value)) - exact)


@pytest.mark.parametrize("case", CASES + HIGHER_CASES, ids=lambda c: c.name)
def test_honest_error(case):
    """A success has a finite value and an error estimate bounding the true error."""
    res = _derivative(case)
    if res.success:
        value, error = float(np.real(res.value)), float(res.error)
        assert np.isfinite(value), f"{case}: success with value {value}"
        assert np.isfinite(error), f"{case}: success with error {error}"
        true_err = _abs_error(value, case.exact())
        assert error >= true_err, (
            f"{case}: error estimate {error:.3g} < true error {float(true_err):.3g} "
            f"(value {value!r}, exact {mpmath.nstr(case.exact(), 17)})"
        )
    else:
        assert isinstance(res.message, str) and res.message.strip(), (
            f"{case}: failure without a message"
        )


def test_suite_accuracy_and_failure_rate():
    """Over CASES: median rel err of float64 successes <= 1e-13, <= 5% failures."""
    rel_errors = []
    failures = []
    for case in CASES:
        res = _derivative(case)
        if not res.success:
            failures.append(case.name)
            continue
        if case.dtype == "float64":
            with mpmath.workdps(40):
                exact = case.exact()
                rel_errors.append(float(_abs_error(res.value, exact) / abs(exact)))
    assert len(failures) <= MAX_FAILURE_SHARE * len(CASES), f"flagged failures: {failures}"
    assert rel_errors, "no float64 successes"
    median = statistics.median(rel_errors)
    assert median <= MEDIAN_RTOL, f"median relative error {median:.3g}"
