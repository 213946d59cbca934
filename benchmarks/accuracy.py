"""Accuracy benchmark: derivlab against other numerical differentiators.

Run from the repository root::

    python benchmarks/accuracy.py [--quick] [--json PATH]

For every case of :mod:`suite` each method is asked for the derivative; the
result is compared with the exact value (40 digits, mpmath) and one markdown
table row per method is printed.  Methods whose package is missing are
dropped with a note.
"""

import argparse
import json
import math
import pathlib
import statistics
import sys
import time
import warnings

_HERE = pathlib.Path(__file__).resolve().parent
for _p in (_HERE, _HERE.parent / "src"):
    if str(_p) in sys.path:
        sys.path.remove(str(_p))
    sys.path.insert(0, str(_p))

import mpmath  # noqa: E402
import numpy as np  # noqa: E402

from _common import fmt, load_methods, table  # noqa: E402,F401

from suite import CASES, CATEGORIES, HIGHER_CASES  # noqa: E402

#: Relative error above which an unflagged result counts as wrong (float64);
#: for lower precision the bar is sqrt(eps) of the case's dtype.
WRONG_RTOL = 1e-6
#: log10 of the relative error is clipped here (exact hits).
LOG_FLOOR = -17.0
#: Step of the naive central difference.
SEED_STEP = 1e-4


class _Counter:
    """Wrap ``f`` and count evaluations (elements of each input array)."""

    def __init__(self, f):
        self.f = f
        self.n = 0

    def __call__(self, x):
        self.n += int(np.size(x))
        return self.f(x)


def _scalar(v):
    """Convert a 0-d array or NumPy scalar to a Python float (complex -> real part)."""
    v = np.asarray(v)
    if v.size != 1:
        return float("nan")
    return float(np.real(v.reshape(())))


# Each method takes (case, order) and returns (value, error, nfev, flagged).
# Factories import their package and raise ImportError/AttributeError when
# it is unavailable, which drops the row.

def _make_derivlab(method="central"):
    import derivlab

    derivative = derivlab.derivative

    def run(case, order):
        kwargs = {} if order == 1 else {"order": order}
        res = derivative(case.f, case.point(), method=method, **kwargs)
        return _scalar(res.value), _scalar(res.error), int(res.nfev), not bool(res.success)

    return run


def _make_numdifftools(method=None):
    import numdifftools as nd

    def run(case, order):
        counter = _Counter(case.f)
        kwargs = {"full_output": True}
        if method is not None:
            kwargs["method"] = method
        if order != 1:
            kwargs["n"] = order
        out = nd.Derivative(counter, **kwargs)(case.point())
        if hasattr(out, "estimate"):  # numdifftools >= 0.11: one EstimateResult
            value, error = out.estimate, out.error_estimate
        else:  # older releases: (value, info)
            value, error = out[0], out[1].error_estimate
        return _scalar(value), _scalar(error), counter.n, False

    return run


def _make_scipy():
    from scipy.differentiate import derivative

    def run(case, order):
        if order != 1:
            raise ValueError("scipy.differentiate.derivative is first-order only")
        res = derivative(case.f, case.point())
        return _scalar(res.df), _scalar(res.error), int(np.sum(res.nfev)), not bool(np.all(res.success))

    return run


def _make_seeds():
    def run(case, order):
        if order != 1:
            raise ValueError("first-order only")
        x, h = case.point(), SEED_STEP
        return _scalar((case.f(x + h) - case.f(x - h)) / (2 * h)), float("nan"), 2, False

    return run


METHODS = {
    "derivlab": _make_derivlab,
    "derivlab complex": lambda: _make_derivlab("complex"),
    "numdifftools": _make_numdifftools,
    "numdifftools complex": lambda: _make_numdifftools("complex"),
    "scipy.differentiate": _make_scipy,
    f"seeds h={SEED_STEP:g}": _make_seeds,
}
HIGHER_METHODS = ("derivlab", "numdifftools")


