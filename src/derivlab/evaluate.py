"""How points are evaluated: one call per point, or vectorized batches chunked to a budget.

The engine builds every perturbed point first and hands the whole array to an
:class:`Evaluator`; nothing else in derivlab calls ``f``. Failures of f (an
exception, NaN, inf) become NaN values plus a remembered reason, never an
exception: invalid *input* is checked before f is ever called.

With an ``executor`` (a ``concurrent.futures.Executor`` or a Dask ``distributed.Client``)
f runs in its workers: the points of one call are split into tasks of consecutive
points, each task returns f's values (or the text of what f raised) point by point, and
this process replays them through the serial code in order, so the result, ``nfev`` and
``first_error`` are those of serial evaluation.
"""

from __future__ import annotations

import copy
import os
import pickle
import threading
import warnings

import numpy as np

from ._errors import DerivlabError, InputError, InputTypeError
from ._namespace import to_numpy

__all__ = ["Evaluator", "values_at"]

#: Default memory budget for one vectorized call (bytes of input points).
CHUNK_BYTES = 32 * 2**20
#: Tasks per worker for one call of a non-vectorized f with an executor (balances the work).
TASKS_PER_WORKER = 3


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
    executor : concurrent.futures.Executor, distributed.Client or None
        Where f runs (anything with ``submit(fn, *args)`` returning a future with
        ``result()``); None: here. With an executor ``vectorized=None`` means False (the
        points are spread over the workers, one call each; no probe), and every point,
        f(x) included, is evaluated there. The executor is never shut down here.
    namespace : derivlab._namespace.Namespace or None
        x's array library when it is not numpy: f is called with points of that library
        on x's device, and its outputs are read back into numpy.
    """

    def __init__(self, f, xshape, *, args=(), unpack=False, vectorized=None,
                 chunk_bytes=CHUNK_BYTES, executor=None, namespace=None):
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
        self.executor = executor
        self._nworkers = None
        self.on_count = None  # called with nfev as points are evaluated (a progress bar)

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
            if self.executor is not None:
                (item,), = self._run_tasks([np.array(x)[None]], batch=False)
                return self._single(x, item)
            return self._single(x)

    def _single(self, x, item=None):
        """``item``: what a worker returned for x (f's array or the exception), else f runs here."""
        self.nfev += 1
        try:
            arr = self._as_array(self._call(np.array(x))) if item is None else _take(item)
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
            self.first_error = str(exc) if isinstance(exc, _Raised) else \
                f"{type(exc).__name__}: {exc}"

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
        if self.executor is not None:
            self._spread(points, out)
            return out
        if self.vectorized is None and n >= 3:  # two points gain nothing from a batch
            self._probe(points, out)
            return out
        if not self.vectorized:
            for i in range(n):
                out[i] = self._single(points[i])
                self._count()
            return out
        rows = max(1, self.chunk_bytes // max(points[0].nbytes, 1))
        for start in range(0, n, rows):
            self._batch(points[start:start + rows], out[start:start + rows])
            self._count()
        return out

    def _count(self, ahead=0):
        if self.on_count is not None:
            self.on_count(self.nfev + ahead)

    def _batch(self, pts, out, item=None):
        """``item``: what a worker returned for the batch, else f runs here."""
        self.nfev += len(pts)
        try:
            res = self._as_array(self._call(pts.copy())) if item is None else _take(item[0])
        except InputTypeError:
            raise
        except Exception as exc:  # noqa: BLE001
            # f raised on the batch (its points still count: f saw them): find the bad ones
            self._remember(exc)
            for i in range(len(pts)):
                out[i] = self._single(pts[i], None if item is None else item[1][i])
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
        rest = np.ones(n, bool)  # (every other point, in order: as np.setdiff1d, without a sort)
        rest[check] = False
        rest = rest.nonzero()[0]
        if good:
            out[rest] = res[rest]
        else:
            for i in rest:
                out[i] = self._single(points[i])
                self._count()
        self._count()

    # -- in an executor's workers ------------------------------------------------------
    def _spread(self, points, out):
        """f at every row of ``points`` in the executor's workers, replayed in order through
        the serial code: one call per point, or (vectorized=True) one batch per task."""
        batch = bool(self.vectorized)
        n = len(points)
        k = min(n, self._workers() * (1 if batch else TASKS_PER_WORKER))
        if batch:  # a batch also keeps to the memory budget
            k = max(k, -(-n // max(1, self.chunk_bytes // max(points[0].nbytes, 1))))
        edges = [n * i // k for i in range(k + 1)]
        parts = list(zip(edges[:-1], edges[1:]))
        results = self._run_tasks([points[a:b] for a, b in parts], batch)
        for (a, b), items in zip(parts, results):
            if batch:
                self._batch(points[a:b], out[a:b], items)
            else:
                for i, item in zip(range(a, b), items):
                    out[i] = self._single(points[i], item)

    def _run_tasks(self, parts, batch):
        """Submit one task per array of points, wait for all; their items, in order."""
        ex = self.executor
        remote = copy.copy(self)  # what the workers get: f and how to call it
        remote.executor = remote.on_count = None
        extra = {"pure": False} if type(ex).__module__.split(".")[0] == "distributed" else {}
        futures, results, done = [], [], 0
        try:
            for pts in parts:
                futures.append(ex.submit(_work, remote, pts, batch, **extra))
            for pts, fut in zip(parts, futures):  # (tasks are counted as they come back)
                results.append(fut.result())
                done += len(pts)
                self._count(done)
        except BaseException as exc:
            for fut in futures:
                fut.cancel()
            if isinstance(exc, Exception) and not isinstance(exc, DerivlabError):
                raise DerivlabError(_failure(ex, exc)) from exc
            raise
        self.ncalls += sum(calls for calls, _ in results)
        return [items for _, items in results]

    def _workers(self):
        if self._nworkers is None:
            self._nworkers = _worker_count(self.executor)
        return self._nworkers


def _centre(ev, X, every=True):
    """f at the base points, and a copy for the user with NaN where f was not evaluated: the
    first point where f works fixes its output shape; points before it get NaN (reported as
    NONFINITE). Unless ``every``, the rest are unused zeros. (None, None): f never worked."""
    P = X.shape[0]
    for i in range(P):
        try:
            first = ev.single(X[i].reshape(ev.xshape))
            break
        except DerivlabError:
            raise
        except Exception:  # noqa: BLE001 - f raised at this x: reported in the result
            continue
    else:
        return None, None
    F0 = np.full((P, first.size), np.nan, dtype=np.result_type(first.dtype, np.float64))
    F0[i] = first.reshape(-1)
    fx = F0.copy()
    if not every:
        F0[i + 1:] = 0
    elif i + 1 < P:
        F0[i + 1:] = ev(X[i + 1:].reshape(P - i - 1, *ev.xshape)).reshape(P - i - 1, -1)
        fx = F0.copy()
    return F0, fx


def values_at(f, points, *, unpack=False, executor=None):
    """f at each row of ``points`` (one batch if f takes it, checked against single calls;
    with an executor, in its workers) as ``(values (N, size), evaluator)``; values is None
    when f worked at no point, NaN where it failed. For pictures: the evaluator tells f's
    output shape and dtype, which the caller checks."""
    points = np.asarray(points, dtype=float)
    ev = Evaluator(f, points.shape[1:], unpack=unpack and points.ndim > 1, executor=executor)
    values, _ = _centre(ev, points)
    return values, ev


def _work(ev, pts, batch):
    """In a worker: f at the points of one task -> (calls of f, items). An item is f's array
    at a point, or what f raised there (its text; derivlab's own errors as they are); with
    ``batch``, (the batch's array or exception, one item per point if the batch raised)."""
    ev = copy.copy(ev)  # a thread pool shares ev: each task counts its own calls
    ev.ncalls = 0
    # warnings filters are global: only a process's main thread may change them
    own = threading.current_thread() is threading.main_thread()
    with _quiet() if own else np.errstate(all="ignore"):
        if not batch:
            items = [_point(ev, x) for x in pts]
            return ev.ncalls, items
        try:
            items = (ev._as_array(ev._call(pts.copy())), None)
        except Exception as exc:  # noqa: BLE001 - replayed as the serial code would
            items = (_portable(exc),
                     None if isinstance(exc, InputTypeError) else [_point(ev, x) for x in pts])
        return ev.ncalls, items


def _point(ev, x):
    try:
        return ev._as_array(ev._call(np.array(x)))
    except Exception as exc:  # noqa: BLE001 - f's failures are data
        return _portable(exc)


class _Raised(Exception):
    """What f raised in a worker, as its text ("TypeError: ..."): f's own exception may not
    pickle."""


def _portable(exc):
    return exc if isinstance(exc, DerivlabError) else _Raised(f"{type(exc).__name__}: {exc}")


def _take(item):
    if isinstance(item, BaseException):
        raise item
    return item


def _worker_count(executor):
    """Workers of a stdlib pool or of a Dask client; else the number of CPUs."""
    n = getattr(executor, "_max_workers", None)
    if isinstance(n, int) and n > 0:
        return n
    nthreads = getattr(executor, "nthreads", None)  # distributed.Client: {worker: threads}
    if callable(nthreads):
        try:
            return max(1, sum(nthreads().values()))
        except Exception:  # noqa: BLE001 - not a Dask client after all
            pass
    return os.cpu_count() or 1


def _failure(ex, exc):
    """The message when the executor, not f, failed."""
    from concurrent.futures import BrokenExecutor

    name = type(ex).__name__
    if isinstance(exc, BrokenExecutor) or type(exc).__name__ == "KilledWorker":
        return (f"the executor ({name}) broke while evaluating f: a worker process died "
                f"(killed, out of memory, or crashed inside f): {type(exc).__name__}: {exc}")
    hint = ""
    if isinstance(exc, (ImportError, pickle.PicklingError, pickle.UnpicklingError, AttributeError)):
        hint = " (the workers must be able to import derivlab and f's module)"
    return f"evaluating f with the executor ({name}) failed: {type(exc).__name__}: {exc}{hint}"


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
