"""The seed notebooks' examples, redone with error estimates (``derivlab tour``)."""

from __future__ import annotations

import numpy as np

from . import derivative, gradient


def _row(label, seed, res, exact):
    val = np.asarray(res.value, dtype=float).ravel().tolist()
    err = np.asarray(res.error, dtype=float).ravel().tolist()
    ex = np.asarray(exact, dtype=float).ravel().tolist()
    print(f"\n{label}")
    print(f"  seed loop (fixed h)   : {', '.join(repr(v) for v in np.ravel(seed).tolist())}")
    for v, e, t in zip(val, err, ex):
        print(f"  derivlab              : {v!r:<22} +/- {e:.1e}   true error {abs(v - t):.1e}")
    print(f"  evaluations           : {res.nfev} ({res.method}); {res.message}")


def main():
    print("derivlab: the seeds' derivatives, each with an error estimate that bounds the true error")
    f1 = lambda x: x**2  # noqa: E731
    _row("x**2 at 3 (seed: central, h=1e-4)", derivative(f1, 3, step=1e-4).value,
         derivative(f1, 3), 6.0)
    f2 = lambda x: 3 * x * np.exp(x)  # noqa: E731
    _row("3x e^x at 2 (seed: central, h=1e-4)", derivative(f2, 2, step=1e-4).value,
         derivative(f2, 2), 9 * np.exp(2))
    _row("x**2 at 2 (seed: forward, h=1e-5)",
         derivative(f1, 2.0, method="forward", step=1e-5).value, derivative(f1, 2.0), 4.0)
    f3 = lambda v: 2 * v[0] + 3 * v[0] * v[1] + np.power(v[1], 3)  # noqa: E731
    _row("2x + 3xy + y^3 at (1, 2) (seed: np.nditer walk, h=1e-4)",
         gradient(f3, [1.0, 2.0], step=1e-4).value, gradient(f3, [1.0, 2.0]), [8, 15])
    f4 = lambda m: m[0, 0] * m[0, 1] + m[0, 1] * m[1, 0] * m[1, 1] + 3 * m[0, 0] \
        + m[1, 1] * m[1, 0] ** 2  # noqa: E731
    x4 = np.array([[1.0, 2.0], [3.0, 4.0]])
    _row("wx + xyz + 3w + zy^2 on [[1, 2], [3, 4]] (seed: 2x2 matrix input)",
         gradient(f4, x4, step=1e-4).value.ravel(), gradient(f4, x4), [5, 13, 32, 15])
    f5 = lambda x, y, z: (x**3 + 4 * x) * np.exp(y) * np.sin(z)  # noqa: E731
    exact5 = [(3 * 16 + 4) * np.exp(5) * np.sin(1), 80 * np.exp(5) * np.sin(1),
              80 * np.exp(5) * np.cos(1)]
    seed5 = gradient(f5, np.float32([4, 5, 1]), step=1e-4 / 2, unpack=True, adaptive=False).value
    _row("(x^3 + 4x) e^y sin z at (4, 5, 1) (the seed cast x to float32 with h=1e-4 and "
         "printed 6502.86; the loop row redoes that in float32)",
         seed5, gradient(f5, [4, 5, 1], unpack=True), exact5)


if __name__ == "__main__":
    main()
