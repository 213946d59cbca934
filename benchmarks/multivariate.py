"""Multivariate benchmark: gradients, Hessians and Hessian-vector products.

Run from the repository root::

    python benchmarks/multivariate.py [--quick]

derivlab (``gradient``, ``hessian``) is compared with numdifftools
(``Gradient``, ``Hessian``) and SciPy (``scipy.differentiate.jacobian`` and
``hessian``, SciPy >= 1.15) on four test functions of n variables with
analytic derivatives.  Per (function, n, method) the tables give the number
of points f was evaluated at (counted by a wrapper), that number over n (for
gradients) or n**2 (for Hessians), the maximum error relative to the largest
exact entry, and the coverage: the share of entries whose reported error
estimate is at least the true error (nan for a method that reports none).
A last table compares ``derivlab.hvp`` with ``derivlab.hessian(...) @ v``.

Methods whose package is missing are dropped with a note.
"""

import argparse
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

import numpy as np  # noqa: E402

from _common import fmt, load_methods, table  # noqa: E402,F401

#: log10 of the relative error is clipped here (exact hits).
LOG_FLOOR = -17.0
#: Dimensions of the main tables.
NS = (2, 5, 10, 20)
#: Dimensions of the hvp table.
HVP_NS = (20, 100)


# ---------------------------------------------------------------------------------------
# Test functions.  Each takes x with the n variables on the FIRST axis, shape (n, ...),
# and returns shape (...): one point (n,) gives a scalar, a stack (n, k) gives k values.
# That is SciPy's convention; derivlab's stacks (k, n) are moved to it by _last_axis.

class Problem:
    """A test function with analytic gradient and Hessian at a fixed point."""

    def __init__(self, name, n, f, grad, hess, x):
        self.name, self.n, self.f, self.grad, self.hess, self.x = name, n, f, grad, hess, x


def _rosenbrock(n, rng):
    def f(x):
        return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2, axis=0)

    def grad(x):
        g = np.zeros(n)
        d = x[1:] - x[:-1] ** 2
        g[:-1] += -400.0 * x[:-1] * d - 2.0 * (1.0 - x[:-1])
        g[1:] += 200.0 * d
        return g

    def hess(x):
        H = np.zeros((n, n))
        i = np.arange(n - 1)
        H[i, i] += 1200.0 * x[:-1] ** 2 - 400.0 * x[1:] + 2.0
        H[i + 1, i + 1] += 200.0
        H[i, i + 1] = H[i + 1, i] = -400.0 * x[:-1]
        return H

    return f, grad, hess, rng.uniform(-1.5, 1.5, n)


def _quad_cos(n, rng):
    B = rng.standard_normal((n, n))
    Q = B @ B.T / n + np.eye(n)
    A = rng.standard_normal((n, n)) / math.sqrt(n)

    def f(x):
        Ax = np.tensordot(A, x, axes=(1, 0))
        return 0.5 * np.sum(x * np.tensordot(Q, x, axes=(1, 0)), axis=0) + np.sum(np.cos(Ax), axis=0)

    def grad(x):
        return Q @ x - A.T @ np.sin(A @ x)

    def hess(x):
        return Q - A.T @ (np.cos(A @ x)[:, None] * A)

    return f, grad, hess, rng.uniform(-1, 1, n)


def _exp_sq(n, rng):
    c = np.linspace(0.5, 1.5, n) * (2.0 / n)

    def f(x):
        return np.exp(0.5 * np.tensordot(c, x * x, axes=(0, 0)))

    def grad(x):
        return f(x) * c * x

    def hess(x):
        return f(x) * (np.outer(c * x, c * x) + np.diag(c))

    return f, grad, hess, rng.uniform(-1, 1, n)


def _logsumexp(n, rng):
    A = rng.standard_normal((n + 3, n))

    def f(x):
        z = np.tensordot(A, x, axes=(1, 0))
        zmax = np.max(z, axis=0)
        return zmax + np.log(np.sum(np.exp(z - zmax), axis=0))

    def softmax(x):
        z = A @ x
        p = np.exp(z - z.max())
        return p / p.sum()

    def grad(x):
        return A.T @ softmax(x)

    def hess(x):
        p = softmax(x)
        return A.T @ ((np.diag(p) - np.outer(p, p)) @ A)

    return f, grad, hess, rng.uniform(-1, 1, n)


