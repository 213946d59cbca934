"""Public entry points: derivative, gradient, jacobian, hessian (and jvp, hvp in ops)."""

from __future__ import annotations

import math
from dataclasses import replace
from functools import wraps

import numpy as np

from . import _validate as V
from . import sparse as _sparse
from ._errors import InputError
from ._namespace import calls_with, namespace_of, to_numpy
from .complexstep import complex_step
from .engine import run
from .evaluate import Evaluator, _centre
from .result import Result, Status, Trace, TraceRecord, _as_status
from .plans import components
from .steps import ladder_ratio, rule_of_thumb, scale_of, start_step
from .symbolic.adapter import _Numeric, as_callable
from .methods import is_exact, run_exact
from ._validate import checked_options

__all__ = ["derivative", "gradient", "jacobian", "hessian"]


@checked_options
def derivative(f, x, *, order=1, method="central", accuracy=None, step=None, adaptive=True,
               domain=None, rtol=None, vectorized=None, args=(), trace=False, progress=None,
               executor=None, workers=None):
    """Derivative of order ``order`` of f: R -> R (or R -> R^m) at each point of ``x``.

    Parameters
    ----------
    f : callable, str, Formula or sympy.Expr
        ``f(x, *args)``; a vectorized f (elementwise, like ``np.sin``) is called
        on many points at once, any other f once per point. Or a formula of one
        variable (``"3*x*exp(x)"``, see :func:`derivlab.parse`).
    x : float or array_like
        The point, or an array of points (one derivative per element); for a
        formula also ``{"x": ...}``. An array of another array-API library (PyTorch,
        JAX, CuPy, array-api-strict; with ``array-api-compat`` installed) stays one:
        f gets points of that library, of x's dtype, on x's device, and the Result's
        ``value``, ``error``, ``x`` and ``fx`` are arrays of it on that device (0-d for
        one point); ``step``, ``status`` and ``trace`` stay numpy.
    order : int, optional
        Derivative order (1, 2, 3, ...).
    method : {"central", "forward", "backward", "complex", "symbolic", "jax", "torch"} or Stencil
        Direction of the finite differences (default ``"central"``); ``"complex"`` for the
        complex-step derivative of an analytic f (first order, machine precision);
        ``"symbolic"`` for SymPy's exact derivative of a formula (or of an f written with
        arithmetic and SymPy functions), evaluated to full precision, with the expression
        in ``result.expression``; ``"jax"`` or ``"torch"`` for automatic differentiation
        of an f written with ``jax.numpy`` or ``torch`` (or of a formula). The last three
        take none of the finite-difference options (accuracy, step, adaptive, domain,
        rtol, vectorized, trace).
    accuracy : int, optional
        Order of accuracy of the base stencil (even for central). Default 2 for
        central, 1 for forward and backward.
    step : float or array_like, optional
        A fixed step h (in x's units). Default None: the step is chosen
        adaptively from f itself (a halving ladder with Richardson
        extrapolation) and ``error`` estimates the error.
    adaptive : bool, optional
        With ``adaptive=False`` and no ``step``, one stencil at the textbook
        step ``eps**(1/(order+accuracy)) * max(|x|, 1)``.
    domain : (lo, hi), optional
        Where f is defined; stencils are kept inside (one-sided at an edge).
        Without it an edge is found when f returns NaN/inf or raises.
    rtol : float, optional
        Stop refining as soon as the error estimate is below ``rtol * |value|``
        (fewer evaluations). Default: refine as far as round-off allows. The early stop
        can come before the checks that need smaller steps (aliasing, a joint beside x,
        noise): a success is then less certain (README, Known limits). One-sided walks
        (``method="forward"``/``"backward"``) are not stopped early.
    vectorized : bool or None, optional
        Whether f accepts an array of points. None: detected safely (a formula is
        evaluated vectorized: it is a numpy function of arrays).
    args : tuple, optional
        Extra arguments for f.
    trace : bool, optional
        Record every evaluation in ``result.trace``.
    progress : bool or None, optional
        A progress bar on stderr (rich) for long work: None (default) shows one on a
        terminal once the work has taken a second; True always; False never.
    executor : concurrent.futures.Executor or distributed.Client, optional
        Evaluate f in parallel there: a ``ProcessPoolExecutor``, a ``ThreadPoolExecutor``,
        a Dask ``distributed.Client``, or anything with ``submit(fn, *args)`` returning a
        future. The points of each level of the ladder are split into tasks of
        consecutive points (about 3 per worker, one call of f per point; with
        ``vectorized=True`` one batch per task); ``vectorized=None`` is taken as False
        (no probe). The result (values, errors, steps, ``nfev``, statuses, message) is
        the one of serial evaluation with the same ``vectorized`` (with True, f gets
        smaller batches: the same for an elementwise f). A process pool needs a
        picklable f (defined at module level, not a lambda or closure); a thread pool or
        a Dask client (cloudpickle) takes any f. Your executor is not shut down.
    workers : int, optional
        Shortcut for ``executor``: a ``ProcessPoolExecutor(max_workers=workers)`` made
        for this call and always shut down at its end. Not together with ``executor``.

    Returns
    -------
    Result
        ``value`` and ``error`` have ``x``'s shape (plus f's output shape).

    Examples
    --------
    >>> import numpy as np, derivlab
    >>> res = derivlab.derivative(lambda x: 3 * x * np.exp(x), 2.0)
    >>> bool(abs(res.value - 9 * np.exp(2)) < 1e-12 * 66.5), res.success
    (True, True)
    >>> derivlab.derivative(lambda x: x**2, 3, step=1e-4).value  # the seeds' number
    6.000000000012662
    >>> derivlab.derivative("3*x**3 - 5*x + 4", [0.0, 1.0]).value  # a formula: 9 x^2 - 5
    array([-5.,  4.])
    """
    if is_exact(method):
        return run_exact(method, "derivative", f, x, order=order, args=args, accuracy=accuracy,
                         step=step, adaptive=adaptive, domain=domain, rtol=rtol,
                         vectorized=vectorized, trace=trace, executor=executor, workers=workers)
    f, x = as_callable(f, "derivative", x, args=args)
    return _differentiate("derivative", f, x, order=order, method=method, accuracy=accuracy,
                          step=step, adaptive=adaptive, domain=domain, rtol=rtol,
                          vectorized=vectorized, args=args, trace=trace, progress=progress,
                          executor=executor, workers=workers)


