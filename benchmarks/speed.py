"""Speed benchmark: derivlab against the seeds' loop, numdifftools, SciPy and JAX.

Run from the repository root::

    python benchmarks/speed.py [--quick] [--full]

Six markdown tables, each timing every contestant in the same run (median
of repeated runs, ``timeit.repeat`` with ``number=1``; in tables b and f a cell's
repeats are cut to about CELL_BUDGET_S seconds, and the ``runs`` column says how many):

a) the seeds' quiver-plot job: the gradient of ``sum(x**2)`` at the 324
   points of an 18x18 grid;
b) the gradient of a vectorizable function of n variables, n = 10, 100, 1000, 3000
   (``--full`` adds 10^4 and 2*10^4, the latter against approx_fprime only), with
   ``jax.grad`` (jitted, x64) as the floor; then per n the ratios of derivlab's time to
   the seeds' loop, scipy.differentiate.jacobian, approx_fprime and JAX, and the seeds'
   error over derivlab's;
c) the engine's overhead: total time over the time spent inside f, for
   ``derivlab.gradient`` of an expensive, non-vectorized f (the roadmap wants <= 1.25)
   and of a cheaper f to show the engine's cost per evaluation, and for
   ``derivlab.hessian`` of those and of table f's f;
d) the per-call cost of one scalar derivative (adaptive and at a fixed step), against
   numdifftools and SciPy;
e) derivatives at 10^4 .. 10^6 points at once, against scipy.differentiate;
f) the Hessian of a smooth vectorizable f of n = 10, 30, 100 variables (exact Hessian
   by hand): derivlab against numdifftools, scipy.differentiate.hessian and
   ``jax.hessian`` (jitted, the floor).

Contestants whose package is missing are dropped with a note; numdifftools and
scipy.differentiate are skipped, with a note, at an n where one run is predicted to take
longer than SLOW_LIMIT_S seconds.
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

from _common import fmt, jax_x64, load_methods, table  # noqa: E402,F401

import derivlab  # noqa: E402

#: Step of the seeds' central difference.
SEED_STEP = 1e-4
#: numdifftools and scipy.differentiate are skipped at an n where one run is predicted to
#: take longer (seconds).
SLOW_LIMIT_S = 20.0
#: Repeats of a cell are cut so that they take about this long (seconds).
CELL_BUDGET_S = 10.0
#: From this n on, table b runs derivlab and approx_fprime only.
ONLY_FPRIME_N = 2 * 10**4
#: n of table b by default, and those ``--full`` adds.
DEFAULT_NS = (10, 100, 1000, 3000)
FULL_NS = (10**4, 2 * 10**4)
#: Roadmap target for (total time) / (time inside f).
OVERHEAD_TARGET = 1.25


DL = "derivlab adaptive"
SEEDS = f"seeds' loop h={SEED_STEP:g}"
SDJ = "scipy.differentiate.jacobian"
APF = "scipy.optimize.approx_fprime"
JAX_GRAD = "jax.grad, jitted (floor)"


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


def _chain_jax():
    """``jax.jit(jax.grad(_chain))`` with 64-bit floats (the autodiff floor)."""
    jax, jnp = jax_x64()

    def chain(x):
        return jnp.sum(jnp.sin(x) * x) + jnp.sum(x[:-1] * x[1:])

    return jax.jit(jax.grad(chain))


def _skip(name, n, last, scaling):
    """Whether ``name`` is predicted to take longer than SLOW_LIMIT_S at ``n`` (with a note).

    ``last[name]`` is (n, seconds) of its previous run; ``scaling`` maps a name prefix to
    the power of n its time grows with."""
    power = next((p for pre, p in scaling.items() if name.startswith(pre)), None)
    if power is None or name not in last:
        return False
    n0, s0 = last[name]
    predicted = s0 * (n / n0) ** power
    if predicted > SLOW_LIMIT_S:
        print(f"note: skipping {name} at n={n} (predicted {predicted:.3g} s "
              f"> {SLOW_LIMIT_S:g} s)")
        return True
    return False


def _time_runs(fn, repeat, once):
    """Median ms of ``fn()`` and the number of runs timed, for a fn whose first run took
    ``once`` seconds: ``repeat`` runs, fewer where they would take longer than
    CELL_BUDGET_S, and only that first run where it alone took longer."""
    if once > CELL_BUDGET_S:
        return 1e3 * once, 1
    reps = max(1, min(repeat, int(CELL_BUDGET_S / max(once, 1e-9))))
    if once < 0.5:
        fn()  # warm-up
    return 1e3 * statistics.median(timeit.repeat(fn, number=1, repeat=reps)), reps


def _ratio(a, b):
    return None if a is None or b is None else (a / b if b else math.inf)


def bench_ndim(ns, repeat):
    """Table b: gradient of ``_chain`` at a random point for each n, then the ratios.

    At n >= ONLY_FPRIME_N only derivlab (adaptive) and approx_fprime run."""
    rng = np.random.default_rng(20240601)
    methods = {}

    def dl(**kw):
        def make(x, c):
            def run():
                res = derivlab.gradient(c, x, **kw)
                return res.value, res.nfev, res.ncalls
            return run
        return make

    methods[DL] = dl()
    methods[f"derivlab fixed step={SEED_STEP:g}"] = dl(step=SEED_STEP)

    def seeds(x, c):
        return lambda: (_numerical_gradient_no_batch(c, x.copy()), None, None)

    methods[SEEDS] = seeds
    try:
        from scipy.differentiate import jacobian as sj

        def sdj(x, c):  # SciPy wants the variables on the first axis
            return lambda: (sj(lambda X: c(np.moveaxis(X, 0, -1)), x).df, None, None)

        methods[SDJ] = sdj
    except ImportError as exc:
        print(f"note: dropping scipy.differentiate ({exc})")
    try:
        from scipy.optimize import approx_fprime

        def apf(x, c):
            return lambda: (approx_fprime(x, c), None, None)

        methods[APF] = apf
    except ImportError as exc:
        print(f"note: dropping scipy.optimize.approx_fprime ({exc})")
    try:
        import numdifftools as nd

        def ndg(x, c):
            return lambda: (nd.Gradient(c)(x), None, None)

        methods["numdifftools Gradient"] = ndg
    except ImportError as exc:
        print(f"note: dropping numdifftools ({exc})")
    try:
        jgrad = _chain_jax()

        def jx(x, c):  # f is JAX's own; no evaluations to count
            return lambda: (np.asarray(jgrad(x)), 0, 0)

        methods[JAX_GRAD] = jx
    except ImportError as exc:
        print(f"note: dropping JAX ({exc})")

    scaling = {"numdifftools": 2, "scipy.differentiate": 2}
    rows, last, got = [], {}, {}
    for n in ns:
        x = rng.uniform(-2, 2, n)
        exact = _chain_grad(x)
        for name, make in methods.items():
            if n >= ONLY_FPRIME_N and name not in (DL, APF):
                continue
            if _skip(name, n, last, scaling):
                continue
            c = _Counter(_chain, n)
            t0 = time.perf_counter()
            value, nfev, ncalls = _quiet(make(x, c))
            once = time.perf_counter() - t0
            last[name] = (n, once)
            nfev = c.points if nfev is None else nfev
            ncalls = c.calls if ncalls is None else ncalls
            timed = make(x, _chain)
            ms, runs = _quiet(lambda: _time_runs(timed, repeat, once))  # noqa: B023
            rel = float(np.max(np.abs(value - exact)) / np.max(np.abs(exact)))
            got[n, name] = (ms, rel)
            rows.append([str(n), name, ms, runs, int(nfev) if nfev else None,
                         int(ncalls) if ncalls else None, rel])
    print(f"\n### b) Gradient of sum(sin(x)*x) + sum(x[:-1]*x[1:]) in n dims "
          f"(median of up to {repeat} runs, fewer past {CELL_BUDGET_S:g} s a cell)\n")
    table(["n", "method", "median ms", "runs", "evaluations", "calls", "max rel error"], rows)

    def ms(n, name):
        return got.get((n, name), (None, None))[0]

    def err(n, name):
        return got.get((n, name), (None, None))[1]

    print(f"\nRatios per n ({DL}; time ratios > 1: derivlab slower; error ratio > 1: "
          "derivlab more accurate)\n")
    table(["n", "time / seeds' loop", "seeds' error / derivlab error",
           "time / scipy.differentiate.jacobian", "time / approx_fprime",
           "time / jax.grad (floor)"],
          [[str(n), _ratio(ms(n, DL), ms(n, SEEDS)), _ratio(err(n, SEEDS), err(n, DL)),
            _ratio(ms(n, DL), ms(n, SDJ)), _ratio(ms(n, DL), ms(n, APF)),
            _ratio(ms(n, DL), ms(n, JAX_GRAD))] for n in ns])


# ---------------------------------------------------------------------------------------
# c) engine overhead with an expensive f

def bench_overhead(n, repeat, sizes=(200, 50), hess_n=10, smooth_n=30):
    """Table c: total time of a gradient or Hessian over the time spent inside f.

    The main rows are gradients of a non-vectorized f doing a 200x200 matrix product per
    point (about a millisecond); a cheaper f (50x50) shows where the engine's
    per-evaluation cost starts to show. The Hessian case: ``derivlab.hessian`` of the same
    f at ``hess_n`` variables, and of table f's vectorizable f at ``smooth_n``.
    """
    rng = np.random.default_rng(7)
    inside = [0.0]
    x = np.linspace(-1.0, 1.0, n)
    xh = np.linspace(-1.0, 1.0, hess_n)
    xs = np.linspace(-2.0, 2.0, smooth_n)
    cases = []  # (f label, n, {method: run})
    for size in sizes:
        M = rng.standard_normal((size, size)) / math.sqrt(size)

        def f(x, M=M, size=size):
            t0 = time.perf_counter()
            u = np.resize(np.asarray(x, dtype=float), size)  # tile the n inputs over the columns
            out = float(np.sum(np.sin((M * u) @ M)))  # one size x size matrix product per point
            inside[0] += time.perf_counter() - t0
            return out

        cases.append((f"{size}x{size} matmul", n, {
            "derivlab adaptive, vectorized=False":
                lambda f=f: derivlab.gradient(f, x, vectorized=False),
            "derivlab adaptive, vectorized=None": lambda f=f: derivlab.gradient(f, x),
            f"derivlab fixed step={SEED_STEP:g}, vectorized=False":
                lambda f=f: derivlab.gradient(f, x, step=SEED_STEP, vectorized=False),
            f"seeds' loop h={SEED_STEP:g} (reference)":
                lambda f=f: _numerical_gradient_no_batch(f, x.copy()),
        }))
        cases.append((f"{size}x{size} matmul", hess_n, {
            "derivlab.hessian adaptive, vectorized=False":
                lambda f=f: derivlab.hessian(f, xh, vectorized=False)}))

    def smooth(x):
        t0 = time.perf_counter()
        out = _smooth(x)
        inside[0] += time.perf_counter() - t0
        return out

    cases.append(("table f's f (vectorizable)", smooth_n, {
        "derivlab.hessian adaptive, vectorized=None": lambda: derivlab.hessian(smooth, xs),
        "derivlab.hessian adaptive, vectorized=False":
            lambda: derivlab.hessian(smooth, xs, vectorized=False)}))

    rows = []
    for label, nvar, runs in cases:
        for name, run in runs.items():
            out = _quiet(run)  # warm-up
            nfev = getattr(out, "nfev", 2 * nvar)
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
            rows.append([label, str(nvar), name, 1e3 * tot, 1e3 * ins, ratio, ok,
                         int(nfev), 1e6 * ins / nfev, 1e6 * (tot - ins) / nfev])
    print(f"\n### c) Engine overhead: total time over time inside f, gradients of a "
          f"non-vectorized f (one matrix product per point) and Hessians (median of "
          f"{repeat})\n")
    table(["f", "n", "method", "median total ms", "median inside f ms", "total / inside f",
            f"<= {OVERHEAD_TARGET:g}", "evaluations", "us in f / eval", "overhead us / eval"],
           rows)


# ---------------------------------------------------------------------------------------
# d) per-call overhead of a scalar derivative

def bench_scalar(repeat):
    """Table d: one first derivative of np.sin at 1.0, derivlab against numdifftools and
    scipy.differentiate (all with their defaults): per-call time is their overhead."""
    runs = {"derivlab.derivative": lambda: derivlab.derivative(np.sin, 1.0).value,
            f"derivlab.derivative step={SEED_STEP:g} (fixed)":
                lambda: derivlab.derivative(np.sin, 1.0, step=SEED_STEP).value}
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


# ---------------------------------------------------------------------------------------
# f) Hessians

def _smooth(x):
    """sum(sin(x[i]) * x[i+1]) + sum(x**2 * exp(-x**2/10)); one point or a stack (last axis)."""
    return (np.sum(np.sin(x[..., :-1]) * x[..., 1:], axis=-1)
            + np.sum(x**2 * np.exp(-x**2 / 10), axis=-1))


def _smooth_hessian(x):
    """The exact Hessian of ``_smooth`` at one point, by hand."""
    n = x.size
    H = np.diag(np.exp(-x**2 / 10) * (2 - x**2 + x**4 / 25))
    i = np.arange(n - 1)
    H[i, i] -= np.sin(x[:-1]) * x[1:]
    H[i, i + 1] = H[i + 1, i] = np.cos(x[:-1])
    return H


def bench_hessian(ns, repeat):
    """Table f: Hessian of ``_smooth`` for each n: derivlab against numdifftools,
    scipy.differentiate.hessian and jax.hessian (jitted, the floor)."""
    rng = np.random.default_rng(11)
    x = rng.uniform(-2, 2, 5)  # the hand-written Hessian, checked once
    check = derivlab.hessian(_smooth, x).value
    if not np.allclose(check, _smooth_hessian(x), rtol=1e-7, atol=1e-7):
        raise AssertionError("_smooth_hessian disagrees with derivlab.hessian")

    methods = {"derivlab.hessian": lambda x, c: lambda: (lambda r: (r.value, r.nfev))(
        derivlab.hessian(c, x))}
    try:
        import numdifftools as nd

        methods["numdifftools Hessian"] = lambda x, c: lambda: (nd.Hessian(c)(x), None)
    except ImportError as exc:
        print(f"note: dropping numdifftools ({exc})")
    try:
        from scipy.differentiate import hessian as sh

        methods["scipy.differentiate.hessian"] = lambda x, c: lambda: (
            sh(lambda X: c(np.moveaxis(X, 0, -1)), x).ddf, None)
    except ImportError as exc:
        print(f"note: dropping scipy.differentiate.hessian ({exc})")
    try:
        jax, jnp = jax_x64()

        def smooth_j(x):
            return jnp.sum(jnp.sin(x[:-1]) * x[1:]) + jnp.sum(x**2 * jnp.exp(-x**2 / 10))

        jhess = jax.jit(jax.hessian(smooth_j))
        methods["jax.hessian, jitted (floor)"] = lambda x, c: lambda: (np.asarray(jhess(x)), 0)
    except ImportError as exc:
        print(f"note: dropping JAX ({exc})")

    scaling = {"numdifftools": 2, "scipy.differentiate": 3}
    rows, last = [], {}
    for n in ns:
        x = rng.uniform(-2, 2, n)
        exact = _smooth_hessian(x)
        ref = None
        for name, make in methods.items():
            if _skip(name, n, last, scaling):
                continue
            c = _Counter(_smooth, n)
            t0 = time.perf_counter()
            value, nfev = _quiet(make(x, c))
            once = time.perf_counter() - t0
            last[name] = (n, once)
            nfev = c.points if nfev is None else nfev
            timed = make(x, _smooth)
            ms, runs = _quiet(lambda: _time_runs(timed, repeat, once))  # noqa: B023
            ref = ms if ref is None else ref
            rel = float(np.max(np.abs(value - exact)) / np.max(np.abs(exact)))
            rows.append([str(n), name, ms, runs, _ratio(ms, ref), int(nfev) or None, rel])
    print("\n### f) Hessian of sum(sin(x[:-1])*x[1:]) + sum(x**2*exp(-x**2/10)) in n dims "
          f"(median of up to {repeat} runs, fewer past {CELL_BUDGET_S:g} s a cell)\n")
    table(["n", "method", "median ms", "runs", "time / derivlab", "evaluations",
           "max rel error"], rows)


def main(argv=None):
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer repeats and smaller n (< 60 s)")
    parser.add_argument("--full", action="store_true",
                        help=f"table b also at n = {FULL_NS[0]:g} and {FULL_NS[1]:g} "
                             "(several minutes more)")
    args = parser.parse_args(argv)
    repeat = 3 if args.quick else 7
    ns = (10, 100) if args.quick else DEFAULT_NS
    if args.full:
        ns = ns + FULL_NS
    t0 = time.perf_counter()
    print(f"derivlab {derivlab.__version__}, numpy {np.__version__}, python "
          f"{sys.version.split()[0]}; times are medians of {repeat} runs (after a warm-up)")
    bench_quiver(repeat)
    bench_ndim(ns, repeat)
    bench_overhead(20, repeat)
    bench_scalar(repeat)
    bench_points((10**4,) if args.quick else (10**4, 10**5, 10**6), repeat)
    bench_hessian((10, 30) if args.quick else (10, 30, 100), repeat)
    print(f"\ntotal benchmark time {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
