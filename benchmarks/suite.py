"""Public accuracy suite: scalar functions with exact derivatives.

Every case is a SymPy expression in ``x`` together with the point at which
its derivative is wanted.  The exact reference value is computed
symbolically and evaluated with 40 significant digits at the floating-point
number that the function actually receives (so a float32 case is
referenced at ``float(np.float32(x))``, not at the decimal string).

The expressions are our own trusted text, so ``sympy.sympify`` is used to
parse them.  Decimal constants are parsed as exact rationals.
"""

import dataclasses
import functools

import mpmath
import numpy as np
import sympy

__all__ = ["Case", "CASES", "HIGHER_CASES", "CATEGORIES", "X"]

#: The SymPy symbol every expression is written in.
X = sympy.Symbol("x")

#: Significant digits used for the exact reference values.
EXACT_DIGITS = 40

CATEGORIES = ("smooth", "steep", "oscillatory", "pole", "edge", "scale", "float32")


def _lambdify_modules():
    """Return the lambdify modules: SciPy first (for ``erf``) when installed."""
    try:
        import scipy.special  # noqa: F401
    except ImportError:
        return "numpy"
    return ["scipy", "numpy"]


@dataclasses.dataclass(frozen=True)
class Case:
    """One benchmark case: the ``order``-th derivative of ``expr`` at ``x``.

    Parameters
    ----------
    name : str
        Unique short identifier.
    category : str
        One of :data:`CATEGORIES` (or ``"higher"`` for higher orders).
    expr : str
        SymPy-parsable expression in the variable ``x``.
    x : str
        The point, as a decimal string such as ``"1.5"`` or ``"1e-3"``.
    dtype : {"float64", "float32"}
        Floating-point type of the point handed to the differentiator.
    order : int
        Derivative order.
    """

    name: str
    category: str
    expr: str
    x: str
    dtype: str = "float64"
    order: int = 1

    @functools.cached_property
    def sym(self):
        """sympy.Expr : the parsed expression (decimals as exact rationals)."""
        return sympy.sympify(self.expr, locals={"x": X}, rational=True)

    @functools.cached_property
    def f(self):
        """callable : NumPy function of ``x``, elementwise, complex-capable.

        Built with ``sympy.lambdify``; it keeps the float32 dtype of its input.
        """
        return sympy.lambdify(X, self.sym, _lambdify_modules())

    def point(self, dtype=None):
        """Return the point as a NumPy scalar.

        Parameters
        ----------
        dtype : str or numpy.dtype, optional
            Defaults to the case's own ``dtype``.

        Returns
        -------
        numpy.floating
        """
        return np.dtype(dtype or self.dtype).type(self.x)

    def exact(self):
        """Return the exact derivative at the representable point.

        Returns
        -------
        mpmath.mpf
            The ``order``-th derivative at ``float(self.point())``, correct
            to :data:`EXACT_DIGITS` significant digits.
        """
        return _exact(self.expr, float(self.point()), self.order)

    def __str__(self):
        return (f"{self.name} [{self.category}] d^{self.order}/dx^{self.order} {self.expr} "
                f"at x={self.x} ({self.dtype})")


@functools.lru_cache(maxsize=None)
def _exact(expr, xval, order):
    """Evaluate the ``order``-th derivative of ``expr`` at the float ``xval``."""
    sym = sympy.sympify(expr, locals={"x": X}, rational=True)
    deriv = sympy.diff(sym, X, order)
    value = deriv.evalf(EXACT_DIGITS, subs={X: sympy.Rational(xval)})
    if not value.is_real:
        raise ValueError(f"derivative of {expr} at {xval!r} is not real: {value}")
    with mpmath.workdps(EXACT_DIGITS + 10):
        return mpmath.mpf(str(value))