@checked_options
def gradient(f, x, *, method="central", accuracy=None, step=None, adaptive=True, domain=None,
             rtol=None, batch=False, unpack=False, vectorized=None, args=(), trace=False,
             progress=None, executor=None, workers=None):
    """Gradient of a scalar f of an array x of any shape; the value has x's shape.

    Parameters
    ----------
    f : callable, str, Formula or sympy.Expr
        ``f(x, *args)`` returning a scalar; or ``f(*x, *args)`` with ``unpack=True``.
        Or a formula (``"x^2 + y^2"``, see :func:`derivlab.parse`): x then holds
        one value per variable, in the order of its ``variables`` (x, y, z).
    x : array_like or mapping
        The point (0-d, vector, matrix, ...). With ``batch=True`` the first axis
        indexes independent points and one gradient is returned for each. For a
        formula also a mapping ``{"x": 1.0, "y": 2.0}`` (arrays of values: many points
        with ``batch=True``). An array of another library (torch, JAX, ...) stays one,
        as in :func:`derivative`; with ``unpack=True`` f gets one 0-d array of it per
        argument (1-d with ``batch=True``).
    batch : bool, optional
        Treat ``x[k]`` as k separate points (for a quiver plot of a grid, say).
    unpack : bool, optional
        f takes one argument per element of a 1-D x, like a function made by
        ``sympy.lambdify((x, y, z), ...)``; one partial per argument.
    method, accuracy, step, adaptive, domain, rtol, vectorized, args, trace, progress
        As in :func:`derivative`.
    executor, workers
        Parallel evaluation of f, as in :func:`derivative`.

    Returns
    -------
    Result
        ``value.shape == x.shape``.

    Examples
    --------
    >>> import numpy as np, derivlab
    >>> f = lambda v: 2 * v[0] + 3 * v[0] * v[1] + v[1] ** 3
    >>> np.round(derivlab.gradient(f, [1.0, 2.0]).value, 10)
    array([ 8., 15.])
    >>> derivlab.gradient(lambda x, y: x**2 + y**2, [3, 4], unpack=True).value
    array([6., 8.])
    >>> np.round(derivlab.gradient("2*x + 3*x*y + y^3", {"x": 1, "y": 2}).value, 10)
    array([ 8., 15.])
    """
    if is_exact(method):
        return run_exact(method, "gradient", f, x, batch=batch, unpack=unpack, args=args,
                         accuracy=accuracy, step=step, adaptive=adaptive, domain=domain,
                         rtol=rtol, vectorized=vectorized, trace=trace, executor=executor,
                         workers=workers)
    f, x = as_callable(f, "gradient", x, unpack=unpack, batch=batch, args=args)
    return _differentiate("gradient", f, x, order=1, method=method, accuracy=accuracy, step=step,
                          adaptive=adaptive, domain=domain, rtol=rtol, batch=batch,
                          unpack=unpack, vectorized=vectorized, args=args, trace=trace,
                          progress=progress, executor=executor, workers=workers)


