"""Formulas as text: ``parse("x^2 + y^2")`` gives a :class:`Formula` (SymPy inside, numpy out).

SymPy is imported when a formula is first parsed, never by ``import derivlab``. How the text
is read safely, and the limits on its size, are described in :func:`parse`.
"""

from __future__ import annotations

import math
import re
import sys
from functools import lru_cache

import numpy as np

from .._errors import InputError, InputTypeError
from . import _build, _text

__all__ = ["Formula", "parse"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _natural(name):
    """Sort key: by name, runs of digits by value (x2 before x10)."""
    parts = re.split(r"(\d+)", name)
    return [int(p) if i % 2 else p for i, p in enumerate(parts)], name


def _sympy_expr(obj):
    sp = sys.modules.get("sympy")  # a SymPy object exists only if SymPy is loaded
    return sp is not None and isinstance(obj, sp.Basic)


class Formula:
    """A formula: its text, its SymPy expression over real symbols, and a numpy function.

    Made by :func:`parse`; ``Formula(expr)`` wraps a SymPy expression directly.

    Parameters
    ----------
    expr : sympy.Expr
        The expression; its symbols are replaced by real symbols of the same names.
    variables : sequence of str, optional
        The variables in order (the order of the function's arguments). Default: the
        expression's symbol names, sorted by name with digit runs by value (``x, y, z``;
        ``x2`` before ``x10``). May name variables the expression does not contain.
    text : str, optional
        The text it was read from (default: SymPy's printing of ``expr``).

    Attributes
    ----------
    text : str
    expr : sympy.Expr
    variables : tuple of str
    symbols : tuple of sympy.Symbol
        The real symbols of ``variables``, in that order.

    Examples
    --------
    >>> import derivlab
    >>> f = derivlab.parse("2*x + 3*x*y + y^3")
    >>> f.variables
    ('x', 'y')
    >>> print(f)
    3*x*y + 2*x + y**3
    >>> float(f(1, 2))
    16.0
    >>> f(x=[1, 2], y=2)
    array([16., 24.])
    >>> print(f.diff("y"))
    3*x + 3*y**2
    >>> f.latex
    '3 x y + 2 x + y^{3}'
    """

    __slots__ = ("text", "expr", "variables", "symbols", "_fn")

    def __init__(self, expr, variables=None, *, text=None):
        import sympy as sp

        if not isinstance(expr, sp.Expr):
            raise InputTypeError("a formula is a SymPy expression (sympy.Expr), got "
                                 f"{type(expr).__name__}")
        undefined = expr.atoms(sp.core.function.AppliedUndef)
        if undefined:
            raise InputError(f"formula has undefined functions ({', '.join(map(str, undefined))}): "
                             "they cannot be evaluated")
        free = {s.name: s for s in expr.free_symbols}
        names = sorted(free, key=_natural) if variables is None else _check_names(variables, free)
        symbols = tuple(sp.Symbol(n, real=True) for n in names)
        real = dict(zip(names, symbols))
        init = object.__setattr__  # a Formula is immutable (parse caches them)
        init(self, "expr", expr.xreplace({s: real[n] for n, s in free.items() if s != real[n]}))
        init(self, "variables", tuple(names))
        init(self, "symbols", symbols)
        init(self, "text", sp.sstr(self.expr) if text is None else text)
        init(self, "_fn", None)

    def __setattr__(self, name, value):
        raise AttributeError(f"a Formula cannot be changed (setting {name!r}); make a new one")

    def __reduce__(self):  # pickled without its numpy function (made again when first used)
        return _rebuild, (self.expr, self.variables, self.text)

    # -- reading ---------------------------------------------------------------------------
    def __str__(self):
        return str(self.expr)

    def __repr__(self):
        return f"Formula({self.text!r}, variables={self.variables!r})"

    @property
    def latex(self):
        """The expression in LaTeX (``sympy.latex``)."""
        import sympy as sp

        return sp.latex(self.expr)

    def _repr_latex_(self):
        return f"$\\displaystyle {self.latex}$"

    def __eq__(self, other):
        return (isinstance(other, Formula) and self.variables == other.variables
                and self.expr == other.expr)

    def __hash__(self):
        return hash((self.expr, self.variables))

    # -- evaluating ------------------------------------------------------------------------
    def __call__(self, *values, **named):
        """The formula's value at ``values`` (in :attr:`variables` order, or by name).

        Numbers and arrays broadcast together as in numpy, and the result has their
        broadcast shape even where the formula is constant in them. Integers are computed as
        float64; float32 and complex inputs are kept.
        """
        if named:
            values = _bind(self, values, named)
        if len(values) != len(self.variables):
            raise InputError(f"the formula {self.text!r} takes {len(self.variables)} value(s) "
                             f"({', '.join(self.variables) or 'none'}), got {len(values)}")
        return self._evaluate(*values)

    def _evaluate(self, *values):
        arrays = [_as_input(v) for v in values]
        if self._fn is None:
            object.__setattr__(self, "_fn", _lambdify(self.expr, self.symbols))
        out = np.asarray(self._fn(*arrays))
        shape = np.broadcast_shapes(out.shape, *(a.shape for a in arrays))
        if out.dtype.kind not in "fc":
            target = np.result_type(*(a.dtype for a in arrays), np.float16) if arrays else float
            out = out.astype(target)
        if out.shape != shape:
            out = np.broadcast_to(out, shape).copy()
        return out[()] if out.ndim == 0 else out

    # -- differentiating -------------------------------------------------------------------
    def diff(self, var=None, order=1):
        """The derivative of order ``order`` along ``var``, as a new Formula.

        Parameters
        ----------
        var : str or sequence of str, optional
            The variable (may be omitted for a formula of one variable), or several for a
            mixed derivative (``("x", "y")``: d/dy d/dx).
        order : int, optional
            How many times (each variable of a sequence, ``order`` times).

        Returns
        -------
        Formula
            With the same variables, so it evaluates on the same points (a constant
            derivative still returns an array of the inputs' shape).

        Examples
        --------
        >>> import derivlab
        >>> d = derivlab.parse("3*x**3 - 5*x + 4").diff()
        >>> print(d)
        9*x**2 - 5
        >>> float(d(2.0))
        31.0
        >>> derivlab.parse("3*x").diff()([1.0, 2.0, 3.0])
        array([3., 3., 3.])
        >>> print(derivlab.parse("x^2*y").diff(("x", "y")))
        2*x
        """
        import sympy as sp

        from .._validate import check_int

        order = check_int("order", order, 1)
        names = [var] if var is None or isinstance(var, str) else list(var)
        if names == [None]:
            if len(self.variables) != 1:
                raise InputError(f"the formula {self.text!r} has {len(self.variables)} variables "
                                 f"({', '.join(self.variables) or 'none'}): name the one to "
                                 "differentiate along, as in .diff('x')")
            names = [self.variables[0]]
        wrt = []
        for n in names:
            if n not in self.variables:
                raise InputError(f"{n!r} is not a variable of the formula {self.text!r} (its "
                                 f"variables: {', '.join(self.variables) or 'none'})")
            wrt += [self.symbols[self.variables.index(n)], order]
        return Formula(sp.diff(self.expr, *wrt), self.variables)


def _check_names(variables, free):
    if isinstance(variables, str):
        variables = variables.replace(",", " ").split()
    names = list(variables)
    for n in names:
        if not isinstance(n, str) or not _IDENTIFIER.match(n) or n.startswith("__") \
                or n in _text.FUNCTIONS or n in _text.CONSTANTS or n in _text.RESERVED \
                or n in _text.UNSUPPORTED:
            raise InputError(f"variables must be names such as 'x' or 'x1' (not functions, "
                             f"constants or names starting with '__'), got {n!r}")
    if len(set(names)) != len(names):
        raise InputError(f"variables must not repeat a name, got {names}")
    missing = sorted(set(free) - set(names), key=_natural)
    if missing:
        raise InputError(f"variables {names} miss the formula's {', '.join(missing)}")
    return names


def _bind(formula, values, named):
    """Positional plus named values, in variable order."""
    names = formula.variables
    extra = sorted(set(named) - set(names))
    twice = [n for n in names[:len(values)] if n in named]
    if extra or twice:
        what = f"unknown variable(s) {', '.join(extra)}" if extra else \
            f"{', '.join(twice)} given twice"
        raise InputError(f"{what} for the formula {formula.text!r} (its variables: "
                         f"{', '.join(names) or 'none'})")
    rest = names[len(values):]
    missing = [n for n in rest if n not in named]
    if missing:
        raise InputError(f"missing value(s) for {', '.join(missing)} of the formula "
                         f"{formula.text!r}")
    return (*values, *(named[n] for n in rest))


def _as_input(v):
    a = np.asarray(v)
    if a.dtype.kind in "biu":
        return a.astype(np.float64)
    if a.dtype.kind == "O":
        try:
            return a.astype(np.float64)
        except (TypeError, ValueError, OverflowError):
            pass
    if a.dtype.kind not in "fc":
        raise InputTypeError(f"a formula's values must be numbers or arrays of numbers, got "
                             f"{type(v).__name__} (dtype {a.dtype})")
    return a


def _lambdify(expr, symbols):
    """A numpy function of ``expr`` (dummy argument names: the user's names never reach the
    generated code). erf and gamma come from SciPy when it is installed, else from math."""
    import sympy as sp

    special = {}
    for name, fn in (("erf", sp.erf), ("gamma", sp.gamma)):
        if expr.has(fn):
            try:
                import scipy.special

                special[name] = getattr(scipy.special, name)
            except ImportError:
                special[name] = np.vectorize(getattr(math, name), otypes=[float])
    return sp.lambdify(symbols, expr, modules=[special, "numpy"], dummify=True)


@lru_cache(maxsize=256)
def _parse_text(text, variables):
    expr, names = _build.to_sympy(text)
    if variables is None:  # the names written, even those that cancel (x*0 + 1)
        variables = sorted(names, key=_natural)
    return Formula(expr, variables, text=text)


def parse(text, variables=None):
    """Read a formula from text, safely: ``parse("3*x*exp(x)")``.

    Parameters
    ----------
    text : str, Formula or sympy.Expr
        The formula, in Python's arithmetic with ``^`` also meaning power. A Formula is
        returned as it is (re-ordered if ``variables`` is given); a SymPy expression is
        wrapped.
    variables : sequence of str, optional
        The variables' order (default: by name, digit runs by value; ``x, y, z``). It may
        add variables the formula does not contain.

    Returns
    -------
    Formula

    Raises
    ------
    InputError
        For anything outside what is accepted, with the problem and its column.

    Notes
    -----
    Accepted: integer and decimal numbers; variables (ASCII names such as ``x``, ``y2``,
    ``theta``; not starting with ``__``); ``+ - * /``, ``**`` and ``^`` (power, read from
    the right: ``x^2^3`` is ``x^8``; ``-x^2`` is ``-(x^2)``), brackets; the constants
    ``pi`` and ``e`` (also ``E``); the functions sin cos tan asin acos atan atan2 sinh cosh
    tanh asinh acosh atanh (also numpy's arcsin ... arctanh) exp log (``log(x)`` natural,
    ``log(x, b)`` base b) ln log10 log2 sqrt cbrt (SymPy's principal root: NaN for x < 0)
    abs sign erf gamma. A formula without variables is a constant.

    Refused, with the problem's column: everything else, in particular attribute access
    (``x.real``, ``np.sin``), subscripts, calls of other names (``unknown function``),
    names starting with ``__``, strings, f-strings, lambdas, comprehensions, comparisons,
    ``and``/``or``/``not``, ``if ... else``, ``:=``, keyword arguments, ``*`` unpacking,
    tuples, lists, comments, complex numbers (``1j``), ``//`` and ``%``, step functions
    (floor, ceil, round, ...), max and min; implicit products (``2x``, ``2(x+1)``); a
    division by zero or another non-finite constant (``log(0)``).

    Limits, checked before anything costly is built: at most 10,000 characters, 1,000
    operators and brackets, 5,000 parts and nesting 100 deep; integers of at most 100
    digits; constant exponents of magnitude at most 1,000; exact numbers of at most 310
    digits (float64 ends near 1.8e308: write ``2.0**1000`` for an approximation). SymPy
    simplifies as it builds, at a cost that grows steeply with nested functions (``atan2``
    nested 50 deep: minutes); building stops after 1 s with an InputError.

    The text is never executed: it is read by Python's parser (``ast.parse``, which only
    builds a syntax tree), the tree is checked against the whitelist above, and the SymPy
    expression is built from it node by node (no ``eval``, ``exec``, ``sympify`` or
    ``parse_expr`` of the text). Decimal numbers become SymPy Floats of the double Python
    reads (write ``1/10`` for an exact tenth). ``a/b`` is built as ``a*b**-1``, as SymPy
    does.

    Examples
    --------
    >>> import numpy as np, derivlab
    >>> f = derivlab.parse("(x**3 + 4*x)*exp(y)*sin(z)")
    >>> f.variables
    ('x', 'y', 'z')
    >>> f.expr
    (x**3 + 4*x)*exp(y)*sin(z)
    >>> bool(np.isclose(f(4, 5, 1), 80 * np.exp(5) * np.sin(1)))
    True
    >>> derivlab.parse("x^2 + y^2").expr
    x**2 + y**2
    >>> derivlab.parse("__import__('os')")
    Traceback (most recent call last):
    ...
    derivlab._errors.InputError: '__import__' is not allowed (names starting with '__') (at column 1)
      __import__('os')
      ^^^^^^^^^^
    """
    if isinstance(text, Formula):
        return text if variables is None else Formula(text.expr, variables, text=text.text)
    if isinstance(text, str):
        if variables is not None and not isinstance(variables, str):
            variables = tuple(variables)
        try:
            return _parse_text(text, variables)
        except TypeError as exc:  # unhashable variables: checked without the cache
            if variables is None or "unhashable" not in str(exc):
                raise
            return Formula(_build.to_sympy(text)[0], variables, text=text)
    if _sympy_expr(text):
        return Formula(text, variables)
    raise InputTypeError("parse needs a formula: text, a Formula or a SymPy expression, got "
                         f"{type(text).__name__}")


def _rebuild(expr, variables, text):
    """A pickled Formula, made again."""
    return Formula(expr, variables, text=text)
