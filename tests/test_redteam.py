"""The red-team sweep (benchmarks/redteam.py): derivlab must never be confidently wrong.

The cases, their independent truths (SymPy/mpmath, closed forms) and the
classification live in ``benchmarks/redteam.py``; ``python benchmarks/redteam.py``
prints the same sweep as a table. Here:

* no result is ``confident_wrong`` (success with a true error above the error
  bar, or success on a derivative that does not exist);
* a derivative that does not exist is never reported as a success;
* a smooth case may be flagged as failed (a false alarm) only if it is on
  ``redteam.FALSE_ALARM_ALLOWLIST``, each entry with its documented reason.

Nothing is marked xfail: a failure here is a defect of the engine (or of a
case: ``test_case_definitions`` checks the instrument itself).
"""

import pathlib
import sys

import mpmath
import numpy as np
import pytest

_BENCH = pathlib.Path(__file__).resolve().parent.parent / "benchmarks"
if str(_BENCH) not in sys.path:
    sys.path.insert(0, str(_BENCH))

import redteam  # noqa: E402

#: Offenders described in full in an assertion message (all are named).
SHOWN = 40


@pytest.fixture(scope="module")
def records():
    return redteam.run_sweep()


def _report(bad, what):
    lines = [f"{len(bad)} {what}:"]
    lines += ["  " + redteam.describe(r) for r in bad[:SHOWN]]
    if len(bad) > SHOWN:
        lines.append(f"  ... and {len(bad) - SHOWN} more: " + "; ".join(r.name for r in bad[SHOWN:]))
    return "\n".join(lines)


def test_case_definitions():
    """The instrument: unique names, every kind present, each f agreeing with its truth's source."""
    cases = redteam.build_cases()
    assert len({c.name for c in cases}) == len(cases)
    assert {c.kind for c in cases} == set(redteam.KINDS)
    assert 500 <= len(cases) <= 1500
    for c in cases:
        if c.source is not None:  # numpy f against the SymPy template it was made from
            with np.errstate(all="ignore"):
                fx = float(c.f(c.x))
            exact = redteam.template_value(*c.source, c.x)
            with mpmath.workdps(redteam.DPS):
                # f's own rounding: a few ulps of |f| and of |x f'| (the argument's rounding)
                slope = abs(redteam.template_truth(*c.source, c.x, 1)) * abs(c.x)
                tol = 1e-14 * (abs(exact) + slope) + 1e-300
                assert abs(mpmath.mpf(fx) - exact) <= tol, (c.name, fx, exact)
        if c.family.startswith("cubic spline") and c.expect == "smooth":
            # the spline's own one-sided derivative (float64) against the mpmath piece truth
            ref = float(c.f.derivative(c.order)(c.x))
            assert abs(ref - float(c.truth)) <= 1e-9 * max(1.0, abs(ref)), (c.name, ref, c.truth)
        if c.op == "hessian":
            assert c.truth.shape == c.expect.shape == (c.x.size,) * 2
        else:
            nan = isinstance(c.truth, float) and np.isnan(c.truth)
            assert nan == (c.expect == "nonexistent"), c.name
    assert set(redteam.FALSE_ALARM_ALLOWLIST) <= {c.name for c in cases}, \
        "allow-listed false alarms that are no case of the sweep"


def test_no_confident_wrong(records):
    bad = [r for r in records if r.cls == "confident_wrong"]
    assert not bad, _report(bad, "confidently wrong results (success, true error > error bar)")


def test_nonexistent_never_success(records):
    bad = [r for r in records if r.expect == "nonexistent" and r.status >= 0]
    assert not bad, _report(bad, "successes on a derivative that does not exist")


def test_false_alarms_only_allowlisted(records):
    bad = [r for r in records
           if r.cls == "false_alarm" and r.name not in redteam.FALSE_ALARM_ALLOWLIST]
    assert not bad, _report(bad, "false alarms (smooth cases flagged as failed) not allow-listed")
