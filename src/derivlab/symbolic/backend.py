"""``method="symbolic"``: exact derivatives with SymPy, evaluated to full precision.

The derivative expressions come from ``sympy.diff``; each value is computed with mpmath at
30 and at 45 significant digits, and its error bar is the difference of the two plus the
rounding to float64 (so a value that float64 holds exactly has error 0).

SymPy differentiates ``abs`` and ``sign`` everywhere, giving ``sign(0) = 0`` where no
derivative exists. So where the argument of a ``sign``, ``Heaviside`` or ``DiracDelta`` is
zero at the point, the derivative is taken as the common limit of every side (each such
atom set to -1, 0 or +1), and reported NOT_SMOOTH when the sides differ, for f itself or
any lower derivative on the way.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

import numpy as np

from .._errors import InputError
from ..result import Status
from .formulas import Formula

__all__ = ["differentiate"]

_DIGITS = (30, 45)
#: An argument of sign/Heaviside this small (relative to 1 + |point|) counts as zero.
_ZERO = 1e-25
#: Largest derivative expression (SymPy's count_ops) evaluated: beyond it, SymPy's time
#: grows steeply (exp(sin(x))*atan(x^2): order 9 has 1,800 operations, 2 s; order 20, 107 s).
MAX_OPS = 2_000
#: At most this many switching atoms at one point are resolved by their sides.
_MAX_SWITCHES = 5


def differentiate(operation, formulas, vector, x, *, order=1, v=None, batch=False):
    """Exact derivative of formulas at x, in derivlab's shapes.

    Parameters
    ----------
    operation : str
        ``"derivative"``, ``"gradient"``, ``"jacobian"``, ``"hessian"``, ``"jvp"`` or ``"hvp"``.
    formulas : list of Formula
        One formula (a scalar f), or the components of a vector-valued f (``vector``).
    x : ndarray
        The point(s): for ``"derivative"`` any shape of points; otherwise the variables along
        the last axis (a first axis of points with ``batch``).
    order, v, batch
        As in the entry points.

    Returns
    -------
    tuple
        ``(value, error, status, fx, expression)``: float64 arrays (status: int codes) and the
        derivative as a SymPy array (or a Formula for one scalar derivative).
    """
    import sympy as sp

    syms = list(formulas[0].symbols)
    n = len(syms)
    fshape = (len(formulas),) if vector else ()
    exprs = [p.expr for p in formulas]
    x = np.asarray(x, dtype=np.float64)
    if operation == "derivative":
        pts, pshape, dshape = np.reshape(x, (x.size, 1))[:, :n], x.shape, ()
    elif batch:
        pts, pshape, dshape = x.reshape(x.shape[0], n), x.shape[:1], x.shape[1:]
    else:
        pts, pshape, dshape = x.reshape(1, n), (), x.shape
    chains, shape = _chains(sp, operation, exprs, syms, order)
    fx = np.array([[_f_at(sp, e, syms, p) for e in exprs] for p in pts])
    vals, errs, stat = [], [], []
    for p in pts:
        mps, codes = zip(*[_value(sp, c, syms, p) for c in chains]) if chains else ((), ())
        mps, codes = _contract(operation, mps, codes, shape, v)
        vals.append([_float(m[1]) for m in mps])
        errs.append([_bar(m) for m in mps])
        stat.append(codes)
    out_shape = _out_shape(operation, pshape, fshape, dshape)
    value, error = (np.array(a, dtype=np.float64).reshape(out_shape) for a in (vals, errs))
    status = np.array(stat, dtype=int).reshape(out_shape)
    fx = fx.reshape(pshape + fshape)
    target = _out_shape(operation, (), fshape, dshape)
    return value, error, status, fx, _expression(sp, operation, chains, shape, formulas, v, target)


def _chains(sp, operation, exprs, syms, order):
    """For each derivative element (in C order over ``fshape + dshape``): the list of
    expressions from f to the derivative, each the derivative of the one before."""
    def diff(e, s, k):
        out = sp.diff(e, s)
        if sp.count_ops(out) > MAX_OPS:
            raise InputError(f"method='symbolic': the derivative of order {k} has more than "
                             f"{MAX_OPS:,} operations (each derivative multiplies them); the "
                             "finite-difference default gives high orders in milliseconds")
        return out

    if operation == "derivative":
        out = []
        for e in exprs:
            chain = [e]
            for k in range(order):
                chain.append(diff(chain[-1], syms[0], k + 1) if syms else sp.Integer(0))
            out.append(chain)
        return out, (len(exprs),)
    n = len(syms)
    if operation in ("gradient", "jacobian", "jvp"):
        return [[e, diff(e, s, 1)] for e in exprs for s in syms], (len(exprs), n)
    firsts = [diff(exprs[0], s, 1) for s in syms]
    return [[exprs[0], firsts[i], diff(firsts[i], syms[j], 2)]
            for i in range(n) for j in range(n)], (n, n)


def _value(sp, chain, syms, point):
    """((value at 30 digits, at 45 digits), status) of the last expression of ``chain``."""
    last = chain[-1]
    switches = _switches(sp, chain, syms, point)
    if switches is None:
        return (np.nan, np.nan), int(Status.NOT_SMOOTH)
    try:
        if not switches:
            if not all(_real(_values(_smooth(sp, e), syms, point, _DIGITS[0])[0]) for e in chain[:-1]):
                return (np.nan, np.nan), int(Status.NONFINITE)  # f (or a lower derivative) is not
            pair = tuple(_values(_smooth(sp, last), syms, point, d)[0] for d in _DIGITS)
        else:
            pair = _sides(sp, chain, syms, point, switches)
    except (ZeroDivisionError, ValueError, TypeError, OverflowError):
        return (np.nan, np.nan), int(Status.NONFINITE)
    if pair is None:
        return (np.nan, np.nan), int(Status.NOT_SMOOTH)
    if not all(_real(m) for m in pair):
        return (np.nan, np.nan), int(Status.NONFINITE)
    return pair, int(Status.OK)


def _f_at(sp, e, syms, point):
    try:
        return _float(_values(_smooth(sp, e), syms, point, _DIGITS[0])[0])
    except (ZeroDivisionError, ValueError, TypeError, OverflowError):
        return np.nan


def _switches(sp, chain, syms, point):
    """The sign/Heaviside/DiracDelta atoms of the chain whose argument is zero at the point
    (None if there are too many to resolve)."""
    atoms = set()
    for e in chain:
        atoms |= e.atoms(sp.sign, sp.Heaviside, sp.DiracDelta)
    scale = 1 + float(np.max(np.abs(point), initial=0))
    zero = set()
    for u in {a.args[0] for a in atoms}:
        try:
            val = _values(u, syms, point, _DIGITS[0])[0]
        except (ZeroDivisionError, ValueError, TypeError):
            continue
        if _real(val) and abs(val) <= _ZERO * scale:
            zero.add(u)
    return None if len(zero) > _MAX_SWITCHES else sorted(zero, key=sp.default_sort_key)


def _sides(sp, chain, syms, point, switches):
    """The derivative as the common value of every side of the switching arguments: f must
    equal its own value there, and each derivative on the way must agree on all sides."""
    import mpmath

    sides = list(itertools.product((-1, 0, 1), repeat=len(switches)))
    last = None
    for k, e in enumerate(chain):
        got = []
        for combo in sides:
            ek = _smooth(sp, _on_side(sp, e, dict(zip(switches, combo))))
            got.append(tuple(_values(ek, syms, point, d)[0] for d in _DIGITS))
        if k == 0:
            got.append(tuple(_values(_smooth(sp, e), syms, point, d)[0] for d in _DIGITS))
        ref = got[0][1]
        tol = mpmath.mpf(10) ** (-20) * (1 + abs(ref))
        if any(not _real(g[1]) or abs(g[1] - ref) > tol for g in got):
            return None
        last = got[0]
    return last


def _on_side(sp, e, side):
    """e with sign(u) = s and Heaviside(u) = (1 + s) / 2 for each switching u -> s."""
    return e.replace(lambda a: isinstance(a, (sp.sign, sp.Heaviside)) and a.args[0] in side,
                     lambda a: sp.Integer(side[a.args[0]]) if isinstance(a, sp.sign)
                     else sp.Rational(1 + side[a.args[0]], 2))


def _smooth(sp, e):
    """``e`` with DiracDelta terms dropped (zero wherever the point is off their support)."""
    return e.replace(lambda a: isinstance(a, sp.DiracDelta), lambda a: sp.Integer(0))


def _values(e, syms, point, digits):
    """e at the point, with mpmath at ``digits`` significant digits."""
    import mpmath

    fn = _compiled(e, tuple(syms))
    with mpmath.workdps(digits):
        return (+fn(*[mpmath.mpf(float(t)) for t in point]),)


@lru_cache(maxsize=512)
def _compiled(e, syms):
    """An mpmath function of e (it computes at the working precision of each call)."""
    import sympy as sp

    return sp.lambdify(syms, e, modules=[{"Heaviside": _heaviside}, "mpmath"], dummify=True)


def _heaviside(u, h0=0.5):
    import mpmath
    return mpmath.mpf(1) if u > 0 else mpmath.mpf(0) if u < 0 else mpmath.mpf(h0)


def _real(m):
    import mpmath
    return not isinstance(m, mpmath.mpc) and mpmath.isfinite(m)


def _float(m):
    try:
        return float(m) if _real(m) else np.nan
    except (TypeError, ValueError):
        return np.nan


def _bar(pair):
    """The error of float(pair[1]): the two precisions' difference plus the rounding."""
    import mpmath

    lo, hi = pair
    if not (_real(lo) and _real(hi)):
        return np.nan
    with mpmath.workdps(_DIGITS[1]):
        f = float(hi)
        if not np.isfinite(f):
            return np.nan
        err = abs(hi - lo) + abs(mpmath.mpf(f) - hi)
    return float(err) * (1 + 2 ** -50) if err else 0.0


