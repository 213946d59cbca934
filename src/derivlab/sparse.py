"""Sparse Jacobians: columns grouped by colour, one directional derivative per group.

When two columns of J have no nonzero row in common (their *structures* do not intersect),
perturbing both at once changes disjoint outputs, and one directional difference gives
both columns (Curtis, Powell and Reid, 1974). :func:`colour_columns` groups the columns by
a greedy colouring of the column-intersection graph (largest degree first); each group is
one component of the engine with a direction vector (the group's columns, each scaled by
its own step scale), so the adaptive ladder, the Richardson tableau and the error bars work
per output element as for the dense Jacobian, and the cost is proportional to the number of
colours (3 for a tridiagonal J, ``2b + 1`` for bandwidth b) instead of to n.
:func:`sparsity` detects a pattern from a few cheap forward-difference Jacobians.
"""

from __future__ import annotations

import numpy as np

from ._errors import InputError, InputTypeError
from .engine import Components, Template
from .evaluate import CHUNK_BYTES, Evaluator
from .result import Status, _as_status
from .stencils import Stencil
from .steps import min_step, scale_of
from ._validate import checked_options

__all__ = ["sparsity", "colour_columns", "Pattern"]


# ---------------------------------------------------------------------------------------------
# the pattern

def _coords(pattern, name="sparsity"):
    """(rows, cols, (m, n)) of the nonzeros of a 2-D array-like of bools/0-1 or a scipy.sparse
    matrix/array, sorted row by row."""
    if _is_scipy_sparse(pattern):
        coo = pattern.tocoo()
        data, rows, cols = np.asarray(coo.data), np.asarray(coo.row), np.asarray(coo.col)
        shape = tuple(int(s) for s in coo.shape)
        _check_values(data, name)
        keep = data != 0
        rows, cols = rows[keep].astype(np.intp), cols[keep].astype(np.intp)
        if len(rows):  # (duplicates of a COO matrix: one entry)
            key = _distinct(rows.astype(np.int64) * shape[1] + cols)
            rows, cols = key // shape[1], key % shape[1]
    else:
        if isinstance(pattern, (str, bytes)):
            raise InputTypeError(f"{name} must be an (m, n) array of booleans (or 0/1) or a "
                                 f"scipy.sparse matrix, got a string {pattern!r}")
        try:
            arr = np.asarray(pattern)
        except (TypeError, ValueError) as exc:
            raise InputTypeError(f"{name} must be an (m, n) array of booleans (or 0/1) or a "
                                 f"scipy.sparse matrix: {exc}") from None
        if arr.ndim != 2:
            raise InputError(f"{name} must be 2-D, (m, n) = (f's output size, x's size), got "
                             f"shape {arr.shape}")
        _check_values(arr, name)
        shape = arr.shape
        rows, cols = np.nonzero(arr)
    return rows, cols, shape


def _distinct(key):
    """The sorted distinct values of an integer array (np.unique, without its hashing cost)."""
    key = np.sort(key)
    return key[np.concatenate([[True], key[1:] != key[:-1]])]


def _is_scipy_sparse(obj):
    return type(obj).__module__.startswith("scipy.sparse") and hasattr(obj, "tocoo")


def _check_values(arr, name):
    if arr.dtype == bool:
        return
    if arr.dtype.kind not in "iuf" or not np.isin(arr, (0, 1)).all():
        bad = arr.reshape(-1)[~np.isin(arr.reshape(-1), (0, 1))] if arr.dtype.kind in "iufc" \
            else arr.reshape(-1)[:1]
        raise InputError(f"{name} must hold booleans (or 0/1: the structure of J, not its "
                         f"values; for a matrix A of values pass A != 0), got {bad[0].item()!r}"
                         + (f" (dtype {arr.dtype})" if arr.dtype.kind in "iufc" else ""))


