"""The complex-step derivative: ``Im f(x + i h) / h``, no cancellation, machine precision."""

from __future__ import annotations

import numpy as np

from .engine import Outcome
from .result import Status, _Eval

__all__ = ["complex_step"]


def complex_step(ev, X, F0, comps, *, eps, check, trace=False):
    """``Im f(x + i h e) / h`` with h tiny, checked against ``check``, the adaptive central
    difference of the same components: f must accept complex input, keep the imaginary
    part, and agree with the real-arithmetic derivative within that one's error. With
    ``trace``, the records are the check's followed by one per complex point."""
    C, n = len(comps.base), X.shape[1]
    ax = comps.axes[:, 0]
    along = ax >= n  # a direction vector (sparse Jacobians): t = 0 along it
    x = np.where(along, 0.0, np.abs(X[comps.base, np.minimum(ax, n - 1)]).astype(np.float64))
    # tiny and relative to |x| itself (not max(|x|, 1)): 1/x at 1e-200 needs h << 1e-200
    h = 2.0**-64 * np.where(x > 0, np.exp2(np.floor(np.log2(np.where(x > 0, x, 1.0)))), 1.0)
    pts = X[comps.base].astype(np.result_type(X.dtype, np.complex64))  # float32 -> complex64
    one = np.flatnonzero(~along)
    pts[one, ax[one]] += 1j * h[one]
    if along.any():
        pts[along] += 1j * h[along, None] * comps.vectors[ax[along] - n]
    with np.errstate(all="ignore"):
        out = ev(pts.reshape(C, *ev.xshape)).reshape(C, -1)
        value = out.imag / h[:, None]
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
    # the complex step has no cancellation; its error is rounding in f's complex arithmetic,
    # measured here by the gap to the independent real-arithmetic estimate
    err = np.where(verified, np.maximum(8 * eps * np.abs(value), gap), check.error)
    err = np.where(status >= 0, err, gap + np.where(np.isnan(check.error), 0, check.error))
    records = None
    if trace:
        records = list(check.records or []) + _records(comps, h, out, value, err)
    return Outcome(value, err, status, h, np.full(C, "", dtype=object), records)


def _records(comps, h, out, value, err):
    """One trace record per complex point ``x + i h`` (level 0: the step is fixed)."""
    return [_Eval(base=int(comps.base[c]), axes=(int(comps.axes[c, 0]),), level=0,
                  step=float(h[c]), offsets=(complex(0.0, h[c]),), fx=out[c], estimate=value[c],
                  component=c, extrapolated=value[c], error=err[c]) for c in range(len(h))]