@checked_options
def jacobian(f, x, *, method="central", accuracy=None, step=None, adaptive=True, domain=None,
             rtol=None, batch=False, unpack=False, vectorized=None, args=(), trace=False,
             progress=None, executor=None, workers=None, sparsity=None, sparse=False):
    """Jacobian of an array-valued f; ``value.shape == f(x).shape + x.shape``.

    Parameters are those of :func:`gradient`; with ``batch=True`` the value has
    shape ``(k,) + f(x[0]).shape + x.shape[1:]``. Two more, for a sparse J:

    sparsity : (m, n) array_like of bool or 0/1, or scipy.sparse matrix/array, optional
        The structure of J (m = f's output size, n = x's size, both flattened): entries
        outside it are taken to be zero (value 0, error 0). Columns that share no nonzero
        row are perturbed together (:func:`derivlab.sparse.colour_columns`), one adaptive
        directional derivative per colour group, so the cost is proportional to the number
        of colours (3 for a tridiagonal J) instead of to n. A pattern that leaves a true
        nonzero out mixes columns: the result is checked along one random direction (one
        :func:`derivlab.jvp`, about 10 more evaluations, counted in ``nfev``) and every
        entry is ``Status.WRONG_PATTERN`` when they disagree (not checked with batch=True,
        unpack=True, a fixed step or an empty pattern). :func:`derivlab.sparsity` detects a
        pattern. Finite-difference methods only.
    sparse : bool, optional
        With ``sparsity``: return ``value`` and ``error`` as ``scipy.sparse.csr_array``
        of shape (m, n) holding the pattern's entries, and ``status`` as a 1-D array of
        one Status per stored entry, in the order of ``value.data`` (not with batch=True).

    Examples
    --------
    >>> import numpy as np, derivlab
    >>> J = derivlab.jacobian(lambda v: np.array([v[0] * v[1], np.sin(v[0])]), [1.0, 2.0]).value
    >>> np.allclose(J, [[2, 1], [np.cos(1), 0]])
    True
    >>> np.allclose(derivlab.jacobian(["x*y", "sin(x)"], [1.0, 2.0]).value, J)  # formulas
    True
    >>> tri = lambda v: np.append(v[:-1] * v[1:], v[-1] ** 2)  # J is upper bidiagonal
    >>> res = derivlab.jacobian(tri, np.arange(1.0, 101), sparsity=derivlab.sparsity(tri, np.ones(100)))
    >>> res.method, bool(np.allclose(res.value[0, :2], [2, 1]))
    ('central, adaptive (Richardson); sparse: 2 colour groups for 100 columns', True)
    """
    pattern = _sparse.prepare(sparsity, sparse, method, batch)
    if is_exact(method):
        return run_exact(method, "jacobian", f, x, batch=batch, unpack=unpack, args=args,
                         accuracy=accuracy, step=step, adaptive=adaptive, domain=domain,
                         rtol=rtol, vectorized=vectorized, trace=trace, executor=executor,
                         workers=workers)
    f, x = as_callable(f, "jacobian", x, unpack=unpack, batch=batch, args=args)
    res = _differentiate("jacobian", f, x, order=1, method=method, accuracy=accuracy, step=step,
                         adaptive=adaptive, domain=domain, rtol=rtol, batch=batch,
                         unpack=unpack, vectorized=vectorized, args=args, trace=trace,
                         progress=progress, executor=executor, workers=workers,
                         sparsity=pattern)
    if pattern is None or not pattern.k or batch or unpack or step is not None or not adaptive:
        return res  # (a fixed step has no bar to check against; see the docstring)
    return _sparse.verify(res, f, x, method=method, args=args, vectorized=vectorized,
                          executor=executor, workers=workers)