def colour_columns(pattern):
    """A colour per column of J such that no two columns of a colour share a nonzero row.

    Greedy colouring of the column-intersection graph, columns taken by decreasing degree
    (ties by index); each column gets the smallest colour none of its neighbours has. Plain
    numpy: O(sum over rows of nnz(row)**2) work.

    Parameters
    ----------
    pattern : (m, n) array_like of bool or 0/1, or scipy.sparse matrix/array
        The structure of J.

    Returns
    -------
    ndarray of int, shape (n,)
        The colour of each column, 0, 1, ...; -1 for a column with no nonzero (never
        perturbed: it is zero).

    Examples
    --------
    >>> import numpy as np
    >>> tri = np.eye(6, dtype=bool) | np.eye(6, k=1, dtype=bool) | np.eye(6, k=-1, dtype=bool)
    >>> colour_columns(tri)
    array([1, 2, 0, 1, 2, 0])
    """
    rows, cols, (m, n) = _coords(pattern, "pattern")
    return _colour(rows, cols, m, n)


def _colour(rows, cols, m, n):
    colour = np.full(n, -1, dtype=np.intp)
    if not len(rows):
        return colour
    # the columns of each row (rows, cols come sorted row by row)
    row_ptr = np.searchsorted(rows, np.arange(m + 1))
    # every pair (j, j') of columns sharing a row: each nonzero (i, j) with each column of row i
    reps = (row_ptr[rows + 1] - row_ptr[rows])
    left = np.repeat(cols, reps)
    starts = np.repeat(row_ptr[rows], reps)
    within = np.arange(len(left)) - np.repeat(np.cumsum(reps) - reps, reps)
    right = cols[starts + within]
    key = _distinct(left.astype(np.int64) * n + right)
    left, right = key // n, key % n
    other = left != right
    left, right = left[other], right[other]
    degree = np.bincount(left, minlength=n)
    ptr = np.searchsorted(left, np.arange(n + 1))
    used = np.flatnonzero(np.bincount(cols, minlength=n))  # columns with a nonzero
    order = used[np.argsort(-degree[used], kind="stable")]
    # (plain Python on lists: a column has few neighbours, numpy's call overhead would dominate)
    col, right, ptr = colour.tolist(), right.tolist(), ptr.tolist()
    for j in order.tolist():
        taken = {col[r] for r in right[ptr[j]:ptr[j + 1]]}
        c = 0
        while c in taken:
            c += 1
        col[j] = c
    return np.array(col, dtype=np.intp)


