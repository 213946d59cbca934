"""The methods beside finite differences, behind the same entry points and the same Result.

``method="symbolic"`` differentiates with SymPy (a formula, or an f written with arithmetic
and SymPy functions) and evaluates the exact derivative to full precision; ``"jax"`` and
``"torch"`` differentiate f automatically (an f written with ``jax.numpy`` or ``torch``, or
a formula turned into one). Each is one function with the signature of
:func:`derivlab.symbolic.backend.differentiate` / :func:`derivlab.autodiff.differentiate`;
this module validates once, calls it, and returns a :class:`~derivlab.Result`.

An x of another array library (a torch or JAX array, ...) is read into numpy first; the
backends compute on the CPU (``"torch"``: CPU tensors of x's dtype, whatever x's device),
and the Result's value, error, x and fx are then arrays of x's library on x's device.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _validate as V
from ._errors import InputError
from ._namespace import namespace_of, to_numpy
from .result import Result, Status, _as_status
from .symbolic.adapter import as_callable, formulas_of

__all__ = ["EXACT", "is_exact", "run_exact"]

#: Methods that do not take finite differences.
EXACT = ("symbolic", "jax", "torch")

#: Options that only finite differences use, with their defaults.
_NUMERIC_ONLY = {"accuracy": None, "step": None, "adaptive": True, "domain": None, "rtol": None,
                 "vectorized": None, "trace": False, "executor": None, "workers": None}


def is_exact(method) -> bool:
    return isinstance(method, str) and method in EXACT


@dataclass(frozen=True)
class Request:
    """One validated call: what to differentiate, where, and how."""

    method: str
    operation: str
    f: object            # the user's callable, or None for formulas
    formulas: list | None
    vector: bool
    x: np.ndarray
    v: np.ndarray | None
    order: int
    batch: bool
    unpack: bool
    args: tuple


def run_exact(method, operation, f, x, *, v=None, order=1, batch=False, unpack=False, args=(),
              **options):
    """Validate, differentiate with ``method`` (one of :data:`EXACT`), return a Result."""
    ns = namespace_of(x)  # x of another array library: the Result's arrays are of it
    x, v = to_numpy(x), to_numpy(v)
    req = _request(method, operation, f, x, v, order, batch, unpack, args, options)
    res = _result(req, *BACKENDS[method](req))
    return res if ns is None else ns.result(res)


def _symbolic(req):
    """SymPy: (value, error, status, fx, label, expression)."""
    from .symbolic.backend import differentiate, expressions_of

    formulas, vector = (req.formulas, req.vector) if req.formulas is not None else \
        expressions_of(req.f, req.operation, req.x, unpack=req.unpack, batch=req.batch,
                       args=req.args)
    value, error, status, fx, expression = differentiate(
        req.operation, formulas, vector, req.x, order=req.order, v=req.v, batch=req.batch)
    return value, error, status, fx, "symbolic (SymPy)", expression


def _autodiff(req):
    """JAX or PyTorch: (value, error, status, fx, label, None); autodiff measures no error."""
    from .autodiff import differentiate

    value, fx = differentiate(req.method, req.operation, req.f, req.x, formulas=req.formulas,
                              vector=req.vector, order=req.order, v=req.v, batch=req.batch,
                              unpack=req.unpack, args=req.args)
    value = np.asarray(value)
    status = np.where(np.isfinite(value), int(Status.OK), int(Status.NONFINITE))
    return (value, np.full(value.shape, np.nan), status, fx,
            f"{req.method} (automatic differentiation)", None)


#: The methods beside finite differences: each takes a Request and returns
#: ``(value, error, status, fx, label, expression)`` in the entry point's shapes.
BACKENDS = {"symbolic": _symbolic, "jax": _autodiff, "torch": _autodiff}


def _request(method, operation, f, x, v, order, batch, unpack, args, options):
    for name, value in options.items():
        if not _is_default(value, _NUMERIC_ONLY[name]):
            raise InputError(f"{name}={value!r} applies to finite differences; method="
                             f"{method!r} has no {'trace' if name == 'trace' else name} "
                             "(leave it out, or use a finite-difference method)")
    order = V.check_int("order", order, 1)
    batch, unpack = V.check_bool("batch", batch), V.check_bool("unpack", unpack)
    args = V.check_args(args)
    formulas = formulas_of(f)
    points = (x,) if v is None else (x, v)
    if formulas is not None:
        _, *points = as_callable(f, operation, *points, unpack=unpack, batch=batch, args=args)
        formulas, vector = formulas
    else:
        V.check_callable(f)
        vector = False
    xa = V.check_x(points[0])
    va = None if v is None else V.check_x(points[1], "v")
    if va is not None and va.shape != xa.shape:
        raise InputError(f"v must have x's shape {xa.shape}, got {va.shape}")
    if batch and (xa.ndim < 1 or xa.shape[0] == 0):
        raise InputError(f"batch=True needs x with a first axis of points, got shape {xa.shape}")
    if unpack and xa.ndim != 1 + batch:
        raise InputError("unpack=True needs x to be a 1-D vector of f's arguments "
                         f"(2-D with batch=True), got shape {xa.shape}")
    return Request(method, operation, None if formulas is not None else f, formulas, vector,
                   xa, va, order, batch, unpack, args)


def _is_default(value, default):
    return value is default or (default is not None and not isinstance(value, np.ndarray)
                                and value == default)


def _result(req, value, error, status, fx, label, expression):
    """The Result of a backend's arrays."""
    from .api import _message

    value, error = np.asarray(value), np.asarray(error)
    if value.dtype.kind not in "fc":
        value = value.astype(np.float64)
    status = np.asarray(status, dtype=int)
    shape = value.shape
    # f was evaluated once per point
    npts = req.x.size if req.operation == "derivative" else req.x.shape[0] if req.batch else 1
    step = np.full(shape, np.nan)
    msg = _message(status, None)
    if msg.startswith("converged"):
        msg = msg.replace("converged", "exact derivative evaluated to full precision" if
                          req.method == "symbolic" else f"automatic differentiation ({req.method}: "
                          "exact for f's operations as written, no error estimate; a "
                          "subgradient where f has a kink)", 1)
    if shape == ():
        value, error, step = value.item(), float(error), float(step)
    fx = np.asarray(fx)
    return Result(value, error, npts, step, label, _as_status(status), msg, None, 1,
                  req.x[()] if req.x.ndim == 0 else req.x.copy(), fx.item() if fx.ndim == 0 else fx,
                  req.operation, expression)
