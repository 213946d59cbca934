"""Higher derivatives of ordinary functions at many points: is a success ever wrong?

Twelve smooth functions (sin, exp of sin, log(1 + t^2), atan, tanh, a Gaussian, Runge's,
t exp(-t), sin(exp(t/2)), 1/(2 + cos t), cosh, sqrt(1 + t^2)) at ``--points`` points in
[-3, 5], orders 1-4, against mpmath (30 digits). Prints the successes whose true error
exceeds their bar (confident-wrong: the target is none), the flagged results, the median
log10 relative error per order and how many fourth derivatives miss 1e-9 relative (some lie
near zeros of the fourth derivative, where no relative accuracy exists).

    python benchmarks/ordinary.py [--points 101]
"""

import argparse

import mpmath
import numpy as np

import derivlab

FUNCTIONS = {
    "sin": (np.sin, mpmath.sin),
    "exp(sin)": (lambda t: np.exp(np.sin(t)), lambda t: mpmath.exp(mpmath.sin(t))),
    "log(1+t^2)": (lambda t: np.log1p(t * t), lambda t: mpmath.log(1 + t * t)),
    "atan": (np.arctan, mpmath.atan),
    "tanh": (np.tanh, mpmath.tanh),
    "gauss": (lambda t: np.exp(-t * t), lambda t: mpmath.exp(-t * t)),
    "runge": (lambda t: 1 / (1 + t * t), lambda t: 1 / (1 + t * t)),
    "t exp(-t)": (lambda t: t * np.exp(-t), lambda t: t * mpmath.exp(-t)),
    "sin(exp(t/2))": (lambda t: np.sin(np.exp(t / 2)), lambda t: mpmath.sin(mpmath.exp(t / 2))),
    "1/(2+cos)": (lambda t: 1 / (2 + np.cos(t)), lambda t: 1 / (2 + mpmath.cos(t))),
    "cosh": (np.cosh, mpmath.cosh),
    "sqrt(1+t^2)": (lambda t: np.sqrt(1 + t * t), lambda t: mpmath.sqrt(1 + t * t)),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=101, help="points per function")
    args = parser.parse_args()
    xs = np.round(np.linspace(-3, 5, args.points) + 0.0123, 4)
    wrong, flagged, evals, rel = [], 0, 0, {k: [] for k in (1, 2, 3, 4)}
    off4 = []  # fourth derivatives: error against max(|truth|, a tenth of its largest |value|)
    with mpmath.workdps(30):
        for name, (f, g) in FUNCTIONS.items():
            for order in (1, 2, 3, 4):
                errs, truths = [], []
                for x in xs:
                    truth = float(mpmath.diff(g, mpmath.mpf(float(x)), order))
                    r = derivlab.derivative(f, float(x), order=order)
                    evals += r.nfev
                    err = abs(r.value - truth)
                    rel[order].append(np.log10(max(err / max(abs(truth), 1e-300), 1e-17)))
                    errs.append(err)
                    truths.append(abs(truth))
                    if not r.success:
                        flagged += 1
                    elif err > r.error:
                        wrong.append((err / r.error, name, order, x, err / abs(truth)))
                if order == 4:
                    off4 += list(np.array(errs) / np.maximum(truths, 0.1 * max(truths)))
    total = sum(len(v) for v in rel.values())
    worst = max((w[0] for w in wrong), default=0.0)
    print(f"{total} results: {len(wrong)} confident-wrong (worst {worst:.1f}x its bar), "
          f"{flagged} flagged, {evals / total:.1f} evaluations each")
    print("median log10 relative error by order: "
          + ", ".join(f"{k}: {np.median(v):.2f}" for k, v in rel.items()))
    print(f"fourth derivatives above 1e-9 relative: {sum(np.array(rel[4]) > -9)} of {len(rel[4])}; "
          f"above 1e-9 of max(|f''''|, a tenth of its largest on the grid): "
          f"{sum(np.array(off4) > 1e-9)}")
    for ratio, name, order, x, r in sorted(wrong, reverse=True):
        print(f"  {name} order {order} at {x:g}: {ratio:.2f}x its bar (relative error {r:.1e})")


if __name__ == "__main__":
    main()