class Pattern:
    """A validated sparsity pattern of J, its colouring, and the plan and assembly of a sparse
    Jacobian on top of the engine (used by :func:`derivlab.jacobian`)."""

    def __init__(self, pattern, sparse=False):
        self.rows, self.cols, self.shape = _coords(pattern)
        self.sparse = sparse
        self.colour = _colour(self.rows, self.cols, *self.shape)
        self.k = int(self.colour.max()) + 1 if self.shape[1] else 0

    def check_n(self, n):
        """Before f is called: J has n columns."""
        if self.shape[1] != n:
            raise InputError(f"sparsity must have shape (m, n) with n = x's size {n} (one column "
                             f"per element of x), got shape {self.shape}")

    def check_m(self, fshape):
        """Once f's output is known: J has prod(fshape) rows."""
        m = int(np.prod(fshape, dtype=int))
        if self.shape[0] != m:
            raise InputError(f"sparsity must have shape (m, n) = {(m, self.shape[1])} (f returned "
                             f"shape {fshape}: m = {m} outputs; n = x's size), got shape "
                             f"{self.shape}")

    def components(self, X, S, stencil, lohi, fixed, mname, dtype):
        """One component per colour and base point: a line template along the direction vector
        of the colour's columns, each moved by its own scale ``S`` (the step is in units of t,
        the scale of the component is 1)."""
        from .plans import _fit_domain

        P, n = X.shape
        k = self.k
        if mname == "complex":
            stencil = Stencil.central(1, 2)
        line = Template.line(stencil)
        C = P * k
        on = self.colour >= 0
        cols = np.flatnonzero(on)
        vectors = np.zeros((P, k, n))
        vectors[:, self.colour[cols], cols] = S[:, cols]
        hmin = np.zeros((k, P))  # the largest of the group's smallest useful steps
        np.maximum.at(hmin, self.colour[cols], (min_step(X, dtype) / S)[:, cols].T)
        axes = np.stack([n + np.arange(C), np.full(C, -1)], axis=1)
        scale = np.stack([np.ones(C), np.zeros(C)], axis=1)
        templates, level0 = [line] * C, np.zeros(C, int)
        if lohi is not None:  # the room along t: what every column of the group allows
            lo, hi = np.full((k, P), -np.inf), np.full((k, P), np.inf)
            np.maximum.at(lo, self.colour[cols], ((lohi[0] - X) / S)[:, cols].T)
            np.minimum.at(hi, self.colour[cols], ((lohi[1] - X) / S)[:, cols].T)
            try:
                templates, level0 = _fit_domain(np.zeros(C, dtype), np.ones(C), (lo.T, hi.T),
                                                line, stencil, fixed)
            except InputError:
                raise InputError("step does not fit inside the domain for every column of a "
                                 "colour group on either side; use a smaller step") from None
        edge = np.array([t is not line for t in templates], bool)
        return Components(np.repeat(np.arange(P), k), axes, scale, np.ones(C), list(templates),
                          np.asarray(level0, int), hmin.T.reshape(-1),
                          vectors=vectors.reshape(C, n), edge=edge)

    def assemble(self, out, ev, pshape, xshape, fshape, X, S, F0, label):
        """The Result: entry (i, j) of J is output i of the derivative along j's colour,
        divided by j's scale; entries outside the pattern are 0 with error 0."""
        from .api import _message, _trace
        from .result import Result

        P, n = X.shape
        m, k = self.shape[0], self.k
        rows, cols = self.rows, self.cols
        grp = self.colour[cols]
        D, E, T = (np.asarray(a).reshape(P, k, m) for a in (out.value, out.error, out.status))
        scale = S[:, cols]
        val, err, st = D[:, grp, rows] / scale, E[:, grp, rows] / scale, T[:, grp, rows]
        step = np.full((P, n), np.nan)
        on = self.colour >= 0
        step[:, on] = np.asarray(out.step).reshape(P, k)[:, self.colour[on]] * S[:, on]
        label = f"{label}; sparse: {k} colour group{'s' * (k != 1)} for {n} columns"
        trc = None
        if out.records is not None:
            trc = _trace(out.records, ev, X, xshape, fshape)
            for r, e in zip(trc.records, out.records):  # the element: ("colour", c)
                object.__setattr__(r, "element", ("colour", int(e.axes[0] - n) % max(k, 1)))
        missed = self._missed(D, E, T, F0)
        if missed:  # a wrong pattern: no entry is a success (which ones mix cannot be told)
            st = np.where(st >= 0, int(Status.WRONG_PATTERN), st)
        if self.sparse:
            value, error = self._csr(val[0], m, n), self._csr(err[0], m, n)
            status = _as_status(np.atleast_1d(st[0]))
            msg = _entries_message(st[0], rows, cols, ev, m * n)
            step = step[0].reshape(xshape)
        else:
            shape = pshape + fshape + xshape
            value, error = np.zeros((P, m, n), D.dtype), np.zeros((P, m, n))
            status = np.zeros((P, m, n), int)
            value[:, rows, cols], error[:, rows, cols], status[:, rows, cols] = val, err, st
            value, error, status = (a.reshape(shape) for a in (value, error, status))
            step = step.reshape(pshape + xshape)
            msg = _message(status, ev)
            if not shape:
                value, error, step = value.item(), float(error), float(step)
            status = _as_status(status)
        msg = ev.inconsistent or msg
        if missed:
            msg = missed + "; " + msg
        if out.noise is not None and (out.noise > 0).any():
            msg += f" (noise in f measured at about {float(np.max(out.noise)):.1e})"
        return Result(value, error, ev.nfev, step, label, status, msg, trc, ev.ncalls)

    def _csr(self, data, m, n):
        sp = _scipy_sparse()
        indptr = np.searchsorted(self.rows, np.arange(m + 1))
        return sp.csr_array((data, self.cols.copy(), indptr), shape=(m, n))

    def _missed(self, D, E, T, F0):
        """The free check of the pattern: an output with no nonzero in a colour group must not
        change along that group's direction. One that clearly does depends on a column the
        pattern leaves out (that entry reads as 0, and entries sharing its colour may mix)."""
        P, k, m = D.shape
        owned = np.zeros((k, m), bool)
        owned[self.colour[self.cols], self.rows] = True
        # (beyond its error bar, or with a fixed step (no bar) beyond rounding of f)
        slack = 3 * _nan0(E) + 64 * np.finfo(np.float64).eps * np.abs(_nan0(F0))[:, None, :]
        bad = ~owned[None] & np.isfinite(D) & (np.abs(D) > slack) & (T >= 0)
        if not bad.any():
            return ""
        p, c, i = (int(a) for a in np.argwhere(bad)[0])
        cols = np.flatnonzero(self.colour == c)
        shown = ", ".join(map(str, cols[:5])) + (" ..." if len(cols) > 5 else "")
        return (f"sparsity misses nonzeros of J ({int(bad.sum())} found): output {i} of f changes "
                f"along colour group {c} (columns {shown}), where the pattern has no entry in "
                f"row {i}; such entries read as 0 and entries sharing their colour may mix "
                "columns (detect the pattern with derivlab.sparsity, or add them)")