def _contract(operation, mps, codes, shape, v):
    """jvp / hvp: the product with v in mpmath (codes: the worst of the terms)."""
    if operation not in ("jvp", "hvp"):
        return list(mps), list(codes)
    import mpmath

    rows, cols = shape
    out, out_codes = [], []
    for r in range(rows):
        terms = [(mps[r * cols + c], codes[r * cols + c], float(v.reshape(-1)[c])) for c in range(cols)]
        used = [t for t in terms if t[2] != 0]
        bad = [c for _, c, _ in used if c != Status.OK]
        if bad:
            out.append((np.nan, np.nan))
            out_codes.append(min(bad))
            continue
        with mpmath.workdps(_DIGITS[1]):
            pair = tuple(mpmath.fsum(m[i] * mpmath.mpf(w) for m, _, w in used) for i in (0, 1))
        out.append(pair)
        out_codes.append(int(Status.OK))
    return out, out_codes


def _out_shape(operation, pshape, fshape, dshape):
    return {"derivative": pshape + fshape, "gradient": pshape + dshape,
            "jacobian": pshape + fshape + dshape, "hessian": pshape + dshape + dshape,
            "jvp": fshape, "hvp": dshape}[operation]


def _expression(sp, operation, chains, shape, formulas, v, target):
    """The derivative itself: a Formula for one scalar derivative, else a SymPy array in the
    layout of one point's value (a gradient of a 2x2 x is 2x2)."""
    names = formulas[0].variables
    lasts = [c[-1] for c in chains]
    if operation == "derivative" and len(lasts) == 1:
        return Formula(lasts[0], names)
    if operation in ("jvp", "hvp"):
        rows, cols = shape
        w = [sp.nsimplify(float(t)) for t in np.reshape(v, -1)]
        lasts = [sp.Add(*[lasts[r * cols + c] * w[c] for c in range(cols)]) for r in range(rows)]
    if target and int(np.prod(target)) == len(lasts):
        return sp.Array(lasts, target)
    return sp.Array(lasts)


