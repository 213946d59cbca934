"""``derivlab.gradient_descent``: the seeds' next chapter, x_{k+1} = x_k - lr * grad f(x_k)."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from . import _validate as V
from ._errors import InputError, InputTypeError
from .api import gradient
from .methods import is_exact
from ._progress import Progress
from .result import Status
from .symbolic.adapter import as_callable, formulas_of
from ._validate import checked_options

__all__ = ["gradient_descent", "Descent"]

GROWTH = 1e12  #: diverged: |f - f(x0)| or ||x|| beyond GROWTH times its start (floored at 1)
STREAK = 10    #: diverged: f rose (by more than round-off) at each of this many steps in a row


@dataclass(frozen=True, eq=False)  # it holds arrays: == is identity
class Descent:
    """The outcome of :func:`gradient_descent`.

    Attributes
    ----------
    x : ndarray, float or dict
        The last iterate (``path[-1]``) in x0's shape and dtype; a dict for a mapping x0.
    path : ndarray
        Every iterate, x0 first: shape ``(nit + 1,) + x0.shape``.
    values, grad_norms : ndarray
        f and the 2-norm of the gradient (all its elements) at each iterate.
    status, message : str
        ``"converged"``, ``"max_steps"``, ``"stopped"``, ``"diverged"``, ``"nonfinite"`` or
        ``"gradient_failed"`` (see :func:`gradient_descent`, Notes); what happened, and why.
    nit, nfev, ngev : int
        Steps taken (``len(path) - 1``); points at which f was evaluated (the numeric
        gradient's included); gradient evaluations.
    grad_status : Status or None
        With ``"gradient_failed"``: the worst :class:`Status` of derivlab's gradient there.
    """

    x: object
    path: np.ndarray
    values: np.ndarray
    grad_norms: np.ndarray
    status: str
    message: str
    nit: int
    nfev: int
    ngev: int
    lr: float
    tol: float | None
    method: str
    variables: tuple | None = None
    grad_status: Status | None = None

    @property
    def success(self) -> bool:
        """True when nothing went wrong: converged, stopped by the callback, or all steps run
        without a tol; False when tol was given and not reached, or on trouble."""
        return self.status in ("converged", "stopped") or (self.status == "max_steps"
                                                           and self.tol is None)

    @property
    def fx(self) -> float:
        """f at the last iterate."""
        return float(self.values[-1])

    def _lines(self):
        last = np.asarray(self.path[-1], dtype=float)
        point = ", ".join(f"{n} = {v:.10g}" for n, v in zip(self.variables, last)) \
            if self.variables and last.shape == (len(self.variables),) else "x = " + (
                f"{float(last):.10g}" if last.ndim == 0 else
                np.array2string(last, precision=10, separator=", "))
        return [f"gradient descent: {self.status} after {self.nit} step(s) "
                f"(lr = {self.lr:g}, gradient: {self.method})", point,
                f"f = {self.fx:.10g}, |grad f| = {self.grad_norms[-1]:.2g}, nfev = {self.nfev}",
                self.message]

    def __str__(self):
        return "\n".join(self._lines())

    def __repr__(self):
        return str(self)

    def _repr_html_(self):
        head, point, numbers, message = (html.escape(t) for t in self._lines())
        return f"<p><b>{head}</b></p><p>{point}<br>{numbers}</p><p>{message}</p>"

    def to_dict(self):
        """Plain data (lists, floats, str), for JSON."""
        x = self.x if isinstance(self.x, dict) else np.asarray(self.x).tolist()
        return {"x": x, "path": self.path.tolist(), "values": self.values.tolist(),
                "grad_norms": self.grad_norms.tolist(), "status": self.status,
                "message": self.message, "success": self.success, "nit": self.nit,
                "nfev": self.nfev, "ngev": self.ngev, "lr": self.lr, "tol": self.tol,
                "method": self.method, "variables": list(self.variables or []) or None,
                "grad_status": None if self.grad_status is None else self.grad_status.name}


@checked_options
def gradient_descent(f, x0, *, lr=0.1, steps=100, grad=None, tol=None, method="central",
                     args=(), unpack=False, callback=None, progress=None, vectorized=None,
                     executor=None, workers=None) -> Descent:
    """Minimise f by gradient descent, ``x_{k+1} = x_k - lr * grad f(x_k)``, with a report.

    Parameters
    ----------
    f : callable, str, Formula or sympy.Expr
        ``f(x, *args)`` returning a scalar (``f(*x, *args)`` with ``unpack=True``), or a
        formula (``"(x-1)^2 + 3*(y+2)^2"``), as in :func:`derivlab.gradient`.
    x0 : array_like or mapping
        The start, of any shape (for a formula one value per variable, or a mapping
        ``{"x": 0, "y": 0}``). Never modified; iterates are float64 (float32 if x0 is).
    lr : float
        The learning rate (step size), > 0.
    steps : int
        At most this many steps (>= 0; 0 evaluates f and its gradient at x0 only).
    grad : callable, optional
        Your gradient, called like f and returning x's shape. Default: derivlab's
        :func:`~derivlab.gradient` of f with ``method`` at every iterate.
    tol : float, optional
        Stop (``"converged"``) at the first iterate where ``|grad f| <= tol`` (2-norm).
    method : str or Stencil
        For derivlab's gradient: ``"central"``, ``"complex"``, ``"symbolic"``, ``"jax"``,
        ``"torch"`` ... (with ``grad`` it must stay the default). ``"jax"`` on a callable
        compiles anew at every step (about 0.1 s each); a formula's program is reused.
    args, unpack
        As in :func:`derivlab.gradient` (passed to f and grad).
    callback : callable, optional
        ``callback(k, x, fx, g)`` at every healthy iterate (copies); returning True stops.
    progress : bool or None, optional
        A progress bar over the steps, as in :func:`derivlab.derivative` (None: on a
        terminal, once the run has taken a second).
    vectorized : bool or None, optional
        For derivlab's numeric gradient, as in :func:`derivlab.gradient`. None: True for a
        formula (a numpy function of arrays), else detected at each step (taken as False
        with an executor).
    executor : concurrent.futures.Executor or distributed.Client, optional
        Evaluate f in parallel there for the numeric gradient at every step, as in
        :func:`derivlab.gradient`. The run (path,
        values, gradients, ``nfev``, status) is the one of a serial run with the same
        ``vectorized``, bit for bit. A process pool needs a picklable f and args (defined at
        module level, or a formula). Not with ``grad=`` or an exact method. Your executor
        is not shut down.
    workers : int, optional
        Shortcut for ``executor``: one ``ProcessPoolExecutor(max_workers=workers)`` for the
        whole descent, shut down when it ends (on an error, an exception from f or the
        callback, or Ctrl-C too).

    Returns
    -------
    Descent
        ``x``, ``path``, ``values``, ``grad_norms``, ``status``, ``message``, ``nit``,
        ``nfev``, ``success``; print it for a report.

    Notes
    -----
    At each iterate f and its gradient are evaluated, then the first rule that applies ends
    the run: ``"nonfinite"`` (x, f or the gradient is NaN/inf: x left f's domain or
    overflowed); ``"gradient_failed"`` (derivlab's gradient failed there, a kink, noise or
    round-off: it stops, since there is no derivative to follow, and ``grad_status`` says
    why); ``"diverged"`` (f rose by more than round-off at each of the last 10 steps, or
    ``|f - f(x0)|`` or ``||x||`` passed 1e12 times ``max(|f(x0)|, 1)`` or
    ``max(||x0||, 1)``: lr too large, or f unbounded below); ``"converged"`` (``|grad f|
    <= tol``, or, where an element's status is ROUNDOFF, ``|grad f|`` within the norm of its
    error bars: stationary to f's precision, the usual end near a minimum; ROUNDOFF elements
    are used, not failed); ``"stopped"`` (callback returned True); ``"max_steps"`` (all
    steps taken).
    An exception raised by your f or grad propagates; inside derivlab's gradient, f
    raising counts as NaN.

    Examples
    --------
    >>> import derivlab
    >>> d = derivlab.gradient_descent("(x-1)^2 + 3*(y+2)^2", {"x": 0, "y": 0}, tol=1e-8)
    >>> d.status, d.success, d.nit  # |grad f| is about 2 * 0.8**k: 2 * 0.8**86 < 1e-8
    ('converged', True, 86)
    >>> print(d)
    gradient descent: converged after 86 step(s) (lr = 0.1, gradient: central, adaptive (Richardson))
    x = 0.9999999954, y = -2
    f = 2.1...e-17, |grad f| = 9.3e-09, nfev = ...
    converged: |grad f| = 9.3e-09 <= tol = 1e-08 at step 86
    >>> derivlab.gradient_descent(lambda v: 3 * v[0] ** 2, [1.0], lr=0.5).status
    'diverged'
    """
    formulas = formulas_of(f)
    if formulas is None:
        V.check_callable(f)
    fn, xr = as_callable(f, "gradient", x0, unpack=unpack, args=args)
    xa = V.check_x(xr, "x0")
    dtype = np.float32 if xa.dtype == np.float32 else np.float64
    x = xa.astype(dtype)
    lr = V.check_real("lr", lr)
    if not (np.isfinite(lr) and lr > 0):
        raise InputError(f"lr must be a positive, finite number (the step size), got {lr!r}")
    steps = V.check_int("steps", steps, 0)
    if tol is not None and not (V.check_real("tol", tol) >= 0 and np.isfinite(tol)):
        raise InputError(f"tol must be a non-negative, finite number (a gradient norm), got {tol!r}")
    for name, fun in (("grad", grad), ("callback", callback)):
        if fun is not None and not callable(fun):
            raise InputTypeError(f"{name} must be callable or None, got {type(fun).__name__}")
    if grad is not None and not (isinstance(method, str) and method == "central"):
        raise InputError(f"method={method!r} chooses derivlab's gradient, but grad= gives yours: "
                         "pass one of them")
    if grad is None and not is_exact(method):
        V.check_method(method, 1, None)
    unpack, args = V.check_bool("unpack", unpack), V.check_args(args)
    progress = V.check_bool("progress", progress, allow_none=True)
    vectorized = V.check_bool("vectorized", vectorized, allow_none=True)
    V.check_executor(executor, workers)
    parallel = "workers" if workers is not None else "executor" if executor is not None else None
    if parallel and (grad is not None or is_exact(method)):
        why = "grad= gives yours" if grad is not None else f"method={method!r} is exact"
        raise InputError(f"{parallel}= evaluates f for derivlab's finite-difference gradient, but "
                         f"{why}: leave {parallel} out")
    numeric = {} if grad is not None or is_exact(method) else {"vectorized": vectorized}
    names = formulas[0][0].variables if formulas is not None and not formulas[1] else None
    eps = np.finfo(dtype).eps
    path, values, norms, nfev, ngev, streak, label = [], [], [], 0, 0, 0, "yours (grad=)"
    bar = Progress(progress, steps, "gradient descent steps")
    try:  # (workers=N: one pool for the whole descent, always shut down)
        with V.evaluation_pool(executor, workers, f if numeric else None, args) as ex, \
                np.errstate(all="ignore"):
            if numeric:
                numeric["executor"] = ex
            for k in range(steps + 1):
                bar.update(k)
                path.append(x)
                if np.all(np.isfinite(x)):
                    fx, g, worst, floor, n, label = _evaluate(f, fn, grad, x, method, args, unpack,
                                                              numeric)
                    nfev, ngev = nfev + n, ngev + 1
                else:  # overflowed: f is not called at inf
                    fx, g, worst, floor = np.nan, np.full(x.shape, np.nan), int(Status.NONFINITE), 0
                gn = float(np.linalg.norm(np.asarray(g, dtype=np.float64)))
                values.append(fx)
                norms.append(gn)
                streak = streak + 1 if k and fx - values[-2] > 8 * eps * max(abs(fx), abs(
                    values[-2])) else 0
                if k == 0:
                    scales = max(abs(fx), 1.0), max(float(np.linalg.norm(x.astype(float))), 1.0)
                status, msg = _trouble(k, x, values, gn, worst, streak, scales, lr)
                if status:
                    break
                stop = bool(callback(k, x.copy(), fx, np.array(g))) if callback else False
                if tol is not None and gn <= tol:
                    status, msg = "converged", f"converged: |grad f| = {gn:.2g} <= tol = {tol:g} at step {k}"
                    break
                if gn <= floor:
                    status, msg = "converged", (f"converged: |grad f| = {gn:.2g} is within its error "
                                                f"bar {floor:.2g} at step {k} (round-off in f): x is "
                                                "stationary as far as f's precision can tell")
                    break
                if stop:
                    status, msg = "stopped", f"stopped by the callback at step {k}"
                    break
                if k == steps:
                    status = "max_steps"
                    msg = f"ran all {steps} steps; |grad f| = {gn:.2g}" + (
                        "" if tol is None else f" > tol = {tol:g} (more steps, or a larger lr?)")
                    best = int(np.argmin(values))
                    if fx > values[best] + 8 * eps * abs(values[best]):
                        msg += (f"; f was smallest at step {best}, not at the end (oscillating? "
                                "a smaller lr may help)")
                    break
                x = (x - lr * np.asarray(g, dtype=dtype)).astype(dtype)
    finally:
        bar.close()
    p = np.stack(path)
    xout = {n: float(v) for n, v in zip(names, p[-1])} if names and isinstance(x0, Mapping) \
        else p[-1][()] if p.ndim == 1 else p[-1].copy()
    return Descent(xout, p, np.array(values, dtype=float), np.array(norms, dtype=float), status,
                   msg, len(path) - 1, nfev, ngev, lr, None if tol is None else float(tol), label, names,
                   Status(worst) if status == "gradient_failed" else None)


def _evaluate(f, fn, grad, x, method, args, unpack, numeric):
    """f(x), the gradient, its worst status code but ROUNDOFF, the norm of its error bars where
    some element is ROUNDOFF (else 0), points f was evaluated at, the method."""
    if grad is None:
        res = gradient(f, x, method=method, args=args, unpack=unpack, progress=False, **numeric)
        codes = [int(c) for c in np.asarray(res.status).ravel().tolist()]
        err = np.asarray(res.error, dtype=float)
        floor = float(np.linalg.norm(np.where(np.isnan(err), 0.0, err))) \
            if Status.ROUNDOFF in codes else 0.0  # an infinite bar: ROUNDOFF is a failure
        worst = min([c for c in codes if c != Status.ROUNDOFF or floor == np.inf] + [0])
        return _float(res.fx), np.asarray(res.value), worst, floor, res.nfev, res.method
    call = (lambda h: h(*x, *args)) if unpack else (lambda h: h(x, *args))
    g = V._to_array(call(grad), "grad(x)")
    if g.shape != x.shape:
        raise InputError(f"grad must return x's shape {x.shape}, got shape {g.shape}")
    return _float(call(fn)), g, 0, 0.0, 1, "yours (grad=)"


def _trouble(k, x, values, gn, worst, streak, scales, lr):
    """(status, message) when this iterate ends the run for trouble, else (None, None)."""
    fx, (f0, x0n), a = values[-1], scales, np.asarray(x, dtype=float)
    hint = f"lr = {lr:g} too large? try a smaller lr"
    if not (np.isfinite(fx) and np.isfinite(gn)) or worst == Status.NONFINITE:
        what = "x" if not np.all(np.isfinite(a)) else "f" if not np.isfinite(fx) else "the gradient"
        status, head, why = "nonfinite", f"{what} is NaN/inf", ("x left f's domain, or the "
                                                               f"iteration blew up ({hint})")
    elif worst < 0:
        st = Status(worst)
        status, head, why = "gradient_failed", "derivlab's gradient failed", (
            f"{st.name.lower()}: {st.reason}; stopped, there is no derivative to follow")
    elif values[0] - fx > GROWTH * f0:
        status, head, why = "diverged", "diverged", (f"f fell past -1e12 times its start (f = "
                                                     f"{fx:.3g}): is f unbounded below?")
    elif streak >= STREAK or fx - values[0] > GROWTH * f0 or np.linalg.norm(a) > GROWTH * x0n:
        status, head = "diverged", "diverged"
        why = (f"f rose at each of the last {STREAK} steps" if streak >= STREAK else
               "f grew past 1e12 times its start" if fx - values[0] > GROWTH * f0 else
               "|x| grew past 1e12 times its start") + f" (f = {fx:.3g}): {hint}"
    else:
        return None, None
    text = f"{float(a):.6g}" if a.ndim == 0 else np.array2string(a, precision=6, separator=", ")
    return status, f"{head} at step {k} (x = {text if len(text) < 80 else text[:77] + '...'}): {why}"


def _float(v):
    """f's value as a float (NaN when it returned none); a non-scalar is an InputError."""
    if v is None:
        return np.nan
    try:
        a = np.asarray(v)
    except (TypeError, ValueError, RuntimeError):  # a tensor needing .detach()
        return float(v)
    if a.size != 1:
        raise InputError(f"f must return a scalar, but returned shape {a.shape}")
    return float(a.reshape(()))