def _nan0(a):
    return np.where(np.isfinite(a), a, 0)


def _entries_message(codes, rows, cols, ev, size):
    """The message of a sparse=True result: entries (row, column) of J by status."""
    parts = []
    codes = np.asarray(codes)
    for code in sorted(set(codes.tolist()), reverse=True):
        st = Status(code)
        if st is Status.OK:
            continue
        where = np.flatnonzero(codes == code)
        loc = ", ".join(f"({rows[w]}, {cols[w]})" for w in where[:3]) + \
            (" ..." if len(where) > 3 else "")
        detail = st.reason
        if st in (Status.NONFINITE, Status.ONE_SIDED) and ev.first_error:
            detail += f" (f raised {ev.first_error})"
        parts.append(f"{st.name.lower()}: {len(where)} of {len(codes)} entries: {detail} at {loc}")
    if not parts:
        return f"converged: all {len(codes)} entries of the pattern (the other {size - len(codes)} " \
               "entries of J are structural zeros)"
    return "; ".join(parts)


def _scipy_sparse():
    try:
        import scipy.sparse as sp
    except ImportError:
        raise InputError("sparse=True returns scipy.sparse arrays, but scipy is not installed "
                         "(pip install scipy), or leave sparse=False for dense arrays") from None
    return sp


def prepare(sparsity, sparse, method, batch):
    """The validated Pattern for :func:`derivlab.jacobian` (None: a dense Jacobian)."""
    from .methods import is_exact

    if not isinstance(sparse, (bool, np.bool_)):
        raise InputTypeError(f"sparse must be True or False, got {sparse!r}")
    if sparsity is None:
        if sparse:
            raise InputError("sparse=True needs sparsity= (the pattern of J: an (m, n) array of "
                             "booleans or a scipy.sparse matrix); derivlab.sparsity(f, x) detects "
                             "one")
        return None
    if is_exact(method):
        raise InputError(f"sparsity applies to finite differences; method={method!r} has no "
                         "sparsity (leave it out, or use a finite-difference method)")
    if sparse and batch:
        raise InputError("sparse=True returns one 2-D scipy.sparse array; it cannot be used with "
                         "batch=True (leave sparse=False for dense arrays, or loop over the points)")
    if sparse:
        _scipy_sparse()
    return Pattern(sparsity, bool(sparse))


