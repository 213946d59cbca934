"""Special functions nobody tuned to: is a success ever wrong?

Twenty functions of SciPy and NumPy (gamma, log-gamma, erf, erfc, Bessel J0/J1/Y0/K1, expit,
digamma, Airy Ai, Dawson, sinc, logaddexp(0, t), the complete elliptic K, zeta, t**t,
asinh, cbrt, Fresnel S) at random points of their usual ranges, orders 1-3, against
mpmath at 40 digits. Prints the counts (successes within their bar, confident-wrong,
failures by status), each confident-wrong result and each failure, and the mean
evaluations.

    python benchmarks/special.py [--seed 1] [--points 12] [--method forward] [--rtol 1e-6]
"""

import argparse
import collections
import warnings

import mpmath as mp
import numpy as np
import scipy.special as sc

import derivlab

FUNCTIONS = {
    "gamma": (sc.gamma, mp.gamma, (0.1, 6)),
    "lgamma": (sc.gammaln, mp.loggamma, (0.1, 30)),
    "erf": (sc.erf, mp.erf, (-3, 3)),
    "erfc": (sc.erfc, mp.erfc, (-2, 8)),
    "j0": (sc.j0, mp.j0, (0, 40)),
    "j1": (sc.j1, mp.j1, (0, 40)),
    "y0": (sc.y0, lambda t: mp.bessely(0, t), (0.2, 30)),
    "expit": (sc.expit, lambda t: 1 / (1 + mp.exp(-t)), (-20, 20)),
    "digamma": (sc.digamma, mp.digamma, (0.1, 20)),
    "airy_ai": (lambda t: sc.airy(t)[0], mp.airyai, (-10, 4)),
    "dawsn": (sc.dawsn, lambda t: mp.sqrt(mp.pi) / 2 * mp.exp(-t * t) * mp.erfi(t), (-5, 5)),
    "sinc": (np.sinc, lambda t: mp.sinc(mp.pi * t), (-4, 4)),
    "logaddexp(0,t)": (lambda t: np.logaddexp(0, t), lambda t: mp.log(1 + mp.exp(t)), (-30, 30)),
    "ellipk": (sc.ellipk, mp.ellipk, (-5, 0.99)),
    "zeta": (lambda t: sc.zeta(t, 1), mp.zeta, (1.1, 10)),
    "t^t": (lambda t: t ** t, lambda t: t ** t, (0.05, 4)),
    "asinh": (np.arcsinh, mp.asinh, (-50, 50)),
    "cbrt": (np.cbrt, mp.cbrt, (0.01, 100)),
    "k1": (lambda t: sc.kv(1, t), lambda t: mp.besselk(1, t), (0.05, 30)),
    "fresnel_s": (lambda t: sc.fresnel(t)[0], mp.fresnels, (-5, 5)),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--points", type=int, default=12, help="random points per function")
    parser.add_argument("--method", default="central")
    parser.add_argument("--rtol", type=float, default=None)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    counts, wrong, flagged, evals = collections.Counter(), [], [], []
    with mp.workdps(40), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, (f, g, (lo, hi)) in FUNCTIONS.items():
            for x in rng.uniform(lo, hi, args.points):
                x = float(x)
                for order in (1, 2, 3):
                    truth = float(mp.re(mp.diff(g, mp.mpf(x), order)))
                    r = derivlab.derivative(f, x, order=order, method=args.method, rtol=args.rtol)
                    evals.append(r.nfev)
                    err = abs(r.value - truth)
                    if not r.success:
                        counts[r.status.name] += 1
                        flagged.append((name, x, order, r.status.name, r.value, r.error, truth))
                    elif err <= r.error:
                        counts["ok"] += 1
                    else:
                        counts["confident_wrong"] += 1
                        wrong.append((name, x, order, r.value, r.error, truth, err / r.error))
    print(f"{sum(counts.values())} results (seed {args.seed}, method {args.method}, rtol "
          f"{args.rtol}): {dict(counts)}; {np.mean(evals):.1f} evaluations each")
    for w in wrong:
        print("  confident-wrong: %s at %.6g, order %d: %.10g +- %.2g for %.10g (%.1fx its bar)" % w)
    for fl in flagged:
        print("  flagged: %s at %.6g, order %d: %s, %.10g +- %.2g for %.10g" % fl)


if __name__ == "__main__":
    main()
