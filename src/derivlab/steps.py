"""Step sizes: from the dtype and the scale of x, and the ladder the adaptive search walks."""

from __future__ import annotations

import numpy as np

__all__ = ["scale_of", "rule_of_thumb", "start_step", "min_step", "direction_scale",
           "MAX_LEVELS"]

def start_step(dtype, order=1):
    """First step of the adaptive ladder, in units of the scale of x.

    About ``eps**(1/(6 + 2*order))`` for first derivatives (2**-6 in float64,
    2**-3 in float32) and four times that for higher orders, whose round-off
    (eps / h**order) calls for larger steps; at most 1/2. A few halvings below
    it an extrapolated estimate balances truncation against round-off (measured
    on benchmarks/accuracy.py and multivariate.py). A power of two, so that
    ``x + c*h`` is exact for the stencils' small integers c.
    """
    e = np.round(np.log2(np.finfo(dtype).eps) / (6 + 2 * order)) + (2 if order >= 2 else 0)
    return float(np.exp2(min(e, -1)))
#: Halvings of the step (counting jumps) the adaptive search may make before it gives up.
MAX_LEVELS = 50


def scale_of(x):
    """Typical size of each element: ``max(|x|, 1)`` rounded to a power of two.

    Steps are relative to it, so large |x| get relative steps and small |x|
    absolute ones; a power of two keeps ``x + h`` exactly representable.
    """
    mag = np.maximum(np.abs(np.asarray(x, dtype=np.float64)), 1.0)
    return np.exp2(np.minimum(np.round(np.log2(mag)), 1023))


def rule_of_thumb(x, dtype, order, accuracy):
    """The classic fixed step ``eps**(1/(order+accuracy)) * max(|x|, 1)``."""
    eps = np.finfo(dtype).eps
    return eps ** (1.0 / (order + accuracy)) * np.maximum(np.abs(np.asarray(x, dtype=float)), 1.0)


def min_step(x, dtype):
    """Smallest step worth trying at x: a few units in the last place of x."""
    x = np.abs(np.asarray(x, dtype=np.float64))
    tiny = np.finfo(dtype).tiny
    return 16 * np.maximum(np.spacing(x.astype(dtype)).astype(np.float64), tiny)


def direction_scale(x, v):
    """c such that a unit step along c*v moves no element of x by more than its own scale
    (a power of two, so x + t*c*v stays exact)."""
    x, v = np.ravel(x), np.ravel(np.abs(v)).astype(float)
    moving = v > 0
    if not moving.any():
        return 1.0
    return float(np.exp2(np.floor(np.log2(np.min(scale_of(x[moving]) / v[moving])))))