@checked_options
def hessian(f, x, *, method="central", step=None, adaptive=True, rtol=None, batch=False,
            unpack=False, vectorized=None, args=(), trace=False, progress=None, executor=None,
            workers=None):
    """Hessian of a scalar f; ``value.shape == x.shape + x.shape``, symmetric.

    Diagonal entries come from second differences along each axis and mixed
    entries from a stencil that shares their points, so a level of the
    adaptive ladder costs about n**2 evaluations.

    Parameters
    ----------
    f, x, batch, unpack
        As in :func:`gradient`.
    method, step, adaptive, rtol, vectorized, args, trace, progress, executor, workers
        As in :func:`derivative`.

    Examples
    --------
    >>> import numpy as np, derivlab
    >>> H = derivlab.hessian(lambda v: v[0]**2 * v[1] + np.exp(v[1]), [1.0, 0.0]).value
    >>> np.allclose(H, [[0, 2], [2, 1]])  # [[2 v1, 2 v0], [2 v0, exp(v1)]] at (1, 0)
    True
    >>> np.allclose(derivlab.hessian("x^2*y + exp(y)", {"x": 1, "y": 0}).value, H)
    True
    """
    if is_exact(method):
        return run_exact(method, "hessian", f, x, batch=batch, unpack=unpack, args=args,
                         step=step, adaptive=adaptive, rtol=rtol, vectorized=vectorized,
                         trace=trace, executor=executor, workers=workers)
    f, x = as_callable(f, "hessian", x, unpack=unpack, batch=batch, args=args)
    return _differentiate("hessian", f, x, order=2, method=method, accuracy=None, step=step,
                          adaptive=adaptive, domain=None, rtol=rtol, batch=batch,
                          unpack=unpack, vectorized=vectorized, args=args, trace=trace,
                          progress=progress, executor=executor, workers=workers)


# ---------------------------------------------------------------------------------------------

def _evaluated_by(differentiate):
    """``executor=`` and ``workers=`` for :func:`_differentiate`: checked (and f and args
    picklable for a process pool) before f is evaluated; the process pool made for
    ``workers=N`` is always shut down when the call ends, on an error or Ctrl-C too."""
    @wraps(differentiate)
    def call(kind, f, x, *, executor=None, workers=None, **options):
        V.check_callable(f)
        with V.evaluation_pool(executor, workers, f, options.get("args", ())) as pool:
            return differentiate(kind, f, x, executor=pool, **options)
    return call


