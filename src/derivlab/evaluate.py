"""How points are evaluated: one call per point, or vectorized batches chunked to a budget.

The engine builds every perturbed point first and hands the whole array to an
:class:`Evaluator`; nothing else in derivlab calls ``f``. Failures of f (an
exception, NaN, inf) become NaN values plus a remembered reason, never an
exception: invalid *input* is checked before f is ever called.
"""

from __future__ import annotations

import warnings

import numpy as np

from ._errors import InputError, InputTypeError
from ._namespace import to_numpy

__all__ = ["Evaluator"]

#: Default memory budget for one vectorized call (bytes of input points).
CHUNK_BYTES = 32 * 2**20


class Evaluator:
    """Evaluate ``f`` at many points of shape ``xshape``.

    Parameters
    ----------
    f : callable
        The user's function.
    xshape : tuple
        Shape of one point.
    args : tuple
        Extra positional arguments, passed after the point.
    unpack : bool
        Call ``f(*x, *args)`` (one argument per element of a 1-D ``x``).
    vectorized : bool or None
        True: f maps ``(k, *xshape)`` to ``(k, *fshape)``. False: one call per
        point. None: try a batch once, check it against single calls, and fall
        back to one call per point if it disagrees.
    chunk_bytes : int
        Memory budget for the points of one vectorized call.
    namespace : derivlab._namespace.Namespace or None
        x's array library when it is not numpy: f is called with points of that library
        on x's device, and its outputs are read back into numpy.
    """

    def __init__(self, f, xshape, *, args=(), unpack=False, vectorized=None,
                 chunk_bytes=CHUNK_BYTES, namespace=None):
        self.f = f
        self.namespace = namespace
        self.xshape = tuple(xshape)
        self.args = tuple(args)
        self.unpack = unpack
        self.vectorized = vectorized
        self.chunk_bytes = chunk_bytes
        self.fshape = None
        self.fdtype = None
        self.nfev = 0
        self.ncalls = 0
        self.first_error = None  # "TypeError: ..." of the first exception f raised
        self.inconsistent = None  # set when f's output shape changed between points

    # -- calling f ------------------------------------------------------------
    def _call(self, x):
        self.ncalls += 1
        if self.namespace is not None:
            return self._call_in(self.namespace, x)
        if self.unpack:
            if x.ndim == len(self.xshape):  # one point: numpy scalars
                return self.f(*[x[i][()] for i in range(x.shape[0])], *self.args)
            return self.f(*[np.ascontiguousarray(x[..., i]) for i in range(x.shape[-1])],
                          *self.args)
        if x.ndim == 0:
            return self.f(x[()], *self.args)
        return self.f(x, *self.args)

    def _call_in(self, ns, x):
        """f at numpy points ``x``, given as arrays of x's library on x's device (with
        ``unpack``, one 0-d or 1-d array per argument)."""
        if self.unpack:
            cols = ns.asarray(np.ascontiguousarray(np.moveaxis(x, -1, 0)))  # each argument a contiguous row
            return self.f(*[cols[i, ...] for i in range(cols.shape[0])], *self.args)
        return self.f(ns.asarray(x), *self.args)

    def _as_array(self, out):
        try:
            arr = np.asarray(out if self.namespace is None else to_numpy(out))
        except Exception:  # noqa: BLE001 - any conversion failure means "not numbers"
            arr = np.asarray(None)
        if arr.dtype.kind not in "biufc":
            raise InputTypeError(
                f"f must return numbers (a float or an array of floats), got {type(out).__name__}")
        return arr

    def single(self, x):
        """f at one point; NaN-filled (and the reason kept) if f raises."""
        with _quiet():
            return self._single(x)

    def _single(self, x):
        self.nfev += 1
        try:
            arr = self._as_array(self._call(np.array(x)))
            if self.fshape is None:
                self.fshape, self.fdtype = arr.shape, arr.dtype
            elif arr.shape != self.fshape:
                self.inconsistent = (f"f returned shape {arr.shape} at one point but "
                                     f"{self.fshape} at x; it must return one shape everywhere")
                raise ValueError(self.inconsistent)
            return arr
        except Exception as exc:  # noqa: BLE001 - after the first call, f's failures are data
            self._remember(exc)
            if self.fshape is None:
                raise
            # complex NaN, not nan+0j: a complex-step derivative reads the imaginary part
            dtype = self._dtype(x)
            return np.full(self.fshape, complex(np.nan, np.nan) if dtype.kind == "c" else np.nan,
                           dtype=dtype)

    def _dtype(self, points):
        """Values are stored as float64, or complex128 for complex points or a complex f."""
        base = np.complex128 if np.iscomplexobj(points) else np.float64
        return np.dtype(np.result_type(base, self.fdtype if self.fdtype is not None else base))

    def _remember(self, exc):
        if self.first_error is None:
            self.first_error = f"{type(exc).__name__}: {exc}"

    # -- many points ------------------------------------------------------------
    def __call__(self, points):
        """f at every row of ``points`` (shape ``(N, *xshape)``) -> ``(N, *fshape)``."""
        with _quiet():
            return self._many(points)

    def _many(self, points):
        n = points.shape[0]
        out = np.empty((n, *self.fshape), dtype=self._dtype(points))
        if n == 0:
            return out
        if self.vectorized is None and n >= 3:  # two points gain nothing from a batch
            self._probe(points, out)
            return out
        if not self.vectorized:
            for i in range(n):
                out[i] = self._single(points[i])
            return out
        rows = max(1, self.chunk_bytes // max(points[0].nbytes, 1))
        for start in range(0, n, rows):
            self._batch(points[start:start + rows], out[start:start + rows])
        return out

    def _batch(self, pts, out):
        self.nfev += len(pts)
        try:
            res = self._as_array(self._call(pts.copy()))
        except InputTypeError:
            raise
        except Exception as exc:  # noqa: BLE001
            # f raised on the batch (its points still count: f saw them): find the bad ones
            self._remember(exc)
            for i in range(len(pts)):
                out[i] = self._single(pts[i])
            return
        if res.shape == (len(pts), *self.fshape):
            out[...] = res
            return
        raise InputError(f"f returned shape {res.shape} for a batch of {len(pts)} points of shape "
                         f"{self.xshape}; with vectorized=True it must return "
                         f"{(len(pts), *self.fshape)}")

    def _probe(self, points, out):
        """Decide vectorized=None: a batch must match single calls at its two ends and in
        its middle (an f that treats interior rows of a batch differently is caught)."""
        n = len(points)
        check = sorted({0, n // 2, n - 1})
        for i in check:
            out[i] = self._single(points[i])
        self.nfev += n  # f is given all n points, whether or not the batch is then used
        try:
            res = self._as_array(self._call(points.copy()))
            good = res.shape == out.shape and all(_agree(res[i], out[i]) for i in check)
        except InputTypeError:
            good = False
        except Exception:  # noqa: BLE001 - a non-vectorized f may raise on a batch
            good = False
        self.vectorized = good
        rest = [i for i in range(n) if i not in check]
        if good:
            out[rest] = res[rest]
        else:
            for i in rest:
                out[i] = self._single(points[i])


class _quiet:
    """Silence numpy's floating-point warnings while f runs: NaN/inf are data here."""

    def __enter__(self):
        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)
        self._e = np.errstate(all="ignore")
        self._e.__enter__()

    def __exit__(self, *exc):
        self._e.__exit__(*exc)
        return self._w.__exit__(*exc)


def _agree(a, b):
    a, b = np.asarray(a), np.asarray(b)
    same_nan = np.array_equal(np.isnan(a), np.isnan(b))
    fin = np.isfinite(a) & np.isfinite(b)
    close = np.all(np.abs(a[fin] - b[fin]) <= 1e-12 * np.maximum(np.abs(a[fin]), np.abs(b[fin])))
    return bool(same_nan and close)