def evaluate(run, case, order):
    """Run one method on one case and score it against the exact value.

    Returns
    -------
    dict
        One raw row: value, error estimate, evaluations, flag, relative
        error, coverage, wrongness, time and any exception text.
    """
    exception = None
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            value, error, nfev, flagged = run(case, order)
    except Exception as exc:  # any failure counts as a flagged failure
        value, error, nfev, flagged = float("nan"), float("nan"), None, True
        exception = f"{type(exc).__name__}: {exc}"
    ms = 1e3 * (time.perf_counter() - t0)
    with mpmath.workdps(40):
        exact = case.exact()
        if math.isfinite(value):
            abs_err = abs(mpmath.mpf(value) - exact)
            rel = abs_err / abs(exact)
            log_rel = LOG_FLOOR if rel == 0 else max(float(mpmath.log10(rel)), LOG_FLOOR)
            covered = math.isfinite(error) and mpmath.mpf(error) >= abs_err
        else:
            rel, log_rel, covered = mpmath.mpf(1), 0.0, False
    bar = max(WRONG_RTOL, math.sqrt(np.finfo(case.dtype).eps))
    wrong = not flagged and (not math.isfinite(value) or rel > bar)
    return {
        "case": case.name, "category": case.category, "x": case.x,
        "dtype": case.dtype, "order": order, "value": value, "error": error,
        "nfev": nfev, "flagged": flagged, "exact": float(exact),
        "rel_err": float(rel), "log10_rel_err": log_rel, "covered": bool(covered),
        "wrong": bool(wrong), "ms": ms, "exception": exception,
    }


def summarize(rows):
    """Aggregate one method's rows into the table columns."""
    logs = [r["log10_rel_err"] for r in rows]
    nfevs = [r["nfev"] for r in rows if r["nfev"] is not None]
    return {
        "median log10 rel err": statistics.median(logs),
        "worst log10 rel err": max(logs),
        "median evals": round(statistics.median(nfevs)) if nfevs else float("nan"),
        "coverage": sum(r["covered"] for r in rows) / len(rows),
        "unflagged wrong": sum(r["wrong"] for r in rows),
        "median ms": statistics.median(r["ms"] for r in rows),
    }


def _fmt(v):
    """Format a table cell: integers plainly, floats with two decimals."""
    if isinstance(v, int):
        return str(v)
    return "nan" if math.isnan(v) else f"{v:.2f}"


def print_table(results, title):
    """Print the markdown summary table for ``{method: rows}``."""
    cols = ["median log10 rel err", "worst log10 rel err", "median evals",
            "coverage", "unflagged wrong", "median ms"]
    print(f"\n### {title}\n")
    print("| method | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for name, rows in results.items():
        s = summarize(rows)
        print(f"| {name} | " + " | ".join(_fmt(s[c]) for c in cols) + " |")


def print_categories(results):
    """Print the median log10 relative error per category and method."""
    names = list(results)
    print("\n### Median log10 rel err by category\n")
    print("| category | " + " | ".join(names) + " |")
    print("|---" * (len(names) + 1) + "|")
    for cat in CATEGORIES:
        cells = []
        for name in names:
            logs = [r["log10_rel_err"] for r in results[name] if r["category"] == cat]
            cells.append(f"{statistics.median(logs):.1f}" if logs else "-")
        print(f"| {cat} | " + " | ".join(cells) + " |")


def run_all(cases, runs, order=None):
    """Evaluate every method in ``runs`` on every case; return ``{method: rows}``."""
    for case in cases:  # build f and the exact value outside the timed calls
        case.f, case.exact()
    results = {}
    for name, run in runs.items():
        rows = []
        for case in cases:
            row = evaluate(run, case, case.order if order is None else order)
            row["method"] = name
            rows.append(row)
        results[name] = rows
    return results


def _json_safe(row):
    """Replace non-finite floats by None so the dump is strict JSON."""
    return {k: None if isinstance(v, float) and not math.isfinite(v) else v
            for k, v in row.items()}


def main(argv=None):
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", metavar="PATH", help="also dump the raw rows as JSON")
    parser.add_argument("--quick", action="store_true", help="only the first 10 cases")
    args = parser.parse_args(argv)

    cases = CASES[:10] if args.quick else CASES
    runs = load_methods(METHODS, METHODS)
    results = run_all(cases, runs)
    print(f"\n{len(cases)} first-order cases; 'unflagged wrong' = not flagged and "
          f"rel err > {WRONG_RTOL:g} (sqrt(eps) for float32) or non-finite.")
    print_table(results, "First derivatives")
    print_categories(results)

    higher_runs = {k: v for k, v in runs.items() if k in HIGHER_METHODS}
    higher = run_all(HIGHER_CASES, higher_runs)
    if higher:
        print_table(higher, f"Higher orders ({len(HIGHER_CASES)} cases, orders 2-4)")

    if args.json:
        raw = [r for rs in list(results.values()) + list(higher.values()) for r in rs]
        with open(args.json, "w") as fh:
            json.dump([_json_safe(r) for r in raw], fh, indent=1)
        print(f"\nwrote {len(raw)} rows to {args.json}")


if __name__ == "__main__":
    main()