#: Seed of the random direction that checks a sparse Jacobian (the same check every call).
VERIFY_SEED = 20261207


def verify(res, f, x, *, method, args, vectorized, executor, workers):
    """A sparse Jacobian checked along one random direction v: ``J @ v`` must agree with the
    directional derivative of f along v (:func:`derivlab.jvp`, about 10 evaluations) within
    both error bars. A pattern that leaves out a nonzero whose row has an entry of its colour
    (the case :meth:`Pattern._missed` cannot see) fails it: every entry's status becomes
    WRONG_PATTERN. The check's evaluations are counted in ``nfev``."""
    from dataclasses import replace

    from ._namespace import to_numpy
    from .ops import jvp

    if not res.success:
        return res
    xa = to_numpy(x)
    v = np.random.default_rng(VERIFY_SEED).standard_normal(np.shape(xa)).reshape(np.shape(xa))
    kind = method if isinstance(method, str) and method in ("forward", "backward") else "central"
    chk = jvp(f, x, v, method=kind, args=args, vectorized=vectorized, executor=executor,
              workers=workers)
    val, err = (a if hasattr(a, "tocsr") else to_numpy(a) for a in (res.value, res.error))
    m = int(np.prod(np.shape(to_numpy(chk.value)))) or 1
    vf = v.reshape(-1)
    Jv = (val.reshape(m, -1) if not hasattr(val, "tocsr") else val) @ vf
    bar = (abs(err).reshape(m, -1) if not hasattr(err, "tocsr") else abs(err)) @ np.abs(vf)
    ref, ref_err = to_numpy(chk.value).reshape(-1), to_numpy(chk.error).reshape(-1)
    slack = 3 * (bar + ref_err) + 64 * np.finfo(np.float64).eps * np.abs(ref)
    res = replace(res, nfev=res.nfev + chk.nfev)
    if not chk.success or np.all(np.abs(Jv - ref) <= slack):
        return res
    i = int(np.argmax(np.abs(Jv - ref) - slack))
    status = np.asarray(res.status, dtype=object)
    status = np.where(status == Status.OK, Status.WRONG_PATTERN, status)
    msg = (f"sparsity misses nonzeros of J: along a random direction v, output {i} of J v is "
           f"{Jv[i]:.6g} but f's directional derivative is {ref[i]:.6g} (+- {slack[i]:.1g}); "
           "entries sharing a colour mix columns (detect the pattern with derivlab.sparsity)")
    return replace(res, status=status if status.ndim else Status(status.item()),
                   message=msg + "; " + res.message)


# ---------------------------------------------------------------------------------------------
# detection

#: Probe points lie within this many scales of x (a power of two: x + offsets stay exact) ...
PROBE_RADIUS = 2.0**-6
#: ... and each column is moved by this many scales there.
PROBE_STEP = 2.0**-10


