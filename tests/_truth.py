"""Independent reference values for the tests: SymPy derivatives evaluated by mpmath.

Nothing here imports derivlab: the truths must not depend on the code under test.
"""

from __future__ import annotations

import mpmath
import sympy

#: Digits used for every reference value.
DPS = 40


def exact_derivative(expr, symbol, x0, order=1):
    """d^order expr / d symbol^order at the float x0, to DPS digits.

    ``mpmath.mpf(float)`` is exact, so this is the derivative at the very
    point derivlab was given.
    """
    fn = sympy.lambdify(symbol, sympy.diff(expr, symbol, order), modules="mpmath")
    with mpmath.workdps(DPS):
        return fn(mpmath.mpf(float(x0)))


def exact_partial(expr, symbols, point, *wrt):
    """The partial derivative of expr w.r.t. the symbols ``wrt`` (in order) at ``point``."""
    fn = sympy.lambdify(symbols, sympy.diff(expr, *wrt), modules="mpmath")
    with mpmath.workdps(DPS):
        return fn(*[mpmath.mpf(float(p)) for p in point])


def abs_err(value, exact):
    """|value - exact| at DPS digits, as a float."""
    with mpmath.workdps(DPS):
        return float(abs(mpmath.mpf(float(value)) - exact))


def rel_err(value, exact):
    """|value - exact| / |exact| (absolute error when exact is 0)."""
    with mpmath.workdps(DPS):
        err = abs(mpmath.mpf(float(value)) - exact)
        return float(err / abs(exact)) if exact != 0 else float(err)
