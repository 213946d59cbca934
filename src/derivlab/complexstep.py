"""The complex-step derivative: ``Im f(x + i h) / h``, no cancellation, machine precision."""

from __future__ import annotations

import numpy as np

from .engine import Outcome
from .tableau import SAFETY
from .result import Status, _Eval

__all__ = ["complex_step"]


def complex_step(ev, X, F0, comps, *, eps, check, trace=False):
    """``Im f(x + i h e) / h`` with h tiny, checked against ``check``, the adaptive central
    difference of the same components: f must accept complex input, keep the imaginary
    part, and agree with the real-arithmetic derivative within that one's error. With
    ``trace``, the records are the check's followed by one per complex point (those a
    small real shift on, then those at x + i h, which carry the result)."""
    C, n = len(comps.base), X.shape[1]
    ax = comps.axes[:, 0]
    along = ax >= n  # a direction vector (sparse Jacobians): t = 0 along it
    x = np.where(along, 0.0, np.abs(X[comps.base, np.minimum(ax, n - 1)]).astype(np.float64))
    # tiny and relative to |x| itself (not max(|x|, 1)): 1/x at 1e-200 needs h << 1e-200
    h = 2.0**-64 * np.where(x > 0, np.exp2(np.floor(np.log2(np.where(x > 0, x, 1.0)))), 1.0)
    pts = X[comps.base].astype(np.result_type(X.dtype, np.complex64))  # float32 -> complex64
    one = np.flatnonzero(~along)
    # (and the same a small real shift further on: f' there tells how fast f' moves, which
    # the rounding of x-dependent intermediates turns into error, see below)
    shift = 2.0**-20 * np.where(x > 1, np.exp2(np.floor(np.log2(np.where(x > 1, x, 1.0)))), 1.0)
    moved = pts.copy()
    pts[one, ax[one]] += 1j * h[one]
    moved[one, ax[one]] += shift[one] + 1j * h[one]
    if along.any():
        d = comps.vectors[ax[along] - n]
        pts[along] += 1j * h[along, None] * d
        moved[along] += (shift[along] + 1j * h[along])[:, None] * d
    with np.errstate(all="ignore"):
        both = ev(np.concatenate([pts, moved]).reshape(2 * C, *ev.xshape)).reshape(2 * C, -1)
        out = both[:C]
        value = out.imag / h[:, None]
        # |f''| about x, and eps |x f''|: how far f' moves when x (or an intermediate such as
        # 2 pi x) is rounded, an error no complex step avoids (t + sin(2 pi t) at 86400.25:
        # 6.7e-11 off, where 8 eps |f'| is 2e-15)
        slope2 = np.abs(both[C:].imag / h[:, None] - value) / shift[:, None]
        scale = np.where(along, np.abs(X[comps.base]).max(axis=1), x)
        drift = 4 * eps * scale[:, None] * np.where(np.isfinite(slope2), slope2, 0.0)
    if not np.iscomplexobj(out):  # f dropped the imaginary part
        value = np.full_like(value, np.nan)
    value[~np.isfinite(out)] = np.nan  # f refused complex input (raised) or overflowed
    gap = np.abs(value - check.value)
    verified = check.status >= 0
    bar = np.where(np.isnan(check.error), np.inf, check.error)  # (no bar: anything agrees)
    agree = gap <= 3 * bar + 8 * eps * np.abs(value)
    status = np.where(np.isfinite(value) & agree, int(Status.OK), int(Status.NOT_ANALYTIC))
    # unverifiable (a kink, NaN, no convergence, round-off in real arithmetic): that reason
    status = np.where(verified, status, check.status)
    # the complex step has no cancellation of its own; its error is rounding in f's complex
    # arithmetic, measured here by the gap to the independent real-arithmetic estimate
    # (the gap samples the complex step's error, it does not bound it: twice the gap, as
    # the tableau's bars are twice its disagreement; sin(t)/t at 1e-4 cancels inside f,
    # Im sin(z)/z ~ (x cos x - sin x) h / x**2: 5.7e-13 off with a gap of 5.4e-13)
    err = np.where(verified, np.maximum(8 * eps * np.abs(value), SAFETY * gap) + drift,
                   check.error)
    err = np.where(status >= 0, err, gap + np.where(np.isnan(check.error), 0, check.error))
    records = None
    if trace:
        records = list(check.records or []) \
            + _records(comps, h, both[C:], both[C:].imag / h[:, None], shift=shift) \
            + _records(comps, h, out, value, err)
    return Outcome(value, err, status, h, np.full(C, "", dtype=object), records)


def _records(comps, h, out, value, err=None, shift=None):
    """One trace record per complex point ``x + i h`` (level 0: the step is fixed), or with
    ``shift``, per second point ``x + shift + i h`` (what it tells goes into the bar)."""
    nan = np.full(len(h), np.nan)
    err, extra = (nan, nan) if err is None else (err, value)
    shift = np.zeros(len(h)) if shift is None else shift
    checks = ("shifted: how fast f' moves, for the rounding of x",) if shift.any() else ()
    return [_Eval(base=int(comps.base[c]), axes=(int(comps.axes[c, 0]),), level=0,
                  step=float(h[c]), offsets=(complex(shift[c], h[c]),), fx=out[c],
                  estimate=value[c], component=c, extrapolated=extra[c], error=err[c],
                  checks=checks) for c in range(len(h))]