@checked_options
def sparsity(f, x, *, probes=3, tol=None, seed=0, unpack=False, vectorized=None, args=()):
    """The structure of f's Jacobian at x, for ``jacobian(f, x, sparsity=...)``.

    At ``probes`` random points near x (within ``2**-6`` times ``max(|x|, 1)`` of each
    element), one forward difference per element of x (a step of ``2**-10`` scales); entry
    (i, j) is a nonzero when output i changed by more than round-off along x_j at any probe
    point (or was NaN/inf there). Random points avoid the accidental zeros of a special x
    (``x**2`` at 0).

    Cost: ``probes * (n + 1)`` evaluations of f (n = x's size), more than one dense Jacobian's
    worth of probing; it pays off when the pattern is reused: the Jacobians of many Newton
    iterations, or of many points, each of which then costs evaluations in proportion to the
    number of colours (3 for a tridiagonal J) instead of n. Knowing the structure from the
    model (a stencil, a banded system, a graph) is cheaper still.

    A pattern that leaves a true nonzero out silently mixes columns: the entry reads as 0
    and the entries sharing its colour group absorb it. ``jacobian`` checks for free the
    outputs a group should leave unchanged, and says so in its message when one changed;
    a complete check costs one :func:`derivlab.jvp` (about 10 evaluations) with a random v::

        res = derivlab.jacobian(f, x, sparsity=pattern)
        v = np.random.default_rng(0).standard_normal(np.size(x))
        ref = derivlab.jvp(f, x, v.reshape(np.shape(x)))
        bad = abs(res.value @ v - ref.value) > abs(res.error) @ abs(v) + ref.error

    Parameters
    ----------
    f : callable
        ``f(x, *args)`` (``f(*x, *args)`` with ``unpack=True``), array-valued.
    x : array_like
        The point.
    probes : int, optional
        Number of random points (default 3).
    tol : float, optional
        An output counts as changed when its change exceeds ``tol`` times the size of its
        values (default ``4 * eps``: any change beyond rounding; 0: any change at all).
        A larger tol drops weak dependencies, which then mix columns: keep it small.
    seed : int, optional
        Seed of the random probe points (default 0: the same pattern every call).
    unpack, vectorized, args
        As in :func:`derivlab.jacobian`.

    Returns
    -------
    ndarray of bool, shape (m, n)
        m = f's output size (flattened), n = x's size (flattened).

    Examples
    --------
    >>> import numpy as np, derivlab
    >>> f = lambda x: np.append(x[1:] - x[:-1], x[0] ** 2)
    >>> derivlab.sparsity(f, np.zeros(4)).astype(int)
    array([[1, 1, 0, 0],
           [0, 1, 1, 0],
           [0, 0, 1, 1],
           [1, 0, 0, 0]])
    """
    from . import _validate as V
    from .evaluate import _centre

    V.check_callable(f)
    xa = V.check_x(x)
    probes = V.check_int("probes", probes, 1)
    unpack = V.check_bool("unpack", unpack)
    vectorized = V.check_bool("vectorized", vectorized, allow_none=True)
    args = V.check_args(args)
    V.check_unpack(f, args, unpack)
    if unpack and xa.ndim != 1:
        raise InputError(f"unpack=True needs x to be a 1-D vector of f's arguments, got shape "
                         f"{xa.shape}")
    eps = np.finfo(xa.dtype).eps
    tol = 4 * eps if tol is None else V.check_real("tol", tol)
    if not tol >= 0:
        raise InputError(f"tol must be 0 or positive, got {tol!r}")
    n = xa.size
    x0 = xa.reshape(-1)
    s = scale_of(x0)
    rng = np.random.default_rng(seed)
    # probe points: x moved by multiples of 2**-16 scales (exact)
    u = np.round(rng.uniform(-1, 1, (probes, n)) * 2**10) / 2**10
    base = (x0 + u * PROBE_RADIUS * s).astype(xa.dtype)
    ev = Evaluator(f, xa.shape, args=args, unpack=unpack, vectorized=vectorized)
    F0, _ = _centre(ev, base)
    if F0 is None:
        raise InputError(f"f could not be evaluated near x: {ev.first_error}")
    m = F0.shape[1]
    h = (PROBE_STEP * s).astype(xa.dtype)
    found = np.zeros((m, n), bool)
    rows = max(1, CHUNK_BYTES // max(n * xa.itemsize, 1))
    for p in range(probes):
        for start in range(0, n, rows):
            cols = np.arange(start, min(n, start + rows))
            pts = np.repeat(base[p][None], len(cols), axis=0)
            pts[np.arange(len(cols)), cols] += h[cols]
            Fj = ev(pts.reshape(len(cols), *xa.shape)).reshape(len(cols), m)
            f0 = F0[p][None]
            size = np.abs(_nan0(Fj)) + np.abs(_nan0(f0))
            changed = ~(np.abs(Fj - f0) <= tol * size)  # NaN/inf: changed
            found[:, cols] |= changed.T
    return found
