"""Noise too small for the noise window: how often is a result confidently wrong?

``sin(t) + sigma * N(0, 1)`` (a fresh draw at every call) at t = 0.7 + 0.01 seed, for
sigma 1e-14 .. 1e-11 (a few to a few hundred ulps of f), 40 seeds, orders 1 and 2. Prints
the count of successes whose true error exceeds their bar, the worst ratio, the failures
and the median evaluations. (benchmarks/redteam.py samples noise of 1e-10 and above.)

    python benchmarks/smallnoise.py
"""

import numpy as np

import derivlab


def main():
    rows, total, fails, evals = [], 0, 0, []
    for order in (1, 2):
        for sigma in (1e-14, 1e-13, 1e-12, 1e-11):
            for seed in range(40):
                rng = np.random.default_rng(seed)
                f = lambda t, s=sigma, r=rng: np.sin(t) + s * r.standard_normal(np.shape(t))
                x = 0.7 + 0.01 * seed
                r = derivlab.derivative(f, x, order=order)
                truth = np.cos(x) if order == 1 else -np.sin(x)
                err = abs(r.value - truth)
                total += 1
                evals.append(r.nfev)
                if not r.success:
                    fails += 1
                elif err > r.error:
                    rows.append((order, sigma, seed, err, r.error))
    worst = max((e / b for *_, e, b in rows), default=0.0)
    print(f"{total} results: {len(rows)} confident-wrong (worst {worst:.1f}x its bar), "
          f"{fails} flagged, median {np.median(evals):.0f} evaluations")
    for order, sigma, seed, err, bar in rows:
        print(f"  order {order} sigma {sigma:.0e} seed {seed:2d}: error {err:.2e}, bar {bar:.2e}")


if __name__ == "__main__":
    main()
