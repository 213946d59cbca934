"""Random gradients in 8-40 variables, some of them cancelling or noisy: is a success wrong?

f(x) = (C + sum_i g_i(a_i . x + b_i)) - C with g_i drawn from sin, exp, tanh, log(1 + z^2),
atan, max(z, 0)^2, 1-5 terms, A random; in 30% of draws C is 1 to 1e6 (f's rounding is then
C's, not |f|'s), in 20% f carries noise of 1e-12 to 1e-6 (a fresh draw at every call; the
truth is the noiseless gradient). Prints the counts per partial (successes within their bar,
confident-wrong, failures) and evaluations per variable; ``--no-probe`` switches off the
noise probe of gradients (engine._probe_noise) for comparison.

    python benchmarks/gradsweep.py [--seeds 1 2 3] [--draws 150] [--no-probe]
"""

import argparse
import collections

import numpy as np

import derivlab
from derivlab import engine

G = {"sin": (np.sin, np.cos), "exp": (np.exp, np.exp),
     "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
     "log(1+z^2)": (lambda z: np.log1p(z * z), lambda z: 2 * z / (1 + z * z)),
     "atan": (np.arctan, lambda z: 1 / (1 + z * z)),
     "relu^2": (lambda z: np.maximum(z, 0) ** 2, lambda z: 2 * np.maximum(z, 0))}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--draws", type=int, default=150)
    parser.add_argument("--no-probe", action="store_true")
    args = parser.parse_args()
    if args.no_probe:
        engine.PROBE_MIN_COMPONENTS = 10**9
    counts, evals, worst = collections.Counter(), [], 0.0
    for seed in args.seeds:
        rng = np.random.default_rng(seed)
        noise_rng = np.random.default_rng(seed + 1000)  # (f's noise: not the draws' stream)
        for _ in range(args.draws):
            n, m = int(rng.choice([8, 16, 40])), int(rng.integers(1, 6))
            A, b = rng.normal(size=(m, n)) / np.sqrt(n), rng.normal(size=m)
            names = [list(G)[i] for i in rng.integers(len(G), size=m)]
            C = float(10 ** rng.uniform(0, 6)) if rng.random() < 0.3 else 0.0
            sigma = float(10 ** rng.uniform(-12, -6)) if rng.random() < 0.2 else 0.0
            x = rng.uniform(-2, 2, n)

            def f(v, A=A, b=b, names=names, C=C, sigma=sigma, noise_rng=noise_rng):
                z = A @ v + b
                total = (C + sum(G[nm][0](zi) for nm, zi in zip(names, z))) - C
                return total + (sigma * noise_rng.normal() if sigma else 0.0)

            z = A @ x + b
            truth = A.T @ np.array([G[nm][1](zi) for nm, zi in zip(names, z)])
            res = derivlab.gradient(f, x)
            evals.append(res.nfev / n)
            good = np.asarray(res.status >= 0, dtype=bool)
            err = np.abs(res.value - truth)
            within = err <= res.error + 4e-16 * (np.abs(truth) + 1)  # (the truth's own rounding)
            counts["ok"] += int((good & within).sum())
            counts["confident_wrong"] += int((good & ~within).sum())
            counts["flagged"] += int((~good).sum())
            if (good & ~within).any():
                worst = max(worst, float(np.max((err / res.error)[good & ~within])))
    print(f"seeds {args.seeds}, {args.draws} gradients each, noise probe "
          f"{'off' if args.no_probe else 'on'}: {dict(counts)}; worst {worst:.2f}x its bar; "
          f"{np.mean(evals):.2f} evaluations per variable")


if __name__ == "__main__":
    main()
