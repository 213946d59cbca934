"""Sparse-Jacobian benchmark: a banded Jacobian of n = 1000 inputs, dense against sparsity=.

Run from the repository root::

    python benchmarks/sparse.py [--quick] [--n N]

f is a discretised nonlinear boundary-value problem with a band of half-width 2 (five
nonzero diagonals, five colours). One markdown table: evaluations of f (points), calls of
f, median wall time (``timeit.repeat`` with ``number=1``, after a warm-up) and the largest
absolute error against the exact Jacobian, for

- derivlab dense (one adaptive column per input) and with ``sparsity=`` (one adaptive
  directional derivative per colour; dense and ``sparse=True`` output), and the cost of
  detecting the pattern with ``derivlab.sparsity``;
- ``scipy.differentiate.jacobian`` (adaptive, dense), ``scipy.optimize.approx_fprime``
  (one forward difference per column) and SciPy's ``approx_derivative`` with ``sparsity=``
  (the private helper behind ``least_squares(jac_sparsity=...)``; one fixed step);
- ``numdifftools.Jacobian``, skipped with a note when a run at n/10 predicts more than
  ``ND_LIMIT_S`` seconds (its cost grows like n**2).

Slow contestants (one run over ``SLOW_S`` seconds) are timed once. Contestants whose
package is missing are dropped with a note. ``--quick``: n = 200, fewer repeats.
"""

import argparse
import pathlib
import statistics
import sys
import time
import timeit
import warnings

_HERE = pathlib.Path(__file__).resolve().parent
for _p in (_HERE, _HERE.parent / "src"):
    if str(_p) in sys.path:
        sys.path.remove(str(_p))
    sys.path.insert(0, str(_p))

import numpy as np  # noqa: E402

from _common import table  # noqa: E402

import derivlab  # noqa: E402

#: Half-width of the band.
B = 2
#: numdifftools is skipped when a run at n/10 predicts more than this (seconds) at n.
ND_LIMIT_S = 60.0
#: A contestant whose first run takes longer than this (seconds) is timed once.
SLOW_S = 10.0


def f(x):
    """y_i = -x_{i-1} + 2 x_i - x_{i+1} + exp(x_i) / 4 + x_{i-2} x_{i+2} / 10 (zero beyond the
    ends); vectorized along any trailing axes (x of shape (n, ...))."""
    y = 2 * x + np.exp(x) / 4
    y[1:] -= x[:-1]
    y[:-1] -= x[1:]
    y[2:-2] += x[:-4] * x[4:] / 10
    return y


def exact_jacobian(x):
    n = len(x)
    J = np.zeros((n, n))
    i = np.arange(n)
    J[i, i] = 2 + np.exp(x) / 4
    J[i[1:], i[1:] - 1] = -1
    J[i[:-1], i[:-1] + 1] = -1
    k = np.arange(2, n - 2)
    J[k, k - 2] = x[k + 2] / 10
    J[k, k + 2] = x[k - 2] / 10
    return J


def pattern(n):
    d = np.subtract.outer(np.arange(n), np.arange(n))
    return np.abs(d) <= B


