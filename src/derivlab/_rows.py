"""Row-wise helpers for the engine's arrays of many components, faster than numpy's own for
the shapes the engine has (many rows of a few entries), and exact: each gives the very array
its numpy counterpart gives, bit for bit.

numpy reduces a short middle axis (``a.max(axis=1)`` on (N, 3, 1)) row by row, and a fancy
index of rows (``a[idx]``) copies row by row too; at 10**4 points and more these cost ten
times a plain elementwise operation. Below a few hundred rows numpy's own calls are cheaper
(fewer calls), and are used.
"""

from __future__ import annotations

import numpy as np

#: From this many rows on, a short axis is combined slice by slice.
MANY = 256


def row_max(a, axis=1):
    """``a.max(axis)`` of an array whose values are >= +0 or NaN (|x|, slopes): NaN where any
    is NaN, as there (np.maximum propagates NaN; max is exact in any order)."""
    if a.shape[0] < MANY or a.shape[axis] < 2:
        return a.max(axis=axis)
    parts = np.moveaxis(a, axis, 0)
    out = np.maximum(parts[0], parts[1])
    for p in parts[2:]:
        np.maximum(out, p, out=out)
    return out


def row_all(a, axis=1):
    """``a.all(axis)`` of a bool array (one axis)."""
    if a.shape[0] < MANY or a.shape[axis] < 2:
        return a.all(axis=axis)
    parts = np.moveaxis(a, axis, 0)
    out = parts[0] & parts[1]
    for p in parts[2:]:
        out &= p
    return out


def row_any(a, axis=1):
    """``a.any(axis)`` of a bool array (one axis)."""
    if a.shape[0] < MANY or a.shape[axis] < 2:
        return a.any(axis=axis)
    parts = np.moveaxis(a, axis, 0)
    out = parts[0] | parts[1]
    for p in parts[2:]:
        out |= p
    return out


def take(a, idx):
    """``a[idx]`` for an integer array ``idx`` of rows (a copy, as a fancy index gives)."""
    return a.take(idx, axis=0) if len(idx) >= MANY else a[idx]