def expressions_of(f, operation, x, unpack=False, batch=False, args=()):
    """A user callable as formulas: f called on SymPy symbols (x0, x1, ... in x's C order;
    ``x`` for a derivative or a 0-d x). Only SymPy objects and numbers may come back.

    Returns
    -------
    (list of Formula, vector)
    """
    import sympy as sp

    xa = np.asarray(x)
    one = xa.shape[1:] if batch and operation != "derivative" else xa.shape
    if operation == "derivative" or one == ():
        names = ["x"]
    else:
        names = [f"x{i}" for i in range(int(np.prod(one, dtype=int)))]
    syms = [sp.Symbol(n, real=True) for n in names]
    try:
        if operation == "derivative" or one == ():
            out = f(syms[0], *args)
        elif unpack:
            out = f(*syms, *args)
        else:
            out = f(np.array(syms, dtype=object).reshape(one), *args)
    except Exception as exc:  # noqa: BLE001 - the user's f failed on symbols: say so
        raise InputError("method='symbolic' needs a formula (text, Formula or SymPy expression), "
                         "or an f written with arithmetic and SymPy functions; f raised "
                         f"{type(exc).__name__}: {exc}".strip()) from None
    parts = np.asarray(out, dtype=object)
    items = parts.reshape(-1).tolist()
    if parts.ndim > 1 or not items or not all(isinstance(t, (sp.Basic, int, float)) for t in items):
        raise InputError("method='symbolic': f must return a SymPy expression (or a 1-D list of "
                         f"them) when called on symbols, got {type(out).__name__}")
    forms = [Formula(sp.sympify(t) if not isinstance(t, sp.Basic) else t, names) for t in items]
    return forms, parts.ndim == 1