class _Counter:
    """Wrap f; count calls and points (x of shape (n, ...): one point per trailing index)."""

    def __init__(self, fun, n):
        self.fun, self.n, self.points, self.calls = fun, n, 0, 0

    def __call__(self, x, *args):
        self.calls += 1
        self.points += max(1, int(np.size(x)) // self.n)
        return self.fun(x, *args)


def _rows(fun):
    """fun taking points as rows (derivlab's batches, shape (k, n)) instead of columns."""
    return lambda x: fun(np.asarray(x).T).T


def _quiet(fn):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return fn()


def _dense(J):
    return J.toarray() if hasattr(J, "toarray") else np.asarray(J)


def contestants(n):
    """name -> make(fun) -> run() returning the Jacobian (dense or sparse), or a note."""
    P = pattern(n)
    out = {}
    # derivlab batches points along the first axis, f takes them along the last: f(x.T).T
    out["derivlab dense"] = lambda fun: lambda: derivlab.jacobian(_rows(fun), X).value
    out["derivlab sparsity="] = \
        lambda fun: lambda: derivlab.jacobian(_rows(fun), X, sparsity=P).value
    out["derivlab sparsity=, sparse=True"] = \
        lambda fun: lambda: derivlab.jacobian(_rows(fun), X, sparsity=P, sparse=True).value
    out["derivlab.sparsity (detect the pattern)"] = \
        lambda fun: lambda: derivlab.sparsity(_rows(fun), X)
    try:
        from scipy.differentiate import jacobian as sd_jacobian

        out["scipy.differentiate.jacobian"] = lambda fun: lambda: sd_jacobian(fun, X).df
    except ImportError as exc:
        print(f"note: dropping scipy.differentiate.jacobian ({exc})")
    try:
        from scipy.optimize import approx_fprime

        out["scipy.optimize.approx_fprime"] = lambda fun: lambda: approx_fprime(X, fun)
    except ImportError as exc:
        print(f"note: dropping scipy.optimize.approx_fprime ({exc})")
    try:
        from scipy.optimize._numdiff import approx_derivative

        out["scipy approx_derivative sparsity= (3-point)"] = \
            lambda fun: lambda: approx_derivative(fun, X, method="3-point", sparsity=P)
    except ImportError as exc:
        print(f"note: dropping scipy's approx_derivative ({exc})")
    try:
        import numdifftools as nd

        out["numdifftools Jacobian"] = lambda fun: lambda: nd.Jacobian(fun)(X)
    except ImportError as exc:
        print(f"note: dropping numdifftools ({exc})")
    return out


X = None  # the point, set by main


def _numdifftools_predicted(n):
    """Seconds numdifftools is predicted to take at n, from a run at n // 10 (cost ~ n**2)."""
    import numdifftools as nd

    small = max(10, n // 10)
    x = np.random.default_rng(0).uniform(-1, 1, small)
    t0 = time.perf_counter()
    _quiet(lambda: nd.Jacobian(f)(x))
    return (time.perf_counter() - t0) * (n / small) ** 2


def main(argv=None):
    global X
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n = 200 and fewer repeats")
    parser.add_argument("--n", type=int, default=None, help="number of inputs (default 1000)")
    args = parser.parse_args(argv)
    n = args.n or (200 if args.quick else 1000)
    repeat = 3 if args.quick else 5
    X = np.random.default_rng(1).uniform(-1, 1, n)
    exact = exact_jacobian(X)
    colours = int(derivlab.sparse.colour_columns(pattern(n)).max()) + 1
    t_start = time.perf_counter()
    print(f"derivlab {derivlab.__version__}, numpy {np.__version__}, python "
          f"{sys.version.split()[0]}; n = {n}, band half-width {B} ({colours} colours); "
          f"times are medians of {repeat} runs after a warm-up (one run if it took > {SLOW_S:g} s)")
    rows = []
    for name, make in contestants(n).items():
        if name.startswith("numdifftools"):
            predicted = _numdifftools_predicted(n)
            if predicted > ND_LIMIT_S:
                print(f"note: skipping {name} at n={n} (predicted {predicted:.0f} s from a run at "
                      f"n={max(10, n // 10)}; limit {ND_LIMIT_S:g} s)")
                continue
        counter = _Counter(f, n)
        t0 = time.perf_counter()
        J = _quiet(make(counter))
        once = time.perf_counter() - t0
        run = make(f)
        ms = 1e3 * once if once > SLOW_S else \
            1e3 * statistics.median(_quiet(lambda: timeit.repeat(run, number=1, repeat=repeat)))  # noqa: B023
        if name.startswith("derivlab.sparsity"):
            err = "structure found exactly" if (np.asarray(J) == (exact != 0)).all() \
                else "structure differs"
        else:
            err = float(np.max(np.abs(_dense(J) - exact)))
        rows.append([name, counter.points, counter.calls, ms, err])
    print(f"\n### Banded Jacobian, n = {n}: evaluations, time and max abs error vs the exact J "
          f"(max |J| = {np.max(np.abs(exact)):.2f})\n")
    table(["method", "evaluations", "f calls", "median ms", "max abs error"], rows)
    print(f"\ntotal benchmark time {time.perf_counter() - t_start:.0f} s")


if __name__ == "__main__":
    main()