@_evaluated_by
def _differentiate(kind, f, x, *, order, method, accuracy, step, adaptive, domain, vectorized,
                   args, trace, rtol=None, batch=False, unpack=False, v=None, operation=None,
                   progress=None, executor=None, sparsity=None):
    order = V.check_int("order", order, 1)
    if method == "complex" and kind in ("hessian", "hvp"):
        raise InputError(f"method='complex' gives first derivatives only; {kind} needs order 2")
    mname, stencil = V.check_method(method, order, accuracy)
    ns = namespace_of(x)  # x of another array library: f gets points of it, on x's device
    xa = V.check_x(to_numpy(x))
    batch, unpack = V.check_bool("batch", batch), V.check_bool("unpack", unpack)
    trace, adaptive = V.check_bool("trace", trace), V.check_bool("adaptive", adaptive)
    vectorized = V.check_bool("vectorized", vectorized, allow_none=True)
    if vectorized is None and isinstance(f, _Numeric):
        vectorized = True  # a formula is a numpy function of arrays: no probe needed
    progress = V.check_bool("progress", progress, allow_none=True)
    args = V.check_args(args)
    if kind in ("gradient", "jacobian", "hessian"):
        V.check_unpack(f, args, unpack)
    steps = V.check_step(step, xa.shape)
    bounds = V.check_domain(domain, xa)
    if rtol is not None and not (V.check_real("rtol", rtol) > 0):
        raise InputError(f"rtol must be positive, got {rtol!r}")
    if mname == "complex" and (steps is not None or not adaptive):
        raise InputError("step and adaptive=False cannot be used with method='complex' "
                         "(its step is tiny and fixed; it is verified adaptively)")

    if kind == "derivative":
        points, pshape, xshape = xa.reshape(-1), xa.shape, ()
    elif batch:
        if xa.ndim < 1 or xa.shape[0] == 0:
            raise InputError(f"batch=True needs x with a first axis of points, got shape {xa.shape}")
        points, pshape, xshape = xa, xa.shape[:1], xa.shape[1:]
    else:
        points, pshape, xshape = xa[None], (), xa.shape
    if unpack and len(xshape) != 1:
        raise InputError("unpack=True needs x to be a 1-D vector of f's arguments "
                         f"(2-D with batch=True), got shape {xa.shape}")
    P = points.shape[0]
    n = math.prod(xshape)
    X = np.array(points, dtype=xa.dtype).reshape(P, n)
    calls = calls_with(ns, f)
    if calls is not None and mname == "complex":
        calls.check_complex(xa.dtype)
    ev = Evaluator(f, xshape, args=args, unpack=unpack, vectorized=vectorized, executor=executor,
                   namespace=calls)
    fixed = mname != "complex" and (steps is not None or not adaptive)
    if fixed and steps is None:
        steps = np.broadcast_to(rule_of_thumb(xa, xa.dtype, order, stencil.accuracy), xa.shape)
    S = (steps if fixed else scale_of(xa)).reshape(P, n)
    lohi = None if bounds is None else tuple(b.reshape(P, n) for b in bounds)
    vflat = None if v is None else np.asarray(v, dtype=np.float64).reshape(1, n)
    if sparsity is not None:  # a sparse Jacobian: its components come once f's shape is known
        sparsity.check_n(n)
    else:
        comps = components(kind, X, S, stencil, order, lohi, fixed, mname, xa.dtype, vflat)
    # a fixed central stencil never uses f(x): evaluate it once only, for f's output shape
    centre_used = not fixed or kind == "hessian" or 0 in stencil.offsets
    F0, fx = _centre(ev, X, centre_used)
    if F0 is None:
        res = _failed_at_centre(kind, ev, pshape, xshape)
        hint = _hint(operation or kind, ev, xshape, unpack)
        return _described(replace(res, message=res.message + hint), operation or kind, xa, None,
                          ns)
    fshape = ev.fshape
    if kind in ("gradient", "hessian", "hvp") and fshape != ():
        raise InputError(_not_scalar(kind, fshape))
    if mname == "complex" and np.iscomplexobj(F0):
        raise InputError("method='complex' needs a real-valued f, but f returned complex values")
    if sparsity is not None:
        sparsity.check_m(fshape)
        comps = sparsity.components(X, S, stencil, lohi, fixed, mname, xa.dtype)
    eps = max(np.finfo(xa.dtype).eps, _eps_of(ev.fdtype))
    if mname == "complex":
        def then(X, F0, comps, check):  # each chunk's complex step, checked against its walk
            return complex_step(ev, X, F0, comps, eps=eps, check=check, trace=trace)

        out = run(ev, X, F0, comps, start=start_step(xa.dtype, 1), eps=eps, trace=trace,
                  progress=progress, finish=then)
        label = "complex step"
    else:
        # (no jumps from third derivatives on: each level skipped multiplies round-off by
        # ratio**order, and a jump lands past the few levels where a tableau of these balances)
        out = run(ev, X, F0, comps, start=1.0 if fixed else start_step(xa.dtype, order), eps=eps,
                  fixed=fixed, trace=trace, rtol=rtol,
                  jump=kind not in ("hessian", "hvp") and order <= 2, ratio=ladder_ratio(order),
                  progress=progress)
        label = f"{mname}, " + ("fixed step" if fixed else "adaptive (Richardson)")
    if ev.inconsistent:  # no derivative of a function whose output changes shape
        out.status[:] = Status.NONFINITE
    if sparsity is not None:
        res = sparsity.assemble(out, ev, pshape, xshape, fshape, X, S, F0, label)
    else:
        res = _assemble(kind, out, ev, pshape, xshape, fshape, n, X, label)
    return _described(res, operation or kind, xa, fx.reshape(pshape + fshape), ns)