FUNCTIONS = {"rosenbrock": _rosenbrock, "quadratic+cos(Ax)": _quad_cos,
             "exp(sum c x^2 / 2)": _exp_sq, "logsumexp(Ax)": _logsumexp}


def make_problem(name, n):
    rng = np.random.default_rng([n, list(FUNCTIONS).index(name)])
    f, grad, hess, x = FUNCTIONS[name](n, rng)
    return Problem(name, n, f, grad, hess, x)


def _last_axis(f):
    """derivlab form of a variables-first f: points are stacked on the leading axes."""
    return lambda x: f(np.moveaxis(x, -1, 0))


class _Counter:
    """Wrap ``f`` and count the points it is evaluated at (input size over n)."""

    def __init__(self, f, n):
        self.f, self.n, self.points = f, n, 0

    def __call__(self, x):
        self.points += max(1, int(np.size(x)) // self.n)
        return self.f(x)


# ---------------------------------------------------------------------------------------
# Methods: each takes (kind, f, x) with f variables-first and returns (value, error, success).

def _make_derivlab():
    import derivlab

    def run(kind, f, x):
        fn = derivlab.gradient if kind == "gradient" else derivlab.hessian
        res = fn(_last_axis(f), x)
        return np.asarray(res.value), np.asarray(res.error), bool(res.success)

    return run


def _make_numdifftools():
    import numdifftools as nd

    def run(kind, f, x):
        cls = nd.Gradient if kind == "gradient" else nd.Hessian
        out = cls(f, full_output=True)(x)
        if hasattr(out, "estimate"):  # numdifftools >= 0.11
            value, error = out.estimate, out.error_estimate
        else:
            value, error = out[0], out[1].error_estimate
        value = np.asarray(value)
        return value, np.asarray(error).reshape(value.shape), True

    return run


def _make_scipy():
    from scipy.differentiate import hessian, jacobian

    def run(kind, f, x):
        if kind == "gradient":
            res = jacobian(f, x)
            value = res.df
        else:
            res = hessian(f, x)
            value = res.ddf  # SciPy names the Hessian's value ddf, not df
        return np.asarray(value), np.asarray(res.error), bool(np.all(res.success))

    return run


METHODS = {"derivlab": _make_derivlab, "numdifftools": _make_numdifftools,
           "scipy.differentiate": _make_scipy}


def _score(value, error, exact):
    """(max rel err vs max|exact|, log10 of it, coverage) of one result."""
    abs_err = np.abs(value - exact)
    rel = float(np.max(abs_err) / np.max(np.abs(exact)))
    log_rel = LOG_FLOOR if rel == 0 else max(math.log10(rel), LOG_FLOOR) if math.isfinite(rel) else 0.0
    # a NaN estimate covers nothing; a method without estimates gets nan
    cov = float("nan") if error is None else float(np.mean(error >= abs_err))
    return rel, log_rel, cov


def evaluate(run, kind, prob):
    """One row: evaluations, scaled evaluations, accuracy and coverage."""
    c = _Counter(prob.f, prob.n)
    exception = None
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            value, error, success = run(kind, c, prob.x.copy())
    except Exception as exc:  # noqa: BLE001 - a failure is a row, not a crash
        exception = f"{type(exc).__name__}: {exc}"
        value, error, success = None, None, False
    ms = 1e3 * (time.perf_counter() - t0)
    exact = prob.grad(prob.x) if kind == "gradient" else prob.hess(prob.x)
    if value is None or value.shape != exact.shape:
        rel, log_rel, cov = float("nan"), 0.0, float("nan")
    else:
        rel, log_rel, cov = _score(value, error, exact)
    per = prob.n if kind == "gradient" else prob.n ** 2
    return {"function": prob.name, "n": prob.n, "kind": kind, "evals": c.points,
            "evals_per": c.points / per, "rel": rel, "log_rel": log_rel, "coverage": cov,
            "success": success, "ms": ms, "exception": exception}


def print_details(rows, kind):
    per = "evals / n" if kind == "gradient" else "evals / n^2"
    print(f"\n### {kind.capitalize()}s: per function, n and method\n")
    table(["function", "n", "method", "evals", per, "max rel err", "coverage", "success", "ms"],
           [[r["function"], r["n"], r["method"], r["evals"], r["evals_per"], r["rel"],
             r["coverage"], r["success"], r["ms"]] for r in rows if r["kind"] == kind])
    for r in rows:
        if r["kind"] == kind and r["exception"]:
            print(f"\nnote: {r['method']} on {r['function']} n={r['n']} raised {r['exception']}")


def print_summary(rows, methods, ns):
    print(f"\n### Summary per method ({len(FUNCTIONS)} functions x n in {tuple(ns)})\n")
    cols = ["kind", "method", "median evals / n (grad) or / n^2 (Hess)", "median log10 max rel err",
            "worst log10 max rel err", "mean coverage", "not success"]
    out = []
    for kind in ("gradient", "hessian"):
        for m in methods:
            rs = [r for r in rows if r["kind"] == kind and r["method"] == m]
            if not rs:
                continue
            covs = [r["coverage"] for r in rs if not math.isnan(r["coverage"])]
            out.append([kind, m, statistics.median(r["evals_per"] for r in rs),
                        statistics.median(r["log_rel"] for r in rs),
                        max(r["log_rel"] for r in rs),
                        statistics.fmean(covs) if covs else float("nan"),
                        sum(not r["success"] for r in rs)])
    table(cols, out)


def hvptable(ns):
    """derivlab.hvp against derivlab.hessian(...) @ v: evaluations and accuracy."""
    import derivlab

    rows = []
    for name in FUNCTIONS:
        for n in ns:
            prob = make_problem(name, n)
            v = np.random.default_rng(n).standard_normal(n)
            exact = prob.hess(prob.x) @ v
            for label in ("hvp", "hessian @ v"):
                c = _Counter(prob.f, n)
                t0 = time.perf_counter()
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore")
                    if label == "hvp":
                        res = derivlab.hvp(_last_axis(c), prob.x, v)
                        value, error = np.asarray(res.value), np.asarray(res.error)
                    else:
                        res = derivlab.hessian(_last_axis(c), prob.x)
                        value = np.asarray(res.value) @ v
                        error = np.asarray(res.error) @ np.abs(v)  # triangle-inequality bound
                ms = 1e3 * (time.perf_counter() - t0)
                rel, _, cov = _score(value, error, exact)
                rows.append([name, n, label, c.points, c.points / n, rel, cov,
                             bool(res.success), ms])
    print("\n### derivlab.hvp vs derivlab.hessian(...) @ v (error of H @ v bounded by "
          "|err(H)| @ |v|)\n")
    table(["function", "n", "method", "evals", "evals / n", "max rel err", "coverage",
            "success", "ms"], rows)


def main(argv=None):
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n in (2, 5) and hvp at n=20 only")
    args = parser.parse_args(argv)
    ns = NS[:2] if args.quick else NS
    hvp_ns = HVP_NS[:1] if args.quick else HVP_NS

    t_start = time.perf_counter()
    runs = load_methods(METHODS, METHODS)
    rows = []
    for kind in ("gradient", "hessian"):
        for name in FUNCTIONS:
            for n in ns:
                prob = make_problem(name, n)
                for m, run in runs.items():
                    row = evaluate(run, kind, prob)
                    row["method"] = m
                    rows.append(row)
    print_details(rows, "gradient")
    print_details(rows, "hessian")
    print_summary(rows, list(runs), ns)
    if "derivlab" in runs:
        hvptable(hvp_ns)
    print(f"\ntotal benchmark time {time.perf_counter() - t_start:.0f} s")


if __name__ == "__main__":
    main()
