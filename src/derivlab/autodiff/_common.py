"""The one algorithm behind both backends: points, per-point transforms under vmap, shapes.

JAX and ``torch.func`` offer the same function transforms (``vmap``, ``grad``, ``jacfwd``,
``jacrev``, ``hessian``, ``jvp``) with the same meaning, so the operations are written once
here against a small backend object (:mod:`._jax`, :mod:`._torch`) that supplies them, the
conversions to and from numpy, and the library's reading of formulas.

Every operation is computed per point under ``vmap``, also for a single point (a batch of
one): vmap refuses what would silently give a wrong derivative (``float(x)``, ``x.item()``,
``math.sin(x)``, numpy functions, Python ``if`` on x's values), so such an f raises a clear
error instead of returning zeros.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from .._errors import InputError, InputTypeError
from .._validate import check_bool, check_int

__all__ = ["differentiate", "LIBRARIES", "OPERATIONS"]

#: The libraries, with the name and the extra of each (for the message when one is missing).
LIBRARIES = {"jax": ("JAX", "derivlab[jax]"), "torch": ("PyTorch", "derivlab[torch]")}
OPERATIONS = ("derivative", "gradient", "jacobian", "hessian", "jvp", "hvp")
_SCALAR_ONLY = ("gradient", "hessian", "hvp")
_PROGRAMS: OrderedDict = OrderedDict()  # see _cached
_KEEP = 64


def differentiate(library, operation, f, x, *, formulas=None, vector=False, order=1, v=None,
                  batch=False, unpack=False, args=()):
    """Derivatives of ``f`` at ``x`` by automatic differentiation with JAX or PyTorch.

    Exact up to the floating-point rounding of f's own operations: no step, no truncation
    error. The shapes are those of derivlab's numeric entry points
    (:func:`derivlab.derivative`, :func:`~derivlab.gradient`, ...).

    Parameters
    ----------
    library : {"jax", "torch"}
        The library, imported now (``InputError`` naming the extra to install if missing).
    operation : {"derivative", "gradient", "jacobian", "hessian", "jvp", "hvp"}
        What to compute (value shapes below; ``xshape`` is x's shape, ``fshape`` f's
        output shape at one point):

        - ``"derivative"``: each element of x is an independent point and f maps a number
          to a number or an array; value ``x.shape + fshape``; any ``order`` >= 1.
        - ``"gradient"``: f(x) a scalar; value ``xshape``.
        - ``"jacobian"``: value ``fshape + xshape``.
        - ``"hessian"``: f(x) a scalar; value ``xshape + xshape``.
        - ``"jvp"``: ``J(x) @ v``, value ``fshape``.
        - ``"hvp"``: ``H(x) @ v`` of a scalar f, value ``xshape``.

        With ``batch=True`` (not for "derivative") ``x[k]`` are independent points and
        every value gains a first axis of length k: ``(k,) + fshape + xshape[1:]`` for a
        Jacobian, ``(k,) + xshape[1:] * 2`` for a Hessian, and so on.
    f : callable or None
        ``f(x, *args)`` (``f(*x, *args)`` with ``unpack=True``) written with
        ``jax.numpy`` or ``torch``; it is called on one point at a time, under ``vmap``.
        None when ``formulas`` is given.
    x : numpy.ndarray
        The point(s). float32 is computed in float32; anything else in float64.
    formulas : list of derivlab.Formula, optional
        Instead of f: formulas (read with ``sympy.lambdify`` into the library's
        functions). One formula is a scalar f; with ``vector=True`` the formulas are the
        components of a vector f (stacked on a last axis). For "derivative" a formula has
        at most one variable and x holds the points; otherwise x holds the variables along
        its last axis (``x[..., i]`` is variable i), or is the value of the only variable
        when a point is 0-d.
    vector : bool, optional
        The formulas are the components of a vector-valued f (even a single one).
    order : int, optional
        The order of "derivative" (1, 2, 3, ...); ignored by the other operations.
    v : numpy.ndarray, optional
        The direction of "jvp" and "hvp", of x's shape (with batch, one per point).
    batch : bool, optional
        ``x[k]`` are independent points, one result each.
    unpack : bool, optional
        f takes one argument per element of a 1-D point (a 2-D x with batch).
    args : tuple, optional
        Extra arguments for f (numpy arrays among them reach a torch f as tensors).

    Returns
    -------
    value : numpy.ndarray or float
        The derivative, in the shape above (a Python float when 0-d).
    fx : numpy.ndarray or float
        f at x: ``x.shape + fshape`` for "derivative", ``(k,) + fshape`` with batch,
        else ``fshape``.

    Raises
    ------
    InputError
        The library is not installed; f is not traceable by it (numpy or math functions,
        ``float(x)``, Python ``if`` on x's values); f is not scalar where a scalar is
        needed; f returns complex values or no array; invalid options. An exception raised
        by f for another reason propagates unchanged.

    Notes
    -----
    JAX computes a float64 x with 64-bit types enabled only for this call (the scoped
    ``jax.enable_x64`` where JAX has it, else ``jax_enable_x64`` is switched on globally).
    PyTorch computes on the CPU with ``torch.func``; its default dtype is set to x's dtype
    during the call, so tensors f creates (``torch.tensor(0.1)``) match x. The formulas of
    PyTorch are read with SymPy's torch printer (``lambdify(modules="torch")``) plus
    functions that also accept numbers (``log(10)`` in a formula) and ``gamma``.

    Examples
    --------
    >>> import numpy as np, derivlab
    >>> from derivlab.autodiff import differentiate
    >>> import jax.numpy as jnp
    >>> value, fx = differentiate("jax", "derivative", lambda t: 3 * t**3 - 5 * t + 4,
    ...                           np.array([0.0, 1.0, 2.0]))
    >>> value  # 9 x^2 - 5
    array([-5.,  4., 31.])
    >>> differentiate("jax", "gradient", lambda p: 2 * p[0] + 3 * p[0] * p[1] + p[1]**3,
    ...               np.array([1.0, 2.0]))[0]
    array([ 8., 15.])
    >>> hess, _ = differentiate("torch", "hessian", None, np.array([1.0, 0.0]),
    ...                         formulas=[derivlab.parse("x^2*y + exp(y)")])
    >>> hess
    array([[0., 2.],
           [2., 1.]])
    """
    name, extra = _check_library(library)
    if operation not in OPERATIONS:
        raise InputError(f"operation must be one of {', '.join(map(repr, OPERATIONS))}, "
                         f"got {operation!r}")
    batch, unpack = check_bool("batch", batch), check_bool("unpack", unpack)
    vector = check_bool("vector", vector)
    if operation == "derivative":
        order = check_int("order", order, 1)
        if batch or unpack:
            raise InputError("batch and unpack do not apply to derivative: each element of x "
                             "is already an independent point")
    if not isinstance(args, tuple):
        raise InputTypeError(f"args must be a tuple of extra arguments for f, got "
                             f"{type(args).__name__}")
    xa = np.asarray(x)
    dtype = np.float32 if xa.dtype == np.float32 else np.float64
    xa = np.array(xa, dtype=dtype)  # a copy: the user's array is never touched
    if xa.size == 0:
        raise InputError(f"x must not be empty, got shape {xa.shape}")
    va = _direction(operation, v, xa)
    if operation == "derivative":
        points, vpoints, pshape = xa.reshape(-1), None, xa.shape
    elif batch:
        if xa.ndim < 1:
            raise InputError(f"batch=True needs x with a first axis of points, got shape {xa.shape}")
        points, vpoints, pshape = xa, va, xa.shape[:1]
    else:
        points, vpoints, pshape = xa[None], None if va is None else va[None], ()
    pointshape = points.shape[1:]
    if unpack and len(pointshape) != 1:
        raise InputError("unpack=True needs x to be a 1-D vector of f's arguments "
                         f"(2-D with batch=True), got shape {xa.shape}")

    backend = _load(library, name, extra)
    if formulas is not None:
        if f is not None:
            raise InputError("give f or formulas, not both")
        g, key = _formula_function(backend, operation, formulas, vector, pointshape, unpack, args)
        key = (library, key, operation, order if operation == "derivative" else 1, pointshape)
    else:
        g, key = _user_function(backend, f, unpack, args), None
    with backend.context(dtype):
        inputs = [backend.array(points)] + ([] if vpoints is None else [backend.array(vpoints)])
        try:
            def make():  # f's output shape at one point, and the program computing everything
                shape, complex_ = backend.output_of(backend.vmap(g), inputs[0])
                fshape = tuple(shape[1:])
                _check_output(operation, fshape, complex_, batch)
                per_point = _operation(backend, operation, g, order, fshape, pointshape)

                def run(*inputs):  # f at the points, and the operation there
                    return backend.vmap(g)(inputs[0]), backend.vmap(per_point)(*inputs)
                return fshape, backend.compile(run)

            fshape, program = make() if key is None else _cached(key, make)
            fx, value = program(*inputs)
        except InputError:
            raise
        except Exception as exc:
            if not backend.untraceable(exc):
                raise
            first = (str(exc).strip().splitlines() or [""])[0]
            raise InputError(f"method={library!r} needs f written with {backend.written}, without "
                             f"Python if/float()/.item() on x's values; {name} said: "
                             f"{type(exc).__name__}: {first}") from exc
        # float32 in, float32 out (torch's forward mode can give float64 tangents of float32)
        value, fx = (backend.numpy(a).astype(dtype, copy=False) for a in (value, fx))
    rest = value.shape[1:]
    value = value.reshape(pshape + rest)
    fx = fx.reshape(pshape + fshape)
    return _plain(value), _plain(fx)


def _check_library(library):
    if not isinstance(library, str) or library not in LIBRARIES:
        raise InputError(f"library must be one of {', '.join(map(repr, LIBRARIES))}, got {library!r}")
    return LIBRARIES[library]


def _load(library, name, extra):
    """The backend object; an InputError naming the extra when the library cannot be imported."""
    if library == "jax":
        from . import _jax as module
    else:
        from . import _torch as module
    try:
        return module.load()
    except ImportError as exc:
        raise InputError(f"method={library!r} needs {name}: pip install '{extra}' "
                         f"(import failed: {exc})") from exc


def _direction(operation, v, xa):
    if operation not in ("jvp", "hvp"):
        if v is not None:
            raise InputError(f"v (a direction) applies to jvp and hvp only, not {operation}")
        return None
    if v is None:
        raise InputError(f"{operation} needs a direction v of x's shape {xa.shape}")
    va = np.array(v, dtype=xa.dtype)
    if va.shape != xa.shape:
        raise InputError(f"v must have x's shape {xa.shape}, got {va.shape}")
    return va


def _plain(a):
    """A 0-d result as a Python float; arrays as they are."""
    return float(a) if a.ndim == 0 else a


def _user_function(backend, f, unpack, args):
    if f is None:
        raise InputError("f is None: give a callable f, or formulas")
    if not callable(f):
        raise InputTypeError(f"f must be callable (a function of x), got {type(f).__name__}")
    args = backend.arguments(args)

    if unpack:
        def g(p):
            return backend.output(f(*[p[i] for i in range(p.shape[0])], *args), p)
    else:
        def g(p):
            return backend.output(f(p, *args), p)
    return g


def _formula_function(backend, operation, formulas, vector, pointshape, unpack, args):
    """The library's function of one point for the formulas (see ``differentiate``)."""
    from ..symbolic.formulas import Formula, _natural

    if isinstance(formulas, Formula):
        formulas = [formulas]
    formulas = list(formulas)
    if not formulas or not all(isinstance(p, Formula) for p in formulas):
        raise InputTypeError("formulas must be a non-empty list of derivlab.Formula (see derivlab.parse)")
    if args:
        raise InputError("args cannot be used with formulas: their variables are their only inputs")
    names = sorted({n for p in formulas for n in p.variables}, key=_natural)
    if any(p.variables != tuple(names) for p in formulas):  # shared variables, in one order
        formulas = [Formula(p.expr, names, text=p.text) for p in formulas]
    label = ", ".join(repr(p.text) for p in formulas)
    if operation == "derivative":
        if len(names) > 1:
            raise InputError(f"derivative needs a formula of one variable, but {label} has "
                             f"{len(names)} ({', '.join(names)}): use gradient")
        n = 0
    else:
        if not names:
            raise InputError(f"the formula {label} has no variables: {operation} needs at least one")
        if pointshape == () and len(names) == 1 and not unpack:
            n = 0  # a 0-d point is the one variable's value
        elif pointshape[-1:] == (len(names),):
            n = len(names)
        else:
            raise InputError(f"x must hold the formula's {len(names)} variable(s) "
                             f"({', '.join(names)}) along its last axis, got points of shape "
                             f"{pointshape} for {label}")
    fns = [backend.lambdify(p) for p in formulas]
    uses = bool(names)
    key = (tuple(formulas), vector, n, uses)

    def g(p):
        if n:
            cols, shape = [p[..., i] for i in range(n)], tuple(p.shape[:-1])
        else:
            cols, shape = ([p] if uses else []), tuple(p.shape)
        outs = [backend.broadcast(fn(*cols), shape, p) for fn in fns]
        return backend.stack(outs) if vector else outs[0]
    return g, key


def _cached(key, make):
    """``make()``, remembered for formulas: the same question at points of the same shape
    reuses the program (JAX then skips its compilation, about 0.1 s). Not for callables,
    which may read state that changes between calls."""
    if key in _PROGRAMS:
        _PROGRAMS.move_to_end(key)
        return _PROGRAMS[key]
    _PROGRAMS[key] = made = make()
    if len(_PROGRAMS) > _KEEP:
        _PROGRAMS.popitem(last=False)
    return made


def _check_output(operation, fshape, complex_, batch):
    if complex_:
        raise InputError("automatic differentiation here needs a real-valued f, but f returned "
                         "complex values")
    if operation in _SCALAR_ONLY and fshape != ():
        hint = (f"for one {operation} per point (rows of x) use batch=True; "
                if not batch and operation != "hvp" else "")
        raise InputError(f"{operation} needs f to return a scalar, but f returned shape {fshape}: "
                         f"{hint}for a vector-valued f use jacobian")


def _operation(backend, operation, g, order, fshape, pointshape):
    """The per-point function computing ``operation`` (of p, or of p and a direction vp)."""
    if operation == "derivative":
        d = g
        for _ in range(order):
            d = backend.jacfwd(d)  # of a 0-d point: fshape, order after order
        return d
    if operation == "gradient":
        return backend.grad(g)
    if operation == "jacobian":
        m, n = int(np.prod(fshape, dtype=int)), int(np.prod(pointshape, dtype=int))
        return backend.jacrev(g) if m < n else backend.jacfwd(g)
    if operation == "hessian":
        return backend.hessian(g)
    if operation == "jvp":
        return lambda p, vp: backend.jvp(g, (p,), (vp,))[1]
    grad = backend.grad(g)  # hvp: forward over reverse
    return lambda p, vp: backend.jvp(grad, (p,), (vp,))[1]
