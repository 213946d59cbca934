"""Speed benchmark: derivlab against the seeds' loop, numdifftools and SciPy.

Run from the repository root::

    python benchmarks/speed.py [--quick]

Five markdown tables, each timing every contestant in the same run (median
of repeated runs, ``timeit.repeat`` with ``number=1``):

a) the seeds' quiver-plot job: the gradient of ``sum(x**2)`` at the 324
   points of an 18x18 grid;
b) the gradient of a vectorizable function of n variables, n = 10, 100, 1000;
c) the engine's overhead: total time of ``derivlab.gradient`` over the time
   spent inside an expensive, non-vectorized f (the roadmap wants <= 1.25),
   and the same for a cheaper f to show the engine's cost per evaluation;
d) the per-call cost of one scalar derivative, against numdifftools and SciPy;
e) derivatives at 10^4 .. 10^6 points at once, against scipy.differentiate.

Contestants whose package is missing are dropped with a note.
``--quick`` uses fewer repeats and smaller n (well under a minute).
"""

import argparse
import math
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

from _common import fmt, load_methods, table  # noqa: E402,F401

import derivlab  # noqa: E402

#: Step of the seeds' central difference.
SEED_STEP = 1e-4
#: numdifftools is skipped at an n where one run is predicted to take longer (seconds).
ND_LIMIT_S = 20.0
#: Roadmap target for (total time) / (time inside f).
OVERHEAD_TARGET = 1.25


