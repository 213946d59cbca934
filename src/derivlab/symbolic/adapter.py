"""Every numeric entry point accepts a formula: the one door through which formulas enter.

:func:`as_callable` turns a formula (text, :class:`~derivlab.Formula`, SymPy expression, or a
list of them) into the vectorized numpy function the engine calls, and points given as
mappings ``{"x": 1, "y": 2}`` into arrays in the formula's variable order.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .._errors import InputError
from .formulas import Formula, _natural, _sympy_expr, parse

__all__ = ["as_callable", "formulas_of"]


def as_callable(f, kind, *points, unpack=False, batch=False, args=()):
    """``f`` as the callable the engine evaluates, and ``points`` in the formula's variables.

    The one door through which formulas enter the numeric entry points: a callable ``f``
    (other than a Formula) comes back untouched with its points. A formula (text, Formula,
    SymPy expression, or a list of them for a vector-valued f) becomes a vectorized numpy
    function, and each point given as a mapping ``{"x": 1, "y": 2}`` becomes an array in
    the order of the formula's variables.

    Parameters
    ----------
    f : callable, str, Formula, sympy.Expr, or list of those formulas
    kind : str
        The operation: ``"derivative"`` (a formula of at most one variable, x numbers or an
        array of them) or ``"gradient"``, ``"jacobian"``, ``"hessian"``, ``"jvp"``,
        ``"hvp"`` (x holds one value per variable along its last axis).
    *points : the point x (and the direction v of jvp and hvp)
    unpack, batch, args
        The entry point's options of the same names.

    Returns
    -------
    tuple
        ``(callable, *points)``.

    Examples
    --------
    >>> import numpy as np
    >>> from derivlab.symbolic import as_callable
    >>> g, x = as_callable("x*y^2", "gradient", {"y": 3, "x": 2})
    >>> x, float(g(x))
    (array([2, 3]), 18.0)
    >>> g(np.array([[2.0, 3.0], [1.0, 1.0]]))  # a batch of points: one value each
    array([18.,  1.])
    """
    formulas = _formulas_of(f)
    if formulas is None:
        return (f, *points)
    vector = isinstance(f, (list, tuple))
    names = formulas[0].variables
    label = _label(f, formulas)
    if args:
        raise InputError(f"args cannot be used with a formula ({label}): its variables are "
                         "its only inputs")
    if kind == "derivative":
        if len(names) > 1:
            raise InputError(f"derivative needs a formula of one variable, but {label} has "
                             f"{len(names)} ({', '.join(names)}): use gradient (x: one value "
                             "per variable, or a mapping such as {'x': 1.0, 'y': 2.0})")
        pts = [_mapped(p, names, label, pname, stack=False) for p, pname in zip(points, "xv")]
        return (_Numeric(formulas, vector, 0, False), *pts)
    if not names:
        raise InputError(f"the formula {label} has no variables: {kind} needs at least one")
    pts = [_mapped(p, names, label, pname) for p, pname in zip(points, "xv")]
    try:
        shape = np.shape(pts[0])
    except (TypeError, ValueError):
        return (_Numeric(formulas, vector, len(names), unpack), *pts)  # x: checked later
    one = shape[1:] if batch and shape else shape
    if one != (len(names),) and not (one == () and len(names) == 1 and not unpack):
        rows = " (per row, with batch=True)" if batch else ""
        raise InputError(f"x must hold the formula's {len(names)} variable(s) "
                         f"({', '.join(names)}) along its last axis{rows}, or be a mapping "
                         f"such as {{{', '.join(repr(n) + ': 1.0' for n in names[:3])}}}; got "
                         f"shape {shape} for {label}")
    return (_Numeric(formulas, vector, len(names) if one else 0, unpack), *pts)


def formulas_of(f):
    """``(formulas, vector)`` for a formula (or a list of them: ``vector``), None for a callable."""
    formulas = _formulas_of(f)
    return None if formulas is None else (formulas, isinstance(f, (list, tuple)))


def _formulas_of(f):
    """The formulas in f (one, or a list sharing their variables), or None for a callable."""
    if isinstance(f, (str, Formula)) or _sympy_expr(f):
        return [parse(f)]
    if isinstance(f, (list, tuple)) and f and all(
            isinstance(g, (str, Formula)) or _sympy_expr(g) for g in f):
        parts = [parse(g) for g in f]
        names = sorted({n for p in parts for n in p.variables}, key=_natural)
        return [Formula(p.expr, names, text=p.text) for p in parts]
    return None


def _label(f, formulas):
    text = ", ".join(repr(p.text) for p in formulas)
    text = text if len(text) <= 60 else text[:57] + "..."
    return f"[{text}]" if isinstance(f, (list, tuple)) else text


def _mapped(point, names, label, pname, stack=True):
    """A mapping point as an array in variable order (values stacked on the last axis), or
    (not ``stack``) the one variable's value."""
    if not isinstance(point, Mapping):
        return point
    given = {k if isinstance(k, str) else getattr(k, "name", str(k)): v for k, v in point.items()}
    missing = [n for n in names if n not in given]
    extra = sorted(set(given) - set(names), key=_natural)
    if missing or extra:
        parts = ([f"misses {', '.join(map(repr, missing))}"] if missing else []) + \
            ([f"has {', '.join(map(repr, extra))}, not a variable"] if extra else [])
        raise InputError(f"{pname} {' and '.join(parts)} of the formula {label} (its variables: "
                         f"{', '.join(names) or 'none'})")
    if not names:
        raise InputError(f"the formula {label} has no variables: give {pname} as a number or "
                         "an array")
    if not stack:
        return given[names[0]]
    values = [np.asarray(given[n]) for n in names]
    try:
        return np.stack(np.broadcast_arrays(*values), axis=-1)
    except ValueError:
        raise InputError(f"the values of {pname} must broadcast to one shape, got shapes "
                         f"{[v.shape for v in values]}") from None


class _Numeric:
    """The numpy function ``as_callable`` returns: f(*values) with ``unpack``; f(v) with the
    n variables along v's last axis; or (n == 0) f(t), t the one variable's value (unused by
    a constant). A list of formulas stacks its values on a last axis."""

    def __init__(self, formulas, vector, n, unpack):
        self.formulas, self.vector, self.n, self.unpack = formulas, vector, n, unpack

    def __repr__(self):
        return f"<numpy function of {', '.join(repr(p.text) for p in self.formulas)}>"

    def __call__(self, *values):
        if self.unpack:
            cols = values
            shape = np.broadcast_shapes(*(np.shape(c) for c in values))
        elif self.n:
            v = np.asarray(values[0])
            cols, shape = [v[..., i] for i in range(self.n)], v.shape[:-1]
        else:
            cols = values if self.formulas[0].variables else ()
            shape = np.shape(values[0])
        outs = [np.broadcast_to(p._evaluate(*cols), shape) for p in self.formulas]
        return np.stack(outs, axis=-1) if self.vector else np.array(outs[0])
