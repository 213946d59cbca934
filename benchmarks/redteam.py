"""Red-team sweep: cases built to make an adaptive finite-difference engine lie.

Run from the repository root::

    python benchmarks/redteam.py [--kind KIND] [--list-other]

Every case names a function, a point, a derivative (``derivative`` of some
order, or a ``hessian``), the exact truth and what is expected:

``smooth``
    The derivative exists and is computable in float64: success with
    ``|value - truth| <= error`` is expected.
``nonexistent``
    The requested derivative jumps at x (truth NaN): the engine must not report
    success; the right status is ``NOT_SMOOTH``.
``limit``
    The derivative exists but is out of float64's reach: a joint closer than any
    step round-off allows for its order (see :func:`_reach`), or a value at a
    zero of a wiggle, below 1e-3 of the derivative's amplitude, where no
    relative accuracy exists. Success with an honest error bar, or any failure.
``noisy``
    f carries random noise (fixed seed, fresh noise on every call) or is
    quantised; truth is the noiseless derivative. Success with an honest error
    bar, or status ``NOISY``; never success with a wrong value.

The truths never touch derivlab: smooth closed forms are SymPy expressions
(differentiated symbolically once per template and order, cached, and evaluated
with mpmath at :data:`DPS` digits at the float x exactly, with the float
constants f itself uses); piecewise functions, splines and Hessians use closed
forms evaluated in mpmath.

Every result (every upper-triangle element for Hessians) is classified:

``ok``               success and true error <= error bar
``confident_wrong``  success but true error > error bar (or success on a
                     derivative that does not exist)
``flagged_right``    not success, expected nonexistent with NOT_SMOOTH or
                     expected noisy with NOISY
``flagged_other``    not success, expected nonexistent/noisy, another status
``false_alarm``      not success on a smooth case

``tests/test_redteam.py`` asserts zero ``confident_wrong``, no success on a
nonexistent derivative, and false alarms only on :data:`FALSE_ALARM_ALLOWLIST`.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import functools
import pathlib
import sys
import time

_HERE = pathlib.Path(__file__).resolve().parent
for _p in (_HERE, _HERE.parent / "src"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

import mpmath  # noqa: E402
import numpy as np  # noqa: E402
import sympy  # noqa: E402

__all__ = ["Case", "Record", "KINDS", "CLASSES", "FALSE_ALARM_ALLOWLIST", "build_cases",
           "run_case", "run_sweep", "summarise"]

#: Digits of every truth.
DPS = 40

KINDS = ("periodic", "jump", "hessian_kink", "noise", "wiggle", "one_sided", "swamped",
         "false_alarm")
CLASSES = ("ok", "confident_wrong", "flagged_right", "flagged_other", "false_alarm")

#: Smooth cases on which a flagged failure is accepted, name -> the documented reason.
#: Initially empty: every false alarm is a defect of the engine to be fixed.
FALSE_ALARM_ALLOWLIST: dict[str, str] = {}

NAN = float("nan")
T = sympy.Symbol("t", real=True)


# ---------------------------------------------------------------------------------------------
# cases

@dataclasses.dataclass
class Case:
    """One red-team case.

    ``truth`` is an mpmath number (or NaN when the derivative does not exist);
    for a Hessian it is an (n, n) object array of mpf/NaN and ``expect`` an
    (n, n) array of expectations. ``make`` returns a fresh f (noisy functions
    restart their generator, so every run of the sweep sees the same noise).
    """

    name: str
    kind: str
    make: object
    x: object
    truth: object
    expect: object
    order: int = 1
    op: str = "derivative"
    kwargs: dict = dataclasses.field(default_factory=dict)
    family: str = ""
    #: (src, params, values) for SymPy-template cases: lets the tests check f against its truth
    source: tuple | None = None
    #: a second answer a success may be right about (see :func:`_far_piece`)
    also: object = None

    @property
    def f(self):
        return self.make()


def _const(f):
    return lambda: f


def _mp(x):
    return mpmath.mpf(float(x))


@functools.lru_cache(maxsize=None)
def _template(src, params):
    """A SymPy template in t and named float parameters: (numpy f, expr, symbols)."""
    syms = sympy.symbols(params) if params else ()
    syms = tuple(syms) if isinstance(syms, (tuple, list)) else (syms,)
    expr = sympy.sympify(src, locals={"t": T, **{str(s): s for s in syms}})
    return sympy.lambdify((T, *syms), expr, "numpy"), expr, syms


@functools.lru_cache(maxsize=None)
def _template_derivative(src, params, order):
    _, expr, syms = _template(src, params)
    return sympy.lambdify((T, *syms), sympy.diff(expr, T, order), "mpmath")


def template_truth(src, params, values, x, order):
    """d^order/dt^order of the template at the float x, the parameters being the floats given."""
    fn = _template_derivative(src, params, order)
    with mpmath.workdps(DPS):
        return +fn(_mp(x), *[_mp(v) for v in values])


def template_value(src, params, values, x):
    """The template itself at x in mpmath (to check the numpy f against it)."""
    return template_truth(src, params, values, x, 0)


def template_f(src, params, values):
    fn = _template(src, params)[0]
    vals = tuple(float(v) for v in values)
    return lambda t: fn(t, *vals)


class _Builder:
    def __init__(self):
        self.cases = []
        self.names = set()

    def add(self, name, kind, f, x, truth, expect, order=1, op="derivative", kwargs=None,
            family="", make=None, source=None, also=None):
        if name in self.names:
            raise ValueError(f"duplicate case name {name}")
        self.names.add(name)
        self.cases.append(Case(name, kind, make or _const(f), x, truth, expect, order, op,
                               dict(kwargs or {}), family or name.split("[")[0], source, also))

    def template(self, name, kind, src, params, values, x, order, expect="smooth", kwargs=None,
                 family=None, size=None):
        """``size``: the derivative's natural size nearby (its amplitude); at x it may sit at
        a zero of its wiggle, 1e-3 of that or less, where no relative accuracy exists (a
        ``limit`` case: success with an honest bar, or a failure)."""
        truth = template_truth(src, params, values, x, order)
        if size is not None and expect == "smooth" and abs(truth) < 1e-3 * size:
            expect = "limit"
        self.add(name, kind, template_f(src, params, values), x, truth, expect, order,
                 kwargs=kwargs, family=family, source=(src, params, tuple(values)))


def _g(v):
    return f"{v:.12g}"


# -- 1. periodic parts that a power-of-two ladder can alias -------------------------------------

def _periodic(b):
    two_pi = 2 * np.pi
    src = "t + a*sin(w*t)"
    for t in (0.3, 1.0, 7.0, 100.3, 1000.0, 1e4 + 0.1, 86400.0, 86400.25, 86400.0 + 1 / 3, 1e5 + 0.7,
              -7.0, -1000.0, 0.5, 3.75, 2.0**20, 2.0**20 + 0.1):
        for order in (1, 2):
            if (t, order) == (100.3, 1):
                continue  # a named false-alarm case (kind false_alarm)
            b.template(f"t+sin(2pi t)[t={_g(t)},k={order}]", "periodic", src, "a w", (1.0, two_pi),
                       t, order, family="t+sin(2pi t)", size=(order == 1) + two_pi ** order)
    periods = [2.0**k for k in range(-6, 5)] + [1 / 3, 1 / 7, 1 / 5, 3.0]
    for P in periods:
        w = two_pi / P
        for a in (1.0, 1e-3):
            if (P, a) == (1.0, 1.0):
                continue  # that is t + sin(2 pi t), above
            for t in (1.0, 7.0, 100.3, 1000.0, 1e4 + 0.1):
                b.template(f"t+a sin(2pi t/P)[P={_g(P)},a={_g(a)},t={_g(t)},k=1]", "periodic", src,
                           "a w", (a, w), t, 1, family="t+a sin(2pi t/P)",
                           size=1 + a * w)
            for t in (1.0, 100.3, 1000.0):
                b.template(f"t+a sin(2pi t/P)[P={_g(P)},a={_g(a)},t={_g(t)},k=2]", "periodic", src,
                           "a w", (a, w), t, 2, family="t+a sin(2pi t/P)", size=a * w**2)
    # a daily cycle on a slow base, t in days
    day = "50 + c*t + 5*sin(y*t) + cos(w*t)"
    for dt in (0.0, 0.1, 0.25, 0.37, 0.5, 0.75, 0.9, 3.0, 17.6, 365.0):
        t = 1000.0 + dt
        for order in (1, 2):
            b.template(f"daily cycle[t={_g(t)},k={order}]", "periodic", day, "c y w",
                       (0.01, two_pi / 365.25, two_pi), t, order, family="daily cycle",
                       size=0.01 + 5 * (two_pi / 365.25) ** order + two_pi ** order)
    # ripples sin(2**k t)
    for k in range(-4, 11):
        for t in (0.3, 1.0, 10.7, 1000.0):
            for order in (1, 2):
                b.template(f"sin(2^k t)[k={k},t={_g(t)},order={order}]", "periodic", "sin(w*t)", "w",
                           (2.0**k,), t, order, family="sin(2^k t)")
    # growth times a periodic factor
    for t in (0.0, 1.0, 10.0, 100.0, 100.3, 500.0, 1000.3, 2000.0):
        for order in (1, 2, 3):
            b.template(f"exp(0.01t)(1+0.1sin(2pi t))[t={_g(t)},k={order}]", "periodic",
                       "exp(c*t)*(1 + d*sin(w*t))", "c d w", (0.01, 0.1, two_pi), t, order,
                       family="exp(0.01t)(1+0.1sin(2pi t))")


# -- 2. jumps in higher derivatives ---------------------------------------------------------------

def _reach(f, t, order, d, truth, sided=False):
    """``"smooth"``, or ``"limit"`` when a joint at distance d puts the derivative out of
    float64's reach: a central stencil of that order must fit between t and the joint
    (h <= d / m, points at up to m*h), and its round-off eps*|f|*sum|w| / h**order there,
    times 10 for the few levels of extrapolation, exceeds derivlab's success threshold
    eps**(1/(2+order)) times the derivative's size |truth| (at least 1e-3). ``sided``: a
    one-sided stencil (offsets 0 .. order, sum |w| = 2**order), the joint on its side."""
    eps = np.finfo(float).eps
    m, wsum = (order, 2.0 ** order) if sided else {1: (1, 1.0), 2: (1, 4.0), 3: (2, 3.0)}[order]
    h = d / m
    with np.errstate(all="ignore"):
        size = max(abs(float(f(t))), 1.0)
    roundoff = 10 * eps * size * wsum / h ** order
    need = eps ** (1.0 / (2 + order)) * max(abs(float(truth)), 1e-3)
    return "smooth" if roundoff <= need else "limit"


def _relu(t):
    return np.maximum(t, 0.0)


# name -> (numpy f, {order: (left truth, right truth)} for the one-sided derivatives near 0,
#          {order: truth at 0 or NaN})
def _kink_family():
    mp = mpmath.mpf
    return {
        "max(t,0)^2": (lambda t: np.maximum(t, 0.0) ** 2,
                       {1: None, 2: (mp(0), mp(2)), 3: (mp(0), mp(0))},
                       {1: mp(0), 2: NAN, 3: NAN}),
        "t|t|": (lambda t: t * np.abs(t),  # order 1 at 0: a named false-alarm case
                 {1: None, 2: (mp(-2), mp(2))},
                 {2: NAN}),
        "|t|^3": (lambda t: np.abs(t) ** 3,
                  {2: None, 3: (mp(-6), mp(6))},
                  {2: mp(0), 3: NAN}),
        "max(t,0)^3": (lambda t: np.maximum(t, 0.0) ** 3,
                       {2: None, 3: (mp(0), mp(6))},
                       {2: mp(0), 3: NAN}),
        "|t|": (lambda t: np.abs(t), {1: (mp(-1), mp(1))}, {1: NAN}),
        "relu": (lambda t: np.maximum(t, 0.0), {1: (mp(0), mp(1))}, {1: NAN}),
    }


def _one_sided_power(name, t, order):
    """Exact derivative of the kink family at t != 0 (closed forms)."""
    t = _mp(t)
    s = 1 if t > 0 else -1
    pos = t > 0
    if name == "max(t,0)^2":
        return [None, 2 * t if pos else 0, 2 if pos else 0, 0][order]
    if name == "t|t|":
        return [None, 2 * abs(t), 2 * s][order]
    if name == "|t|^3":
        return [None, 3 * t * abs(t), 6 * abs(t), 6 * s][order]
    if name == "max(t,0)^3":
        return [None, 3 * t**2 if pos else 0, 6 * t if pos else 0, 6 if pos else 0][order]
    if name == "|t|":
        return s
    if name == "relu":
        return 1 if pos else 0
    raise KeyError(name)


def _spline_cases(b):
    from scipy.interpolate import CubicSpline

    for seed in (0, 1, 2):
        rng = np.random.default_rng(1000 + seed)
        knots = np.cumsum(rng.uniform(0.5, 1.5, 7)) - 3.0
        knots = np.round(knots, 3)  # short decimals: x +- h is clean
        y = rng.standard_normal(7)
        cs = CubicSpline(knots, y)
        c = cs.c  # (4, 6): piece i is sum_m c[m, i] (t - knots[i])^(3 - m)

        def piece_derivative(i, t, order, c=c, knots=knots):
            with mpmath.workdps(DPS):
                u = _mp(t) - _mp(knots[i])
                coef = [_mp(c[m, i]) for m in range(4)]
                # p(u) = c0 u^3 + c1 u^2 + c2 u + c3
                ders = [coef[0] * u**3 + coef[1] * u**2 + coef[2] * u + coef[3],
                        3 * coef[0] * u**2 + 2 * coef[1] * u + coef[2],
                        6 * coef[0] * u + 2 * coef[1],
                        6 * coef[0]]
                return +ders[order]

        for j in range(1, 6):  # interior knots
            t0 = float(knots[j])
            tag = f"s{seed},knot{j}"
            # scipy's default end condition (not-a-knot) makes the first two pieces one cubic,
            # and the last two: the third derivative does not jump at knots 1 and 5
            left, right = 6 * c[0, j - 1], 6 * c[0, j]
            if abs(left - right) <= 1e-9 * max(abs(left), abs(right)):
                b.add(f"cubic spline[{tag},t={_g(t0)},k=3]", "jump", cs, t0,
                      piece_derivative(j, t0, 3), "smooth", 3,
                      family="cubic spline at a not-a-knot knot")
            else:
                b.add(f"cubic spline[{tag},t={_g(t0)},k=3]", "jump", cs, t0, NAN, "nonexistent", 3,
                      family="cubic spline at knot")
            for order in (1, 2):  # the spline is C2: these exist
                b.add(f"cubic spline[{tag},t={_g(t0)},k={order}]", "jump", cs, t0,
                      piece_derivative(j, t0, order), "smooth", order,
                      family="cubic spline at knot (C2)")
            for d in (1e-1, 1e-3, 1e-6):
                for side in (-1, 1):
                    t = t0 + side * d
                    piece = j if side > 0 else j - 1
                    b.add(f"cubic spline[{tag},t=knot{side * d:+g},k=3]", "jump", cs, t,
                          piece_derivative(piece, t, 3),
                          _reach(cs, t, 3, d, piece_derivative(piece, t, 3)), 3,
                          family="cubic spline near knot")


def _jumps(b):
    for name, (f, near, at0) in _kink_family().items():
        for order, truth in at0.items():
            expect = "nonexistent" if isinstance(truth, float) and np.isnan(truth) else "smooth"
            b.add(f"{name}[t=0,k={order}]", "jump", f, 0.0, truth, expect, order,
                  family=f"{name} at 0")
        for order in near:
            for d in (1e-1, 1e-3, 1e-6):
                for side in (-1, 1):
                    t = side * d
                    b.add(f"{name}[t={_g(t)},k={order}]", "jump", f, t,
                          _one_sided_power(name, t, order),
                          _reach(f, t, order, d, _one_sided_power(name, t, order)), order,
                          family=f"{name} near 0")
    for t in (1e-8, 1e-4, -1e-8, -1e-4):
        for name in ("relu", "|t|"):
            f = _kink_family()[name][0]
            b.add(f"{name}[t={_g(t)},k=1]", "jump", f, t, mpmath.mpf(_one_sided_power(name, t, 1)),
                  "smooth", 1, family=f"{name} near 0")
    # kinks and C1 / C2 joins away from 0: base sin(t) plus a one-sided power at t0
    for t0 in (0.3, 1.7, -2.5, 100.25, 1000.1, 86400.5):
        scale = max(abs(t0), 1.0)
        for cjump, (p, order) in (("C1", (2, 2)), ("C2", (3, 3))):
            # f = sin(t) + 1.5 * min(t - t0, 0)^p: derivatives below p match at t0, the p-th jumps
            def f(t, t0=t0, p=p):
                return np.sin(t) + 1.5 * np.minimum(t - t0, 0.0) ** p

            def truth(t, t0=t0, p=p, order=order):
                return _join_truth(t, t0, p, order)

            b.add(f"{cjump} join[t0={_g(t0)},k={order}]", "jump", f, t0, NAN, "nonexistent",
                  order, family=f"{cjump} join at t0")
            for lower in range(1, order):
                b.add(f"{cjump} join[t0={_g(t0)},k={lower}]", "jump", f, t0,
                      truth_lower(t0, t0, p, lower), "smooth", lower,
                      family=f"{cjump} join at t0 (lower order)")
            for d in (1e-1, 1e-3, 1e-6):
                for side in (-1, 1):
                    t = t0 + side * d * scale
                    b.add(f"{cjump} join[t0={_g(t0)},t=t0{side * d:+g}*s,k={order}]", "jump", f, t,
                          truth(t), _reach(f, t, order, d * scale, truth(t)), order,
                          family=f"{cjump} join near t0")
        # kinks at t0: |t - t0|, relu(t - t0)
        for name, f in (("|t-t0|", lambda t, t0=t0: np.abs(t - t0)),
                        ("relu(t-t0)", lambda t, t0=t0: np.maximum(t - t0, 0.0))):
            b.add(f"{name}[t0={_g(t0)},k=1]", "jump", f, t0, NAN, "nonexistent", 1,
                  family=f"{name} at t0")
    _spline_cases(b)


def _join_truth(t, t0, p, order, side=None):
    """d^order/dt^order of sin(t) + 1.5 min(t - t0, 0)^p at t (p >= order), of the piece on
    t's side of t0; ``side`` -1 or +1: of that side's piece (at t0, the one-sided derivative)."""
    with mpmath.workdps(DPS):
        u = _mp(t) - _mp(t0)
        base = mpmath.sin(_mp(t) + order * mpmath.pi / 2)  # sin^(order)(t)
        if side == 1 or (side is None and u >= 0):
            return +base
        k = mpmath.mpf(1.5) * mpmath.factorial(p) / mpmath.factorial(p - order)
        return +(base + k * u ** (p - order))


def truth_lower(t, t0, p, order):
    """d^order/dt^order of sin(t) + 1.5 min(t - t0, 0)^p for order < p at t >= t0 (joins)."""
    with mpmath.workdps(DPS):
        return +mpmath.sin(_mp(t) + order * mpmath.pi / 2)


# -- 3. Hessians with kinks -------------------------------------------------------------------------

def _hessians(b):
    for fam in ("relu^2", "v|v|"):
        for n in (2, 3, 4):
            for seed in (0, 1, 2):
                rng = np.random.default_rng(100 * n + seed + (0 if fam == "relu^2" else 7))
                a = np.round(rng.uniform(-1, 1, n), 3)
                bb = np.round(rng.uniform(-1, 1, n), 3)
                base = np.round(rng.normal(size=n), 3)
                i0 = seed % n
                points = []
                p = base.copy()
                p[i0] = 0.0
                points.append(("one zero", p))
                if n > 2:
                    p = base.copy()
                    p[i0] = 0.0
                    p[(i0 + 1) % n] = 0.0
                    points.append(("two zeros", p))
                for d in (-1e-3, 1e-6):
                    p = base.copy()
                    p[i0] = d
                    points.append((f"near {d:g}", p))
                for label, v in points:
                    _add_hessian(b, fam, n, seed, label, a, bb, v)
                    if n == 3:  # one-sided: a kink at x has that side's derivative
                        for side in (1, -1):
                            _add_hessian(b, fam, n, seed, label, a, bb, v, side)


def _add_hessian(b, fam, n, seed, label, a, bb, v, side=None):
    """``side``: the Hessian by ``method="forward"`` (+1) or ``"backward"`` (-1), kind
    one_sided: at a zero component, the one-sided second derivative of that side."""
    if fam == "relu^2":
        def f(x, a=a, bb=bb):
            x = np.asarray(x, float)
            return (np.sum(np.maximum(x, 0.0) ** 2, axis=-1) + np.sin(x @ a)
                    + 0.25 * (x @ bb) ** 2)
    else:
        def f(x, a=a, bb=bb):
            x = np.asarray(x, float)
            return np.sum(x * np.abs(x), axis=-1) + np.exp(0.3 * (x @ bb)) + np.cos(x @ a)
    with mpmath.workdps(DPS):
        vm = [_mp(q) for q in v]
        am = [_mp(q) for q in a]
        bm = [_mp(q) for q in bb]
        av = mpmath.fsum(p * q for p, q in zip(am, vm))
        bv = mpmath.fsum(p * q for p, q in zip(bm, vm))
        truth = np.empty((n, n), dtype=object)
        expect = np.empty((n, n), dtype=object)
        for i in range(n):
            for j in range(n):
                if fam == "relu^2":
                    s = -mpmath.sin(av) * am[i] * am[j] + mpmath.mpf("0.5") * bm[i] * bm[j]
                else:
                    s = mpmath.mpf("0.09") * mpmath.exp(mpmath.mpf("0.3") * bv) * bm[i] * bm[j] \
                        - mpmath.cos(av) * am[i] * am[j]
                truth[i, j], expect[i, j] = +s, "smooth"
                if i == j:
                    if v[i] == 0 and side is not None:
                        up = 2 if side > 0 else (0 if fam == "relu^2" else -2)
                        truth[i, j] = +(s + up)
                    elif v[i] == 0:
                        truth[i, j], expect[i, j] = NAN, "nonexistent"
                    elif fam == "relu^2":
                        truth[i, j] = +(s + (2 if v[i] > 0 else 0))
                    else:
                        truth[i, j] = +(s + (2 if v[i] > 0 else -2))
                    if v[i] != 0:  # the joint is |v_i| away along axis i
                        line = (lambda t, i=i: f(np.where(np.arange(n) == i, t, v)))
                        expect[i, j] = _reach(line, v[i], 2, abs(v[i]), truth[i, j],
                                              sided=side is not None)
                        if side is not None and np.sign(v[i]) == side:  # joint behind it
                            expect[i, j] = "smooth"
    family = f"hess {fam} ({'near 0' if label.startswith('near') else label})"
    if side is None:
        b.add(f"hess {fam}[n={n},s{seed},{label}]", "hessian_kink", f, np.array(v, float),
              truth, expect, 2, op="hessian", family=family)
    else:
        method = "forward" if side > 0 else "backward"
        b.add(f"hess {fam}[n={n},s{seed},{label},{method}]", "one_sided", f,
              np.array(v, float), truth, expect, 2, op="hessian", kwargs={"method": method},
              family=f"{family}, {method}")


# -- 4. noise ---------------------------------------------------------------------------------------

def _noisy_sin(sigma, seed):
    def make():
        rng = np.random.default_rng(seed)

        def f(t):
            t = np.asarray(t, dtype=float)
            return np.sin(t) + sigma * rng.standard_normal(t.shape)
        return f
    return make


def _noise(b):
    for sigma in (1e-10, 1e-8, 1e-6, 1e-4):
        for seed in range(4):
            for t in (0.7, 2.0, 10.3):
                for order in (1, 2):
                    for rtol in (None, 1e-8):
                        kw = {} if rtol is None else {"rtol": rtol}
                        truth = template_truth("sin(t)", "", (), t, order)
                        b.add(f"sin+noise[sigma={sigma:g},seed={seed},t={_g(t)},k={order},"
                              f"rtol={rtol}]", "noise", None, t, truth, "noisy", order, kwargs=kw,
                              family=f"sin+noise sigma={sigma:g}", make=_noisy_sin(sigma, seed))
    for decimals in (2, 3, 4, 6, 8, 10, 12):
        for t in (0.7, 2.0, 10.3, 100.3):
            for order in (1, 2):
                b.add(f"round(sin t,{decimals})[t={_g(t)},k={order}]", "noise",
                      lambda t, d=decimals: np.round(np.sin(t), d), t,
                      template_truth("sin(t)", "", (), t, order), "noisy", order,
                      family=f"round(sin t, {decimals})")


# -- 4b. fine wiggles: a smooth f plus a small fast sine ---------------------------------------------

def _wiggles(b):
    """g(t) + a sin(w t + p): amplitude a from 200 ulps of |g| to 1e-3, frequency w up to 1e8.
    At steps far above the period the sine looks like noise of size a; its derivatives
    (a w, a w**2) can be far larger than g's, and within reach only where steps below the
    period still see it above round-off: ``limit`` (a success must be right, any flag is)."""
    rng = np.random.default_rng(20261208)
    eps = np.finfo(float).eps
    gs = {"exp": ("exp(t)", np.exp), "atan": ("atan(t)", np.arctan),
          "cube": ("t**3 + t", lambda t: t ** 3 + t), "log(1+t^2)": ("log(1 + t**2)", np.log1p)}
    made = 0
    while made < 150:
        label = list(gs)[rng.integers(len(gs))]
        src, g = gs[label]
        a, w = float(10 ** rng.uniform(-15, -3)), float(10 ** rng.uniform(0, 8))
        p = float(rng.uniform(0, 2 * np.pi))
        x = float(np.round(rng.uniform(-3, 3), 3)) * float(10 ** rng.integers(0, 3))
        with np.errstate(all="ignore"):
            gx = float(g(x * x) if label == "log(1+t^2)" else g(x))
        if not np.isfinite(gx) or abs(gx) > 1e300 or a < 200 * eps * abs(gx):
            continue  # (below 200 ulps of f the sine is f's rounding, not part of f)
        made += 1
        for order in (1, 2):
            b.template(f"{label}+a sin(wt+p)[a={a:.3g},w={w:.3g},p={p:.3g},t={_g(x)},k={order}]",
                       "wiggle", f"{src} + a*sin(w*t + p)", "a w p", (a, w, p), x, order,
                       expect="limit", family=f"{label} + a sin(w t + p)")


def _swamped(b):
    """f whose derivatives are tiny against f itself, down to f's rounding: c + exp(-t),
    log(1 + e^t) far right, t + c exp(-t**2) in the tail, with c from 1 to 1e4, orders 1-3,
    central, forward and backward. f varies on a scale of 1 while the steps start at x's scale,
    and its values carry the derivative to a few digits at best; a one-sided stencil sees only
    the side where f flattens. ``limit``: a success must be right, any flag is (found
    2026-12-08 by a sweep of special functions: logaddexp(0, t) at 26, third derivative,
    forward, -1.9e-13 +- 9.7e-13 for -5.6e-12)."""
    rng = np.random.default_rng(20261209)
    fams = (("c+exp(-t)", "c + exp(-t)", (2.0, 35.0)), ("log(1+e^t)", "c/c*log(1 + exp(t))", (2.0, 35.0)),
            ("t+c exp(-t^2)", "t + c*exp(-t**2)", (2.0, 6.0)))
    for label, src, (lo, hi) in fams:
        for c in (1.0, 30.0, 1e4):
            for x in np.round(rng.uniform(lo, hi, 4), 4):
                for order in (1, 2, 3):
                    for method in ("central", "forward", "backward"):
                        kw = {} if method == "central" else {"method": method}
                        b.template(f"{label}[c={_g(c)},t={_g(x)},k={order},{method}]", "swamped",
                                   src, "c", (c,), float(x), order, expect="limit", kwargs=kw,
                                   family=f"{label}, {method}")


# -- 5. one-sided methods: the derivative from the side they sample --------------------------------

#: The kink family's pieces: name -> (left of 0, right of 0), polynomials in t.
_PIECES = {"max(t,0)^2": ("0", "t**2"), "t|t|": ("-t**2", "t**2"), "|t|^3": ("-t**3", "t**3"),
           "max(t,0)^3": ("0", "t**3"), "|t|": ("-t", "t"), "relu": ("0", "t")}


def _far_piece(name, t, order, side):
    """The derivative at t of the kink family's piece on ``side`` of 0 (+1: right).

    A joint on a one-sided stencil's side, closer to x than the stencil can reach with its
    round-off (``limit``), may be out of sight: the steps that can still see f straddle it,
    and show the far piece's derivative. A success there may be right about either piece
    (``Case.also``); the central default sees both sides."""
    expr = sympy.sympify(_PIECES[name][side > 0], locals={"t": T})
    with mpmath.workdps(DPS):
        return mpmath.mpf(sympy.diff(expr, T, order).subs(T, sympy.Float(t, DPS)))


def _one_sided(b):
    """``method="forward"`` samples x and points to its right, ``"backward"`` to its left:
    at a joint at x they give that side's derivative (the right-hand derivative for forward);
    near a joint on their side, the right value or a flag; beside one on the other side, the
    derivative; with noise, a flag."""
    for method, s in (("forward", 1), ("backward", -1)):
        kw = {"method": method}
        for name, (f, near, at0) in _kink_family().items():
            for order in sorted(set(near) | set(at0)):
                b.add(f"{name}[t=0,k={order},{method}]", "one_sided", f, 0.0,
                      mpmath.mpf(_one_sided_power(name, s * 1e-300, order)), "smooth", order,
                      kwargs=kw, family=f"{name} at 0, {method}")
                for d in (1e-1, 1e-3, 1e-6):
                    for side in (-1, 1):
                        t = side * d
                        truth = mpmath.mpf(_one_sided_power(name, t, order))
                        expect = _reach(f, t, order, d, truth, True) if side == -s else "smooth"
                        also = _far_piece(name, t, order, s) if expect == "limit" else None
                        b.add(f"{name}[t={_g(t)},k={order},{method}]", "one_sided", f, t, truth,
                              expect, order, kwargs=kw, family=f"{name} near 0, {method}",
                              also=also)
        for t0 in (0.3, 1.7, -2.5, 100.25, 1000.1, 86400.5):
            scale = max(abs(t0), 1.0)
            for cjump, p in (("C1", 2), ("C2", 3)):
                def f(t, t0=t0, p=p):
                    return np.sin(t) + 1.5 * np.minimum(t - t0, 0.0) ** p

                for order in range(1, p + 1):
                    b.add(f"{cjump} join[t0={_g(t0)},k={order},{method}]", "one_sided", f, t0,
                          _join_truth(t0, t0, p, order, s), "smooth", order, kwargs=kw,
                          family=f"{cjump} join at t0, {method}")
                for d in (1e-1, 1e-3, 1e-6):
                    for side in (-1, 1):
                        t = t0 + side * d * scale
                        truth = _join_truth(t, t0, p, p)
                        expect = (_reach(f, t, p, d * scale, truth, True) if side == -s
                                  else "smooth")
                        also = _join_truth(t, t0, p, p, s) if expect == "limit" else None
                        b.add(f"{cjump} join[t0={_g(t0)},t=t0{side * d:+g}*s,k={p},{method}]",
                              "one_sided", f, t, truth, expect, p, kwargs=kw,
                              family=f"{cjump} join near t0, {method}", also=also)
        for sigma in (1e-8, 1e-6, 1e-4):
            for seed in range(2):
                for t in (0.7, 2.0):
                    for order in (1, 2):
                        b.add(f"sin+noise[sigma={sigma:g},seed={seed},t={_g(t)},k={order},"
                              f"{method}]", "one_sided", None, t,
                              template_truth("sin(t)", "", (), t, order), "noisy", order,
                              kwargs=kw, family=f"sin+noise, {method}",
                              make=_noisy_sin(sigma, seed))
        for decimals in (3, 6, 10):
            for t in (0.7, 10.3):
                for order in (1, 2):
                    b.add(f"round(sin t,{decimals})[t={_g(t)},k={order},{method}]", "one_sided",
                          lambda t, d=decimals: np.round(np.sin(t), d), t,
                          template_truth("sin(t)", "", (), t, order), "noisy", order, kwargs=kw,
                          family=f"round(sin t), {method}")


# -- 6. false alarms: smooth cases that must succeed -----------------------------------------------

def _false_alarms(b):
    def sinc(t):
        return np.sin(t) / t  # NaN at 0 (0/0); the derivative there exists and is 0

    b.add("sin(t)/t[t=0,k=1]", "false_alarm", sinc, 0.0, mpmath.mpf(0), "smooth", 1,
          family="sin(t)/t")
    b.add("sin(t)/t[t=0,k=2]", "false_alarm", sinc, 0.0, mpmath.mpf(-1) / 3, "smooth", 2,
          family="sin(t)/t")
    for t in (1e-8, -1e-8, 1e-4, 1e-2):
        b.add(f"sin(t)/t[t={_g(t)},k=1]", "false_alarm", sinc, t,
              template_truth("sin(t)/t", "", (), t, 1), "smooth", 1, family="sin(t)/t")
    for t, orders in ((1e8, (1,)), (1e8 + 0.5, (1,)), (1e6 + 0.1, (1, 2))):
        for order in orders:
            b.template(f"sin(t)[t={_g(t)},k={order}]", "false_alarm", "sin(t)", "", (), t, order,
                       family="sin at huge t")
    b.template("t+sin(2pi t)[t=100.3,k=1]", "false_alarm", "t + a*sin(w*t)", "a w",
               (1.0, 2 * np.pi), 100.3, 1, family="t+sin(2pi t)")
    b.add("t|t|[t=0,k=1]", "false_alarm", lambda t: t * np.abs(t), 0.0, mpmath.mpf(0),
          "smooth", 1, family="t|t| at 0 order 1")
    simple = [("exp(t)", "exp(t)", (50.0, 1.0, -30.0, 700.0)),
              ("log(t)", "log(t)", (1e-3, 1e-8, 1e5)),
              ("1/t", "1/t", (1e-5, -1e-5, 1e-100, 1e3)),
              ("t^2", "t**2", (1e8, 1e-8, 1e150)),
              ("tanh(t)", "tanh(t)", (20.0, 5.0, -20.0, 0.0)),
              ("sqrt(t)", "sqrt(t)", (1e-6, 1e6)),
              ("atan(t)", "atan(t)", (1e4, 0.0))]
    for label, src, ts in simple:
        for t in ts:
            for order in (1, 2):
                b.template(f"{label}[t={_g(t)},k={order}]", "false_alarm", src, "", (), t, order,
                           family=label)


@functools.lru_cache(maxsize=1)
def build_cases():
    """Every case of the sweep (built once; truths are cached)."""
    b = _Builder()
    with np.errstate(all="ignore"):
        _periodic(b)
        _jumps(b)
        _hessians(b)
        _noise(b)
        _wiggles(b)
        _one_sided(b)
        _swamped(b)
        _false_alarms(b)
    return tuple(b.cases)


# ---------------------------------------------------------------------------------------------
# running and classifying

@dataclasses.dataclass
class Record:
    """The outcome for one case, or one Hessian element."""

    name: str
    kind: str
    family: str
    expect: str
    value: float
    error: float
    truth: object
    status: int
    message: str
    cls: str
    true_error: float


def classify(expect, status, honest):
    """One of :data:`CLASSES` (see the module docstring); ``honest``: true error <= error bar."""
    from derivlab import Status

    if status >= 0:
        return "ok" if honest and expect != "nonexistent" else "confident_wrong"
    if expect == "smooth":
        return "false_alarm"
    if expect == "limit":  # beyond float64's reach: any failure is a right answer
        return "flagged_right"
    right = Status.NOT_SMOOTH if expect == "nonexistent" else Status.NOISY
    return "flagged_right" if status == right else "flagged_other"


def _true_error(value, truth):
    if isinstance(truth, float) and np.isnan(truth):
        return NAN
    if not np.isfinite(value):
        return float("inf")
    with mpmath.workdps(DPS):
        return abs(mpmath.mpf(float(value)) - truth)


def run_case(case):
    """Run derivlab on one case: a list of :class:`Record` (one, or one per Hessian element)."""
    import derivlab
    from derivlab import Status

    f = case.f
    with np.errstate(all="ignore"):
        if case.op == "hessian":
            res = derivlab.hessian(f, case.x, **case.kwargs)
        else:
            res = derivlab.derivative(f, case.x, order=case.order, **case.kwargs)
    value = np.asarray(res.value, dtype=float)
    error = np.asarray(res.error, dtype=float)
    status = np.asarray(res.status)
    if case.op == "hessian":
        n = value.shape[0]
        elems = [(i, j) for i in range(n) for j in range(i, n)]
    else:
        elems = [()]
    out = []
    for e in elems:
        expect = case.expect[e] if case.op == "hessian" else case.expect
        truth = case.truth[e] if case.op == "hessian" else case.truth
        v, err, st = float(value[e]), float(error[e]), int(status[e])
        terr = _true_error(v, truth)
        if case.also is not None:  # (the nearer of the two answers it may give)
            terr = min(terr, _true_error(v, case.also))
        te = float(terr)
        # compare in mpmath: a float rounding of the true error must not decide
        success = st >= 0
        if success and np.isfinite(te) and np.isfinite(err):
            honest = terr <= mpmath.mpf(err)
        else:
            honest = False
        cls = classify(expect, Status(st), bool(honest))
        name = case.name if not e else f"{case.name}[{e[0]},{e[1]}]"
        out.append(Record(name, case.kind, case.family, expect, v, err, truth, st, res.message,
                          cls, te))
    return out


def run_sweep(cases=None):
    """All records of ``cases`` (default: the whole sweep)."""
    cases = build_cases() if cases is None else cases
    records = []
    for case in cases:
        records.extend(run_case(case))
    return records


def summarise(records):
    """kind -> Counter of classes (plus 'records')."""
    out = collections.OrderedDict((k, collections.Counter()) for k in KINDS)
    for r in records:
        out[r.kind]["records"] += 1
        out[r.kind][r.cls] += 1
    return out


def _fmt_truth(t):
    if isinstance(t, float):
        return "nan" if np.isnan(t) else repr(t)
    return mpmath.nstr(t, 17)


def describe(r):
    from derivlab import Status

    return (f"{r.name}: value={r.value!r} error={r.error:.3g} truth={_fmt_truth(r.truth)} "
            f"true_err={r.true_error:.3g} status={Status(r.status).name} msg={r.message!r}")


def print_report(records, list_other=False):
    from derivlab import Status

    summ = summarise(records)
    cols = ("kind", "records") + CLASSES
    print("| " + " | ".join(cols) + " |")
    print("|---" * len(cols) + "|")
    total = collections.Counter()
    for kind, c in summ.items():
        print("| " + " | ".join([kind, str(c["records"])] + [str(c[k]) for k in CLASSES]) + " |")
        total.update(c)
    print("| " + " | ".join(["**all**", str(total["records"])] + [str(total[k]) for k in CLASSES])
          + " |")
    ratios = [r.true_error / r.error for r in records
              if r.status >= 0 and np.isfinite(r.true_error) and r.error > 0]
    if ratios:
        print(f"\nsuccesses with a finite truth: {len(ratios)}; true error / error bar: "
              f"max {max(ratios):.2f}, 95th percentile {np.percentile(ratios, 95):.2f}")
    for cls in ("confident_wrong", "false_alarm"):
        bad = [r for r in records if r.cls == cls]
        print(f"\n## {cls}: {len(bad)}")
        fams = collections.Counter((r.kind, r.family) for r in bad)
        for (kind, fam), k in sorted(fams.items()):
            print(f"  {kind:13s} {fam:40s} {k}")
        print()
        for r in bad:
            allowed = " (allow-listed)" if cls == "false_alarm" and r.name in FALSE_ALARM_ALLOWLIST \
                else ""
            print(f"- [{r.kind}] {describe(r)}{allowed}")
    other = [r for r in records if r.cls == "flagged_other"]
    print(f"\n## flagged_other: {len(other)} (expected nonexistent/noisy, flagged with another "
          "status)")
    by = collections.Counter((r.kind, r.expect, Status(r.status).name) for r in other)
    for (kind, expect, st), k in sorted(by.items()):
        print(f"  {kind:13s} expected {expect:11s} got {st:14s} {k}")
    if list_other:
        for r in other:
            print(f"- [{r.kind}] {describe(r)}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kind", choices=KINDS, help="run one kind only")
    ap.add_argument("--list-other", action="store_true", help="list every flagged_other record")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    cases = build_cases()
    if args.kind:
        cases = [c for c in cases if c.kind == args.kind]
    t1 = time.perf_counter()
    records = run_sweep(cases)
    t2 = time.perf_counter()
    print(f"# derivlab red-team sweep: {len(cases)} cases, {len(records)} records "
          f"(building cases and truths {t1 - t0:.1f} s, running {t2 - t1:.1f} s)\n")
    print_report(records, args.list_other)


if __name__ == "__main__":
    main()