class _Counter:
    """Wrap ``f``; count calls and points (input size over the size of one point)."""

    def __init__(self, f, point_size):
        self.f = f
        self.point_size = point_size
        self.points = 0
        self.calls = 0

    def __call__(self, x, *args):
        self.calls += 1
        self.points += max(1, int(np.size(x)) // self.point_size)
        return self.f(x, *args)


def _median_ms(fn, repeat):
    """Median wall time of ``fn()`` in ms over ``repeat`` runs (after one warm-up run)."""
    fn()
    times = timeit.repeat(fn, number=1, repeat=repeat)
    return 1e3 * statistics.median(times)


def _quiet(fn):
    """Run ``fn`` with warnings silenced (numdifftools and SciPy can be chatty)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return fn()


# ---------------------------------------------------------------------------------------
# a) the seeds' quiver plot

def _numerical_gradient_no_batch(f, x):
    """The seeds' loop, as the notebook writes it: perturb x[idx] in place, evaluate, restore."""
    h = SEED_STEP
    grad = np.zeros_like(x)
    for idx in range(x.size):
        tmp_val = x[idx]
        x[idx] = tmp_val + h
        fxh1 = f(x)
        x[idx] = tmp_val - h
        fxh2 = f(x)
        grad[idx] = (fxh1 - fxh2) / (2 * h)
        x[idx] = tmp_val
    return grad


def _seeds_gradient(f, X):
    """The seeds' batch wrapper: one ``_numerical_gradient_no_batch`` per point."""
    grad = np.zeros_like(X)
    for idx, x in enumerate(X):
        grad[idx] = _numerical_gradient_no_batch(f, x)
    return grad


def bench_quiver(repeat):
    """Table a: gradient of sum(x**2) at the 324 points of the seeds' 18x18 grid."""
    x0 = np.arange(-2, 2.5, 0.25)
    x1 = np.arange(-2, 2.5, 0.25)
    XX, YY = np.meshgrid(x0, x1)
    P = np.stack([XX.ravel(), YY.ravel()], axis=1)  # (324, 2)
    exact = 2 * P

    def f(x):
        return np.sum(x**2)

    def f_vec(x):
        return np.sum(x**2, axis=-1)

    # name -> (callable returning (value, evaluations))
    contestants = {}

    def seeds():
        c = _Counter(f, 2)
        return _seeds_gradient(c, P.copy()), c.points

    contestants[f"seeds' loop h={SEED_STEP:g}"] = seeds

    def dl(fun, **kw):
        def run():
            res = derivlab.gradient(fun, P, batch=True, **kw)
            return res.value, res.nfev
        return run

    contestants[f"derivlab fixed step={SEED_STEP:g}"] = dl(f_vec, step=SEED_STEP)
    contestants["derivlab adaptive"] = dl(f_vec)
    contestants["derivlab adaptive, vectorized=False"] = dl(f, vectorized=False)

    try:
        import numdifftools as nd

        def ndt():
            c = _Counter(f, 2)
            grad = nd.Gradient(c)
            return np.array([grad(p) for p in P]), c.points

        contestants["numdifftools Gradient (loop)"] = ndt
    except ImportError as exc:
        print(f"note: dropping numdifftools ({exc})")

    rows = []
    for name, run in contestants.items():
        value, nfev = _quiet(run)
        ms = _quiet(lambda: _median_ms(run, repeat))  # noqa: B023
        rows.append([name, ms, float(np.max(np.abs(value - exact))), int(nfev)])
    ref = rows[1][1]
    print(f"\n### a) Quiver-plot job: gradient of sum(x**2) at {len(P)} points of R^2 "
          f"(median of {repeat})\n")
    table(["method", "median ms", "ratio to derivlab fixed", "max abs error vs 2*X",
            "evaluations"],
           [[r[0], r[1], r[1] / ref, r[2], r[3]] for r in rows])


# ---------------------------------------------------------------------------------------
# b) gradient in n dimensions

def _chain(x):
    """sum(sin(x) * x) + sum(x[i] * x[i+1]); works on one point or a stack (last axis)."""
    return np.sum(np.sin(x) * x, axis=-1) + np.sum(x[..., :-1] * x[..., 1:], axis=-1)


def _chain_grad(x):
    g = np.sin(x) + x * np.cos(x)
    g[1:] += x[:-1]
    g[:-1] += x[1:]
    return g


def bench_ndim(ns, repeat):
    """Table b: gradient of ``_chain`` at a random point for each n."""
    rng = np.random.default_rng(20240601)
    methods = {}

    def dl(**kw):
        def make(x, c):
            def run():
                res = derivlab.gradient(c, x, **kw)
                return res.value, res.nfev, res.ncalls
            return run
        return make

    methods["derivlab adaptive"] = dl()
    methods[f"derivlab fixed step={SEED_STEP:g}"] = dl(step=SEED_STEP)

    def seeds(x, c):
        return lambda: (_numerical_gradient_no_batch(c, x.copy()), None, None)

    methods[f"seeds' loop h={SEED_STEP:g}"] = seeds
    try:
        from scipy.differentiate import jacobian as sj

        def sdj(x, c):  # SciPy wants the variables on the first axis
            return lambda: (sj(lambda X: c(np.moveaxis(X, 0, -1)), x).df, None, None)

        methods["scipy.differentiate.jacobian"] = sdj
    except ImportError as exc:
        print(f"note: dropping scipy.differentiate ({exc})")
    try:
        from scipy.optimize import approx_fprime

        def apf(x, c):
            return lambda: (approx_fprime(x, c), None, None)

        methods["scipy.optimize.approx_fprime"] = apf
    except ImportError as exc:
        print(f"note: dropping scipy.optimize.approx_fprime ({exc})")
    try:
        import numdifftools as nd

        def ndg(x, c):
            return lambda: (nd.Gradient(c)(x), None, None)

        methods["numdifftools Gradient"] = ndg
    except ImportError as exc:
        print(f"note: dropping numdifftools ({exc})")

    rows = []
    nd_prev = None  # (n, seconds) of numdifftools' last run, to predict the next
    for n in ns:
        x = rng.uniform(-2, 2, n)
        exact = _chain_grad(x)
        for name, make in methods.items():
            reps = repeat
            if name.startswith("numdifftools") and nd_prev is not None:
                predicted = nd_prev[1] * (n / nd_prev[0]) ** 2
                if predicted > ND_LIMIT_S:
                    print(f"note: skipping {name} at n={n} (predicted {predicted:.0f} s "
                          f"> {ND_LIMIT_S:g} s)")
                    continue
            c = _Counter(_chain, n)
            t0 = time.perf_counter()
            value, nfev, ncalls = _quiet(make(x, c))
            once = time.perf_counter() - t0
            if name.startswith("numdifftools"):
                nd_prev = (n, once)
                if once > ND_LIMIT_S:
                    print(f"note: {name} took {once:.0f} s at n={n}; one run only")
                    reps = 0
            nfev = c.points if nfev is None else nfev
            ncalls = c.calls if ncalls is None else ncalls
            timed = make(x, _chain)
            ms = 1e3 * once if reps == 0 else _quiet(lambda: _median_ms(timed, reps))  # noqa: B023
            rel = float(np.max(np.abs(value - exact)) / np.max(np.abs(exact)))
            rows.append([str(n), name, ms, int(nfev), int(ncalls), rel])
    print(f"\n### b) Gradient of sum(sin(x)*x) + sum(x[:-1]*x[1:]) in n dims "
          f"(median of {repeat})\n")
    table(["n", "method", "median ms", "evaluations", "calls", "max rel error"], rows)


# ---------------------------------------------------------------------------------------
# c) engine overhead with an expensive f

def bench_overhead(n, repeat, sizes=(200, 50)):
    """Table c: total time of a gradient over the time spent inside a costly f.

    The main row is a 200x200 matrix product per point (about a millisecond);
    a cheaper f (50x50) shows where the engine's per-evaluation cost starts to show.
    """
    rng = np.random.default_rng(7)
    inside = [0.0]
    x = np.linspace(-1.0, 1.0, n)
    rows = []
    for size in sizes:
        M = rng.standard_normal((size, size)) / math.sqrt(size)

        def f(x, M=M, size=size):
            t0 = time.perf_counter()
            u = np.resize(np.asarray(x, dtype=float), size)  # tile the n inputs over the columns
            out = float(np.sum(np.sin((M * u) @ M)))  # one size x size matrix product per point
            inside[0] += time.perf_counter() - t0
            return out

        runs = {
            "derivlab adaptive, vectorized=False":
                lambda f=f: derivlab.gradient(f, x, vectorized=False),
            "derivlab adaptive, vectorized=None": lambda f=f: derivlab.gradient(f, x),
            f"derivlab fixed step={SEED_STEP:g}, vectorized=False":
                lambda f=f: derivlab.gradient(f, x, step=SEED_STEP, vectorized=False),
            f"seeds' loop h={SEED_STEP:g} (reference)":
                lambda f=f: _numerical_gradient_no_batch(f, x.copy()),
        }
        for name, run in runs.items():
            out = _quiet(run)  # warm-up
            nfev = getattr(out, "nfev", 2 * n)
            totals, insides = [], []
            for _ in range(repeat):
                inside[0] = 0.0
                t0 = time.perf_counter()
                _quiet(run)
                totals.append(time.perf_counter() - t0)
                insides.append(inside[0])
            tot, ins = statistics.median(totals), statistics.median(insides)
            ratio = statistics.median(t / i for t, i in zip(totals, insides))
            ok = "yes" if ratio <= OVERHEAD_TARGET else "NO"
            rows.append([f"{size}x{size} matmul", name, 1e3 * tot, 1e3 * ins, ratio, ok,
                         int(nfev), 1e6 * ins / nfev, 1e6 * (tot - ins) / nfev])
    print(f"\n### c) Engine overhead: gradient of a non-vectorized f (one matrix product per "
          f"point), n={n} (median of {repeat})\n")
    table(["f", "method", "median total ms", "median inside f ms", "total / inside f",
            f"<= {OVERHEAD_TARGET:g}", "evaluations", "us in f / eval", "overhead us / eval"],
           rows)


# ---------------------------------------------------------------------------------------
# d) per-call overhead of a scalar derivative

def bench_scalar(repeat):
    """Table d: one first derivative of np.sin at 1.0, derivlab against numdifftools and
    scipy.differentiate (all with their defaults): per-call time is their overhead."""
    runs = {"derivlab.derivative": lambda: derivlab.derivative(np.sin, 1.0).value}
    try:
        import numdifftools as nd
        runs["numdifftools Derivative"] = lambda: nd.Derivative(np.sin)(1.0)
    except ImportError as exc:
        print(f"note: dropping numdifftools ({exc})")
    try:
        from scipy.differentiate import derivative as sd
        runs["scipy.differentiate.derivative"] = lambda: sd(np.sin, 1.0).df
    except ImportError as exc:
        print(f"note: dropping scipy.differentiate ({exc})")
    rows = []
    for name, run in runs.items():
        value = float(_quiet(run))
        ms = _quiet(lambda: _median_ms(run, 10 * repeat))  # noqa: B023
        rows.append([name, ms, abs(value - math.cos(1.0))])
    ref = rows[0][1]
    print(f"\n### d) Per-call cost: derivative of sin at 1.0 (median of {10 * repeat})\n")
    table(["method", "median ms", "ratio to derivlab", "abs error"],
          [[r[0], r[1], r[1] / ref, r[2]] for r in rows])


# ---------------------------------------------------------------------------------------
# e) derivatives at many points

def bench_points(sizes, repeat):
    """Table e: derivative of exp(sin(x)) at N points at once, against scipy.differentiate
    (vectorized too); the seeds' loop would call f twice per point."""
    def f(x):
        return np.exp(np.sin(x))

    def exact(x):
        return np.cos(x) * np.exp(np.sin(x))

    try:
        from scipy.differentiate import derivative as sd
    except ImportError as exc:
        sd = None
        print(f"note: dropping scipy.differentiate ({exc})")
    rows = []
    for N in sizes:
        x = np.linspace(-3.0, 3.0, N)
        reps = max(1, repeat if N <= 10**5 else repeat // 3)
        runs = {"derivlab.derivative": lambda x=x: derivlab.derivative(f, x)}
        if sd is not None:
            runs["scipy.differentiate.derivative"] = lambda x=x: sd(f, x)
        for name, run in runs.items():
            out = _quiet(run)
            value = getattr(out, "value", None)
            value = out.df if value is None else value
            nfev = out.nfev if np.ndim(out.nfev) == 0 else int(np.sum(out.nfev))
            ms = _quiet(lambda: _median_ms(run, reps))  # noqa: B023
            rel = float(np.max(np.abs(value - exact(x)) / np.maximum(np.abs(exact(x)), 1e-300)))
            rows.append([str(N), name, ms, 1e3 * ms / N, nfev / N, rel])
    print(f"\n### e) Derivative of exp(sin(x)) at N points at once (median of up to {repeat})\n")
    table(["N", "method", "median ms", "us / point", "evaluations / point", "max rel error"],
          rows)


def main(argv=None):
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer repeats and smaller n (< 60 s)")
    args = parser.parse_args(argv)
    repeat = 3 if args.quick else 7
    ns = (10, 100) if args.quick else (10, 100, 1000)
    t0 = time.perf_counter()
    print(f"derivlab {derivlab.__version__}, numpy {np.__version__}, python "
          f"{sys.version.split()[0]}; times are medians of {repeat} runs (after a warm-up)")
    bench_quiver(repeat)
    bench_ndim(ns, repeat)
    bench_overhead(20, repeat)
    bench_scalar(repeat)
    bench_points((10**4,) if args.quick else (10**4, 10**5, 10**6), repeat)
    print(f"\ntotal benchmark time {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