def _described(res, kind, xa, fx, namespace=None):
    """``res`` with the point, f there and the operation filled in (0-d as scalars); with
    x's ``namespace`` (x not numpy), its arrays as arrays of x's library on x's device."""
    res = replace(res, x=xa[()] if xa.ndim == 0 else xa, operation=kind,
                  fx=fx if fx is None or fx.ndim else fx.item())
    return res if namespace is None else namespace.result(res)


def _not_scalar(kind, fshape):
    batch = "" if kind == "hvp" else f"for one {kind} per point (rows of x) use batch=True; "
    return (f"{kind} needs f to return a scalar, but f returned shape {fshape}: {batch}"
            "for a vector-valued f use jacobian")


def _hint(kind, ev, xshape, unpack):
    """What the user most likely meant, when f raised at every point."""
    err = ev.first_error or ""
    if ev.namespace is None and "must be Tensor" in err:  # torch.sin(a numpy array)
        return ("; f is written with torch: pass x as a torch tensor (torch.tensor(x, "
                "dtype=torch.float64)) and f is called with tensors, or use method='torch'")
    if kind in ("gradient", "jacobian", "hessian") and not unpack and len(xshape) == 1 \
            and err.startswith("TypeError") and "positional argument" in err:
        return "; did you mean unpack=True? (f(*x): one argument per element of x)"
    if kind == "derivative" and err.split(":")[0] in ("TypeError", "IndexError"):
        return ("; derivative calls f with one number at a time (one derivative per element "
                "of x): for f of a vector use gradient (batch=True for one gradient per row "
                "of x), or jacobian for a vector-valued f")
    return ""


def _eps_of(dtype):
    if dtype is None or dtype.kind not in "fc":
        return np.finfo(np.float64).eps
    return np.finfo(dtype).eps


