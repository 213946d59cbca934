"""The complex-step derivative: ``Im f(x + i h) / h``, no cancellation, machine precision."""

from __future__ import annotations

import numpy as np

from .engine import Outcome
from .result import Status

__all__ = ["complex_step"]


def complex_step(ev, X, F0, comps, *, eps, check):
    """``Im f(x + i h e) / h`` with h tiny, checked against ``check``, the adaptive central
    difference of the same components: f must accept complex input, keep the imaginary
    part, and agree with the real-arithmetic derivative within that one's error."""
    h = 2.0**-64
    C = len(comps.base)
    pts = X[comps.base].astype(np.result_type(X.dtype, np.complex64))  # float32 -> complex64
    pts[np.arange(C), comps.axes[:, 0]] += 1j * h * comps.scale[:, 0]
    with np.errstate(all="ignore"):
        out = ev(pts.reshape(C, *ev.xshape)).reshape(C, -1)
        value = out.imag / (h * comps.scale[:, 0])[:, None]
    if not np.iscomplexobj(out):  # f dropped the imaginary part
        value = np.full_like(value, np.nan)
    value[~np.isfinite(out)] = np.nan  # f refused complex input (raised) or overflowed
    gap = np.abs(value - check.value)
    verified = check.status >= 0
    agree = gap <= 3 * np.nan_to_num(check.error, nan=np.inf) + 8 * eps * np.abs(value)
    status = np.where(np.isfinite(value) & (agree | ~verified), int(Status.OK),
                      int(Status.NOT_ANALYTIC))
    # a kink or a failed f shows in the real-arithmetic check too: report that reason
    status = np.where(np.isin(check.status, (Status.NOT_SMOOTH, Status.NONFINITE)),
                      check.status, status)
    # the complex step has no cancellation; its error is rounding in f's complex arithmetic,
    # measured here by the gap to the independent real-arithmetic estimate
    err = np.where(verified, np.maximum(8 * eps * np.abs(value), gap), check.error)
    err = np.where(status >= 0, err, gap + np.nan_to_num(check.error))
    step = np.full(C, h) * comps.scale[:, 0]
    return Outcome(value, err, status, step, np.full(C, "", dtype=object), None)