CASES = [
    # Smooth functions at ordinary points.
    Case("exp", "smooth", "exp(x)", "1.0"),
    Case("sin", "smooth", "sin(x)", "0.7"),
    Case("poly5", "smooth", "x**5 - 3*x**2 + 2", "1.3"),
    Case("log", "smooth", "log(x)", "2.5"),
    Case("atan", "smooth", "atan(x)", "0.5"),
    Case("tanh", "smooth", "tanh(x)", "0.3"),
    Case("erf", "smooth", "erf(x)", "0.4"),
    Case("rational", "smooth", "(1 + x)/(1 + x**2)", "0.8"),
    # Steep: large derivatives relative to the function's scale.
    Case("exp10", "steep", "exp(10*x)", "1.0"),
    Case("tanh_front", "steep", "tanh(20*x - 10)", "0.52"),
    Case("logistic", "steep", "1/(1 + exp(-30*(x - 0.5)))", "0.55"),
    Case("gauss_bump", "steep", "exp(-50*(x - 0.3)**2)", "0.35"),
    Case("atan100", "steep", "atan(100*x)", "0.02"),
    # Oscillatory: short wavelengths.
    Case("sin50", "oscillatory", "sin(50*x)", "0.3"),
    Case("xcos100", "oscillatory", "x*cos(100*x)", "0.7"),
    Case("sin_recip", "oscillatory", "sin(1/x)", "0.2"),
    Case("damped", "oscillatory", "exp(-x)*sin(30*x)", "1.1"),
    Case("chirp", "oscillatory", "cos(x**2)", "5.0"),
    Case("sin_exp", "oscillatory", "sin(exp(x))", "3.0"),
    # Near a pole: the function blows up close to the point.
    Case("recip_shift", "pole", "1/(x - 1)", "0.99"),
    Case("tan_halfpi", "pole", "tan(x)", "1.57"),
    Case("recip_small", "pole", "1/x", "1e-3"),
    Case("cot_small", "pole", "cot(x)", "0.01"),
    Case("double_pole", "pole", "x/(1 - x)**2", "0.995"),
    # Domain edge just beyond the point: wide steps give NaN.
    Case("log_edge", "edge", "log(x)", "1e-3"),
    Case("sqrt_edge", "edge", "sqrt(x)", "1e-4"),
    Case("acos_edge", "edge", "acos(x)", "0.999"),
    Case("xlogx_edge", "edge", "x*log(x)", "1e-3"),
    Case("log1p_edge", "edge", "log(1 + x)", "-0.999"),
    Case("asin_edge", "edge", "asin(x)", "-0.995"),
    Case("circle_edge", "edge", "sqrt(1 - x**2)", "0.998"),
    # Extreme scales of x or of f.
    Case("log_huge", "scale", "log(x)", "1e8"),
    Case("square_huge", "scale", "x**2", "1e10"),
    Case("exp_slow", "scale", "exp(x/1e6)", "3e6"),
    Case("sin_tiny", "scale", "sin(x)", "1e-9"),
    Case("cube_tiny", "scale", "x**3", "1e-5"),
    Case("tiny_f", "scale", "1e-20*x**2", "3.0"),
    Case("sqrt_huge", "scale", "sqrt(x)", "1e12"),
    # Smooth functions with float32 input.
    Case("exp_f32", "float32", "exp(x)", "0.5", dtype="float32"),
    Case("sin_f32", "float32", "sin(x)", "1.2", dtype="float32"),
    Case("log_f32", "float32", "log(x)", "3.0", dtype="float32"),
    Case("cubic_f32", "float32", "x**3 - x", "0.8", dtype="float32"),
    Case("atan_f32", "float32", "atan(x)", "2.0", dtype="float32"),
]

HIGHER_CASES = [
    Case("exp_d2", "higher", "exp(x)", "1.0", order=2),
    Case("log_d2", "higher", "log(x)", "2.0", order=2),
    Case("runge_d2", "higher", "1/(1 + x**2)", "0.3", order=2),
    Case("sin_d3", "higher", "sin(x)", "0.5", order=3),
    Case("tanh_d3", "higher", "tanh(x)", "0.4", order=3),
    Case("poly5_d4", "higher", "x**5 - 2*x**3", "1.2", order=4),
]


def _check(cases):
    """Sanity-check a case list: unique names, finite values, nonzero derivative."""
    names = [c.name for c in cases]
    if len(set(names)) != len(names):
        raise ValueError("duplicate case names")
    for case in cases:
        if case.category not in CATEGORIES + ("higher",):
            raise ValueError(f"{case.name}: unknown category {case.category!r}")
        with np.errstate(all="raise"):
            fx = case.f(case.point())
        if not np.isfinite(fx):
            raise ValueError(f"{case.name}: f is not finite at the point")
        d = case.exact()
        if not mpmath.isfinite(d) or d == 0:
            raise ValueError(f"{case.name}: derivative is zero or not finite")


if __name__ == "__main__":
    _check(CASES + HIGHER_CASES)
    for c in CASES + HIGHER_CASES:
        print(f"{c}  ->  {mpmath.nstr(c.exact(), 17)}")
    print(f"{len(CASES)} first-order cases, {len(HIGHER_CASES)} higher-order cases")
