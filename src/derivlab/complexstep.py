"""The complex-step derivative: ``Im f(x + i h) / h``, no cancellation, machine precision."""

from __future__ import annotations

import numpy as np

from .engine import Outcome
from .result import Status

__all__ = ["complex_step"]


def complex_step(ev, X, F0, comps, *, eps):
    """``Im f(x + i h e) / h`` with h tiny, checked against a central difference."""
    h = 2.0**-64
    C = len(comps.base)
    pts = X[comps.base].astype(complex)
    rows = np.arange(C)
    pts[rows, comps.axes[:, 0]] += 1j * h * comps.scale[:, 0]
    out = ev(pts.reshape(C, *ev.xshape)).reshape(C, -1)
    value = out.imag / (h * comps.scale[:, 0])[:, None]
    if not np.iscomplexobj(out):  # f dropped the imaginary part
        value = np.full_like(value, np.nan)
    value[~np.isfinite(out)] = np.nan  # f refused complex input (raised) or overflowed
    # the check: an ordinary central difference at a moderate step
    hc = eps ** (1 / 3) * 4
    real = X[comps.base].astype(X.dtype)
    both = np.concatenate([real, real])
    both[rows, comps.axes[:, 0]] += hc * comps.scale[:, 0]
    both[C + rows, comps.axes[:, 0]] -= hc * comps.scale[:, 0]
    fv = ev(both.reshape(2 * C, *ev.xshape)).reshape(2 * C, -1)
    fd = (fv[:C] - fv[C:]).real / (2 * hc * comps.scale[:, 0])[:, None]
    fnoise = 4 * eps * (np.abs(fv[:C]) + np.abs(fv[C:])) / (2 * hc * comps.scale[:, 0])[:, None]
    err = 4 * eps * np.abs(value) + 1e-300
    agree = np.abs(value - fd) <= 1e-4 * np.maximum(np.abs(value), np.abs(fd)) + 100 * fnoise
    status = np.where(agree & np.isfinite(value), int(Status.OK), int(Status.NOT_ANALYTIC))
    status = np.where(np.isfinite(F0[comps.base]), status, int(Status.NONFINITE))
    err = np.where(status >= 0, err, np.abs(value - fd))
    step = np.full(C, h) * comps.scale[:, 0]
    return Outcome(value, err, status, step, np.full(C, "", dtype=object), None)