def _assemble(kind, out, ev, pshape, xshape, fshape, n, X, label):
    P = X.shape[0]
    if kind == "hessian":
        value, error, status, step = _hessian_matrix(out, P, n)
        shape = pshape + xshape + xshape
    else:
        value, error, status = (a.reshape(P, n, -1) for a in (out.value, out.error, out.status))
        value, error, status = (a.transpose(0, 2, 1) for a in (value, error, status))
        step = out.step.reshape(P, n)
        shape = pshape + fshape + xshape
        if kind == "derivative":
            shape = pshape + fshape
            value, error, status = (a.transpose(0, 2, 1) for a in (value, error, status))
    value = value.reshape(shape)
    error, status = error.reshape(shape), status.reshape(shape)
    step = step.reshape(pshape if kind == "derivative" else pshape + xshape)
    if not shape:
        value, error, step = value.item(), float(error), float(step)
    trc = _trace(out.records, ev, X, xshape, fshape) if out.records is not None else None
    msg = ev.inconsistent or _message(status, ev)
    if out.noise is not None and (out.noise > 0).any():
        msg += f" (noise in f measured at about {float(np.max(out.noise)):.1e})"
    return Result(value, error, ev.nfev, step, label, _as_status(status), msg, trc, ev.ncalls)


def _hessian_matrix(out, P, n):
    npair = n + n * (n - 1) // 2
    iu, ju = np.triu_indices(n, 1)
    mats = []
    for a in (out.value, out.error, out.status):
        a = a.reshape(P, npair)
        m = np.empty((P, n, n), dtype=a.dtype)
        d = np.arange(n)
        m[:, d, d] = a[:, :n]
        m[:, iu, ju] = a[:, n:]
        m[:, ju, iu] = a[:, n:]
        mats.append(m)
    step = out.step.reshape(P, npair)[:, :n]
    return (*mats, step)


def _failed_at_centre(kind, ev, pshape, xshape):
    shape = pshape if kind == "derivative" else pshape + xshape + (xshape if kind == "hessian" else ())
    nan = np.full(shape, np.nan)
    status = np.full(shape, int(Status.NONFINITE))
    msg = f"f could not be evaluated at x: {ev.first_error}"
    value = float(nan) if not shape else nan
    return Result(value, value, ev.nfev, value, "none", _as_status(status), msg, None, ev.ncalls)


def _trace(records, ev, X, xshape, fshape):
    out = []
    n = X.shape[1]
    def shaped(a):  # an (Fd,) row of values, or one NaN for "nothing yet", in f's shape
        a = np.asarray(a)
        a = a.reshape(fshape) if a.size == int(np.prod(fshape)) else np.full(fshape, np.nan)
        return a[()] if fshape == () else a

    for r in records:
        idx = [tuple(int(i) for i in np.unravel_index(a, xshape)) if a < n else "v" for a in r.axes]
        element = (idx[0] if xshape else ()) if len(r.axes) == 1 else tuple(idx)
        elem_x = tuple(X[r.base, a] + d if a < n else d for a, d in zip(r.axes, r.offsets))
        one = len(r.offsets) == 1
        out.append(TraceRecord(r.base, element, r.level, r.step,
                               _num(r.offsets[0]) if one else tuple(map(_num, r.offsets)),
                               _num(elem_x[0]) if one else tuple(map(_num, elem_x)),
                               shaped(r.fx), shaped(r.estimate), shaped(r.extrapolated),
                               shaped(r.error), r.checks))
    return Trace(out)


def _num(v):
    """A plain float, or a complex for the complex step's points x + i h."""
    return complex(v) if np.iscomplexobj(v) else float(v)


def _message(status, ev):
    status = np.asarray(status)
    total = status.size
    parts = []
    for code in sorted(set(status.reshape(-1).tolist()), reverse=True):
        st = Status(code)
        where = np.argwhere(status == code) if status.ndim else np.zeros((1, 0), int)
        count = len(where)
        if st is Status.OK:
            continue
        loc = "" if not status.ndim else " at " + ", ".join(
            str(tuple(int(i) for i in w)) for w in where[:3]) + (" ..." if count > 3 else "")
        detail = st.reason
        if st in (Status.NONFINITE, Status.NOT_ANALYTIC, Status.ONE_SIDED) and ev and ev.first_error:
            detail += f" (f raised {ev.first_error})"
        label = "" if total == 1 else f"{count} of {total}: "
        parts.append(f"{st.name.lower()}: {label}{detail}{loc}")
    if not parts:
        return "converged" if total == 1 else f"converged: all {total} values"
    return "; ".join(parts)
