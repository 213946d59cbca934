"""Step sizes: from the dtype and the scale of x, and the ladder the adaptive search walks."""

from __future__ import annotations

import numpy as np

__all__ = ["scale_of", "rule_of_thumb", "start_step", "min_step", "direction_scale",
           "ladder", "levels_below", "snap", "ladder_ratio", "max_levels", "MAX_LEVELS", "RATIO",
           "JUMP", "JUMP_CHANGE", "CENTRAL_LIMIT"]

#: Ratio between successive steps of the adaptive ladder. Not a power of two, nor any
#: simple fraction: with a ratio of 2 every step of the first levels is a multiple of the
#: last one, so a periodic part of f whose half-period divides them (``sin(2*pi*t)`` with
#: steps 16, 8, 4 ...) cancels from every difference quotient and the ladder is blind to
#: it. Three successive steps of this ladder share no common period above their last bits.
RATIO = 1.9

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
#: A domain edge (given, or met as NaN on one side) may shrink a central stencil this many
#: levels before it goes one-sided.
CENTRAL_LIMIT = 8
#: Levels of the ladder (counting jumps) the adaptive search may walk before it gives up.
MAX_LEVELS = 56
#: Levels taken at once while the estimates still change a lot ...
JUMP = 3
#: ... that is, by more than this relative amount between two steps.
JUMP_CHANGE = 0.1


def ladder_ratio(order):
    """Ratio between successive steps of the ladder for derivatives of this ``order``.

    RATIO up to second derivatives; its square root (1.378) from third derivatives on, so
    that every other level is a level of the RATIO ladder. Round-off grows like
    ``h**-order``: one level of RATIO multiplies it by 13 at order 4, and the level the
    search settles on (truncation estimated from differences in the tableau, which lag the
    true error by about a level) costs that much; truncation, the other way, is that of a
    Richardson tableau whose rows span ``RATIO**KMAX``, and the high derivatives a fourth
    derivative's tableau removes grow fast (f with a singularity at a distance of about
    the scale). The finer ladder loses 3.6x, not 13x, per level too far, and its rows lie
    closer together: on 14 functions (sin, cos, exp, log1p, atan, tanh, ...) at 1000
    points the median relative error of fourth derivatives went from 10**-9.1 to
    10**-10.1 (third: 10**-10.6 to 10**-11.5), for about 25% more evaluations.
    """
    return RATIO if order <= 2 else float(np.sqrt(RATIO))


def max_levels(ratio=RATIO):
    """Levels of a ladder of this ratio that span what MAX_LEVELS levels of RATIO span."""
    return int(np.ceil(MAX_LEVELS * np.log(RATIO) / np.log(ratio) - 1e-9))


def ladder(start, e, ratio=RATIO):
    """Step of level ``e`` of the adaptive ladder, in units of the scale: ``start * ratio**-e``."""
    return start * ratio ** -np.asarray(e, dtype=np.float64)


def levels_below(ratio, step_ratio=RATIO):
    """Fewest levels of a ladder (of ``step_ratio``) that shrink a step by at least ``ratio``."""
    return np.ceil(np.log(ratio) / np.log(step_ratio) - 1e-9).astype(int)


def snap(hx, x, dtype=np.float64):
    """The step ``hx`` (x-units) rounded to a multiple of a power of two that is at least the
    spacing of the floating-point numbers near x: then ``x + c*h`` is exact for the stencils'
    small integers c, and the only rounding left is f's own. Relative change at most 2**-20."""
    hx = np.asarray(hx, dtype=np.float64)
    fine = np.exp2(np.floor(np.log2(hx)) - 20)
    q = np.maximum(fine, np.spacing((2 * (np.abs(x) + 4 * hx)).astype(dtype, copy=False))
                   .astype(np.float64, copy=False))
    return np.maximum(np.rint(hx / q), 1) * q  # (rint: np.round to 0 decimals, halves to even)


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
