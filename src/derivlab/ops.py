"""Products with a direction: Jacobian-vector (jvp) and Hessian-vector (hvp), for large x."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from . import _validate as V
from ._errors import InputError
from ._namespace import calls_with, namespace_of, to_numpy
from .api import _differentiate
from .result import Trace
from .steps import direction_scale
from .methods import is_exact, run_exact
from .symbolic.adapter import as_callable
from ._validate import checked_options

__all__ = ["jvp", "hvp"]


def _direction(x, v):
    xa, va = V.check_x(to_numpy(x)), V.check_x(to_numpy(v), "v")
    if va.shape != xa.shape:
        raise InputError(f"v must have x's shape {xa.shape}, got {va.shape}")
    return xa, va


@checked_options
def jvp(f, x, v, *, method="central", step=None, rtol=None, vectorized=None, args=(),
        trace=False, progress=None, executor=None, workers=None):
    """Directional derivative ``d/dt f(x + t v)`` at t = 0, i.e. ``J(x) @ v``.

    One derivative along a line, whatever the size of x: about 10 evaluations
    instead of the ~10 n of a full Jacobian.

    Parameters
    ----------
    f : callable, str, Formula, sympy.Expr or list of formulas
        ``f(x, *args)``, array-valued or scalar; or a formula (a list of them for
        a vector-valued f) of the variables along x's last axis.
    x, v : array_like
        The point and the direction (same shape); for a formula also mappings
        ``{"x": ..., "y": ...}``.
    method, step, rtol, vectorized, args, trace, progress
        As in :func:`derivlab.derivative`; ``step`` is in units of t.
    executor, workers
        Parallel evaluation of f, as in :func:`derivlab.derivative`.

    Returns
    -------
    Result
        ``value.shape == f(x).shape``.

    Examples
    --------
    >>> import numpy as np, derivlab
    >>> f = lambda x: np.array([x[0] * x[1], x[1] ** 2])
    >>> np.round(derivlab.jvp(f, [1.0, 2.0], [1.0, 0.0]).value, 12)
    array([2., 0.])
    >>> np.round(derivlab.jvp(["x*y", "y^2"], [1.0, 2.0], {"x": 1, "y": 0}).value, 12)
    array([2., 0.])
    """
    if is_exact(method):
        return run_exact(method, "jvp", f, x, v=v, args=args, step=step, rtol=rtol,
                         vectorized=vectorized, trace=trace, executor=executor, workers=workers)
    f, x, v = as_callable(f, "jvp", x, v, args=args)
    V.check_callable(f)
    ns = namespace_of(x)  # x of another array library: f gets points of it, on x's device
    xa, va = _direction(x, v)
    args = V.check_args(args)
    c = direction_scale(xa, va)
    calls = calls_with(ns, f)
    if calls is not None and isinstance(method, str) and method == "complex":
        calls.check_complex(xa.dtype)
    line = _Line(f, xa, c * va, args, calls)
    if step is not None:
        if np.ndim(step) != 0:
            raise InputError(f"step must be a single positive number (a step along v), got {step!r}")
        step = float(V.check_step(step, ())) / c
    res = _differentiate("derivative", line, 0.0, order=1, method=method, accuracy=None,
                         step=step, adaptive=True, domain=None, rtol=rtol, vectorized=vectorized,
                         args=(), trace=trace, operation="jvp", progress=progress,
                         executor=executor, workers=workers)
    res = _in_user_units(res, c, xa)
    return res if ns is None else ns.result(res)


class _Line:
    """t -> f(x + t w): t may be a batch of steps, or complex (method="complex"). A class,
    not a closure, so that it pickles (to a process pool's workers) when f does."""

    def __init__(self, f, x, w, args, calls=None):
        self.f, self.x, self.w, self.args, self.calls = f, x, w, args, calls

    def __call__(self, t):
        t = np.asarray(t)
        points = self.x + np.multiply.outer(t, self.w).astype(np.result_type(self.x, t))
        if self.calls is None:
            return self.f(points, *self.args)
        return to_numpy(self.f(self.calls.asarray(points), *self.args))


def _in_user_units(res, c, xa):
    """A new Result for ``f(x + s v)``: the internal one is in t = s / c, d/ds = d/dt / c."""
    def per(a):  # a derivative: divided by c
        return a / c if np.ndim(a) else float(a) / c

    trc = None
    if res.trace is not None:
        trc = Trace([replace(r, step=r.step * c, offset=r.offset * c, x=r.x * c,
                             estimate=per(r.estimate), extrapolated=per(r.extrapolated),
                             error=per(r.error)) for r in res.trace])
    return replace(res, value=per(res.value), error=per(res.error), step=float(res.step) * c,
                   trace=trc, x=xa.copy())


@checked_options
def hvp(f, x, v, *, method="central", step=None, adaptive=True, rtol=None, vectorized=None,
        args=(), trace=False, progress=None, executor=None, workers=None):
    """Hessian-vector product ``H(x) @ v`` of a scalar f, without forming H.

    Entry i is the mixed second derivative along ``e_i`` and ``v``; a level of
    the adaptive ladder costs about 4n evaluations (a Hessian costs n**2).

    Parameters
    ----------
    f, x, v
        As in :func:`jvp` (f scalar).
    method : {"central", "symbolic", "jax", "torch"}, optional
        Finite differences (default), or as in :func:`derivlab.derivative`.
    step, adaptive, rtol, vectorized, args, trace, progress, executor, workers
        As in :func:`derivlab.derivative`.

    Examples
    --------
    >>> import numpy as np, derivlab
    >>> f = lambda x: x[0] ** 2 * x[1] + x[1] ** 3
    >>> np.allclose(derivlab.hvp(f, [1.0, 2.0], [1.0, 1.0]).value, [4 + 2, 2 + 12])
    True
    >>> np.allclose(derivlab.hvp("x^2*y + y^3", [1.0, 2.0], [1.0, 1.0]).value, [6, 14])
    True
    """
    if is_exact(method):
        return run_exact(method, "hvp", f, x, v=v, args=args, step=step, adaptive=adaptive,
                         rtol=rtol, vectorized=vectorized, trace=trace, executor=executor,
                         workers=workers)
    if not (isinstance(method, str) and method == "central"):
        raise InputError(f"hvp's method must be 'central' (finite differences), 'symbolic', "
                         f"'jax' or 'torch', got {method!r}")
    f, x, v = as_callable(f, "hvp", x, v, args=args)
    xa, va = _direction(x, v)
    point = x if namespace_of(x) else xa  # x of another array library: kept, for f's points
    return _differentiate("hvp", f, point, order=2, method="central", accuracy=None, step=step,
                          adaptive=adaptive, domain=None, vectorized=vectorized, args=args,
                          trace=trace, rtol=rtol, v=va, progress=progress, executor=executor,
                          workers=workers)
