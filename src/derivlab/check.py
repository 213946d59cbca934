"""check_grad: is a hand-written gradient right, and if not, where and why (against derivlab.gradient)."""

from __future__ import annotations

import html
from collections import namedtuple
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from types import SimpleNamespace

import numpy as np

from . import _validate as V
from ._errors import InputError, InputTypeError
from ._namespace import namespace_of, to_numpy
from .api import gradient
from .result import Status, _html_table
from .symbolic.adapter import as_callable
from .symbolic.formulas import Formula, _sympy_expr
from ._validate import checked_options

__all__ = ["check_grad", "GradCheck", "Mismatch", "Undecided"]

ULPS = 100  #: the user's round-off allowance, in eps of the gradient's scale
ROWS = 10   #: rows of the printed table
_WHY = {
    Status.NOT_SMOOTH: "f has a kink here (e.g. relu at 0): the derivative does not exist, not a bug in grad",
    Status.NOISY: "f is noisy here (random, quantised, an inexact solver): no derivative to compare with",
    Status.ROUNDOFF: "f's round-off swamps its change along this element (float32? try float64)",
}
Mismatch = namedtuple("Mismatch", "param index grad numeric error")
Mismatch.__doc__ = "A wrong element: parameter (None for an array x), index, grad's value, numeric +- error."
Undecided = namedtuple("Undecided", "param index status reason")
Undecided.__doc__ = "An element the numeric derivative could not judge: its Status and why."


@checked_options
def check_grad(f, grad, x, *, args=(), rtol=None, method="central", unpack=False, batch=False,
               executor=None, workers=None):
    """Check a hand-written gradient against derivlab's numeric one: where is it wrong, and why.

    Parameters
    ----------
    f : callable, str, Formula or sympy.Expr
        ``f(x, *args)`` returning a scalar, or a formula (as in :func:`derivlab.gradient`).
    grad : callable, array_like or mapping
        The gradient to check: a function called like f (returning x's shape, or a dict
        like x), or its values already computed.
    x : array_like or mapping of str to array_like
        The point, of any shape, or named parameters ``{"W1": ..., "b1": ...}`` that f and
        grad take as a dict (mixed float dtypes reach f in the widest). Never modified.
        An array of another array-API library (PyTorch, JAX, ...; with ``array-api-compat``
        installed), or a mapping of them (one library, one device; plain numbers are
        allowed beside them): f and grad are called with arrays of that library on x's
        device, as in :func:`derivlab.gradient` (a formula f is evaluated in numpy); the
        report's arrays (``numeric``, ``error``, ``result``) are numpy.
    args : tuple, optional
        Extra arguments for f and grad.
    rtol : float, optional
        Also accept relative differences below rtol (the numeric derivative stops earlier).
    method, unpack, batch
        As in :func:`derivlab.gradient` (unpack and batch with an array x only).
    executor : concurrent.futures.Executor or distributed.Client, optional
        Evaluate f for the numeric gradient in parallel there, as in
        :func:`derivlab.gradient` (f is called once per point; grad, and the few calls of f
        that measure its round-off, run here). The report is the one of a serial check, bit
        for bit. A process pool needs a picklable f and args (defined at module level, or a
        formula). Your executor is not shut down.
    workers : int, optional
        Shortcut for ``executor``: one ``ProcessPoolExecutor(max_workers=workers)`` for the
        whole check, shut down when it ends (on an error or Ctrl-C too).

    Returns
    -------
    GradCheck
        ``ok``, ``wrong``, ``undecided``, ``diagnosis``, ``numeric``, ``error``, ``result``;
        print it for a report.

    Raises
    ------
    InputError, InputTypeError
        Before f is called: grad neither callable nor numbers, grad's keys or shapes unlike
        x's (the message names the parameter and both shapes), x not finite, a bad
        ``executor`` or ``workers`` (or both given), f or args not picklable for a process pool.

    Notes
    -----
    Element i is *wrong* when ``|g_i - n_i| > e_i + 100 eps_i (|n_i| + S) + 2 rho_i + rtol |n_i|``.
    ``n_i +- e_i``: the numeric derivative and its bar, which bounds its error where its
    status succeeded, f's round-off in f's precision included. The bars assume f rounds
    within ``4 eps |f|``; f's rounding is measured at x and three points near it against f
    in a wider precision (float64 for float32, long double for float64 where wider), and
    if it reaches ``kappa eps |f|``, kappa > 2 (cancellation inside f: a least-squares loss
    near its optimum), every bar is widened kappa/2 times. The rest is the user's round-off:
    ``eps_i`` the coarser precision of the parameter and of grad, ``S`` the largest
    ``|n_j|``, ``rho_i`` the difference between grad and grad called in the wider precision
    (0 if grad is an array or rejects it). A right gradient fails only if one of these
    bounds fails; a factor, sign, transpose or dropped term is caught wherever it moves g_i
    by more. NaN/inf in grad is wrong. Elements whose numeric derivative failed (a kink,
    noise, NaN ...) get no verdict but a reason, in ``undecided``. ``ok`` (and
    ``bool(report)``) is True when no element is wrong and at least one was checked.

    Examples
    --------
    >>> import numpy as np, derivlab
    >>> f = lambda p: np.sum(p["w"] ** 3) + p["b"] * p["w"][0]
    >>> grad = lambda p: {"w": 3 * p["w"] ** 2 + [p["b"], 0.0], "b": p["w"][0]}
    >>> x = {"w": np.array([1.0, -2.0]), "b": 0.5}
    >>> derivlab.check_grad(f, grad, x)
    grad is right at all 3 elements (max relative difference ...)
    >>> flipped = lambda p: {"w": -3 * p["w"] ** 2 - [p["b"], 0.0], "b": p["w"][0]}
    >>> bad = derivlab.check_grad(f, flipped, x)
    >>> bool(bad), [(m.param, m.index) for m in bad.wrong]
    (False, [('w', (0,)), ('w', (1,))])
    >>> print(bad)
    grad is wrong at 2 of 3 elements, all in 'w' (max relative difference 2)
    param  index          grad        numeric +- error
    'w'    (0,)           -3.5            3.5 +- ...
    'w'    (1,)            -12             12 +- ...
    why: 'w': sign flipped at every element
    """
    args = V.check_args(args)
    if rtol is not None and not V.check_real("rtol", rtol) > 0:
        raise InputError(f"rtol must be positive, got {rtol!r}")
    if not (callable(f) or _is_formula(f)):
        raise InputTypeError(f"f must be callable (a function of x) or a formula, got {type(f).__name__}")
    V.check_method(method, 1, None)
    V.check_executor(executor, workers)
    ns, x = _library(x)
    layout, xs = _point(f, x, unpack, batch)
    if ns is not None:  # f and grad get arrays of x's library, and give numpy back
        npoints = xs[0].shape[-1] if unpack else 1
        f = f if _is_formula(f) else _InLibrary(f, ns, npoints)
        grad = _InLibrary(grad, ns, npoints) if callable(grad) else grad
    graw = _user_grad(grad, layout, xs, args, unpack)
    with V.evaluation_pool(executor, workers, f, args) as ex:
        res = _numeric(f, layout, xs, args, method, rtol, unpack, batch, ex)
    wide = _wider(layout.dtype)
    rho = _grad_roundoff(grad, layout, xs, args, unpack, graw, wide)
    kappa = 0.0 if batch or wide is None else _f_roundoff(_flat_f(f, layout, xs, args, unpack),
                                                          layout.flat(xs), res, wide)
    return _judge(layout, xs, graw, res, rtol, rho, kappa)


def _library(x):
    """The Namespace of x (an array of another library, or a mapping of them), or None; and x
    with numpy arrays in their place."""
    if not isinstance(x, Mapping):
        ns = namespace_of(x)
        return ns, x if ns is None else to_numpy(x)
    found = {}
    for v in x.values():
        ns = namespace_of(v)
        if ns is not None:
            found.setdefault((ns.name, str(ns.device)), ns)
    if len(found) > 1:
        libs = ", ".join(f"{name} on {dev}" for name, dev in found)
        raise InputError(f"x's parameters are arrays of different libraries or devices ({libs}): "
                         "pass them all as arrays of one library on one device")
    if not found:
        return None, x
    return next(iter(found.values())), {k: to_numpy(v) for k, v in x.items()}


class _InLibrary:
    """``fn`` called with arrays of x's library: its first ``npoints`` arguments (numpy, or a
    dict of them) become arrays of x's library on x's device; what it returns (an array or
    a dict of them) comes back as numpy. Module level: it pickles, for a process pool."""

    def __init__(self, fn, namespace, npoints=1):
        self.fn, self.namespace, self.npoints = fn, namespace, npoints

    def __call__(self, *a):
        k = self.npoints
        out = self.fn(*(self._to(p) for p in a[:k]), *a[k:])
        return {n: to_numpy(v) for n, v in out.items()} if isinstance(out, Mapping) \
            else to_numpy(out)

    def _to(self, p):
        if isinstance(p, Mapping):
            return {n: self.namespace.asarray(v) for n, v in p.items()}
        return self.namespace.asarray(p)


class _Named:
    """f of the flat vector of named parameters: ``f(dict, *args)``. Module level: it
    pickles, for a process pool (when f and args do)."""

    def __init__(self, f, layout, args):
        self.f, self.layout, self.args = f, layout, args

    def __call__(self, v):
        return self.f(self.layout.build(v), *self.args)


def _is_formula(f):
    return isinstance(f, (str, Formula)) or _sympy_expr(f)


class _Layout:
    """Named arrays <-> one flat vector; names is (None,) for a plain array x."""

    def __init__(self, names, arrays, named):
        self.names, self.named, self.shapes = tuple(names), named, [a.shape for a in arrays]
        self.bounds = np.cumsum([0] + [a.size for a in arrays])
        self.dtype = np.result_type(*arrays)

    def flat(self, arrays, dtype=None):
        return np.concatenate([np.ravel(a).astype(dtype or self.dtype) for a in arrays])

    def build(self, v):
        parts = [np.array(v[a:b]).reshape(s) for s, a, b in zip(self.shapes, self.bounds, self.bounds[1:])]
        return dict(zip(self.names, parts)) if self.named else parts[0]

    def parts(self):
        return zip(self.names, self.shapes, self.bounds, self.bounds[1:])

    def locate(self, i):
        k = int(np.searchsorted(self.bounds, i, side="right")) - 1
        return self.names[k], tuple(int(j) for j in np.unravel_index(i - self.bounds[k], self.shapes[k]))


def _point(f, x, unpack, batch):
    """The layout of x, and x's parts as validated float copies in the layout's order."""
    if not isinstance(x, Mapping):
        xa = V.check_x(x)
        if unpack and xa.ndim != 1 + bool(batch):
            raise InputError(f"unpack=True needs x to be a 1-D vector of f's arguments (2-D with "
                             f"batch=True), got shape {xa.shape}")
        return _Layout([None], [xa], False), [xa]
    if unpack or batch:
        raise InputError("unpack and batch need x to be an array, not a dict of parameters")
    if not x:
        raise InputError("x must hold at least one parameter, got an empty dict")
    names = list(x)
    if _is_formula(f):
        from .symbolic import parse
        names = list(parse(f).variables)
        _same_keys(set(x), names, "x", "the formula's variables")
        if any(np.ndim(x[k]) for k in names):
            raise InputError("with a formula, each variable in x takes one number")
    parts = [V.check_x(x[k], name=f"x[{k!r}]") for k in names]
    return _Layout(names, [p.astype(np.result_type(*parts)) for p in parts], True), parts


def _same_keys(got, names, what, expected):
    missing, extra = [k for k in names if k not in got], [k for k in got if k not in names]
    if missing or extra:
        diff = ", ".join(f"{w} {ks}" for w, ks in (("missing", missing), ("extra", extra)) if ks)
        raise InputError(f"{what} has keys {sorted(map(str, got))}, {expected} are "
                         f"{sorted(map(str, names))}: {diff}")


def _user_grad(grad, layout, xs, args, unpack):
    """grad's values as arrays in the layout's order (grad called on copies), shapes checked."""
    if callable(grad):
        x = dict(zip(layout.names, (p.copy() for p in xs))) if layout.named else xs[0].copy()
        out = grad(x, *args) if layout.named else grad(*np.moveaxis(x, -1, 0), *args) if unpack \
            else grad(x[()] if x.ndim == 0 else x, *args)
    elif isinstance(grad, (str, bytes)):
        raise InputTypeError(f"grad must be a function like f or an array, got {grad!r}")
    else:
        out = grad
    if layout.named and not isinstance(out, Mapping):
        raise InputTypeError(f"grad must give a dict like x, got {type(out).__name__}")
    if layout.named:
        _same_keys(set(out), layout.names, "grad", "x's")
    vals = [_array(out[k], f"grad[{k!r}]") for k in layout.names] if layout.named else [_array(out, "grad")]
    for (name, shape, _, _), v in zip(layout.parts(), vals):
        if v.shape != shape:
            hint = " (transposed?)" if v.shape == shape[::-1] else \
                " (same size: reshape?)" if v.size == int(np.prod(shape)) else ""
            what = "x" if name is None else repr(name)
            raise InputError(f"grad has shape {v.shape} for {what}, but {what} has shape {shape}{hint}")
    return vals


def _array(v, name):
    a = V._to_array(v, name)
    if a.dtype.kind not in "biuf":
        raise InputTypeError(f"{name} must be numbers (a function like f or an array), got "
                             f"{type(v).__name__} of dtype {a.dtype}")
    return a if a.dtype.kind == "f" else a.astype(np.float64)


def _numeric(f, layout, xs, args, method, rtol, unpack, batch, executor=None):
    """derivlab's gradient; a user's f is called once per point (never trusted with a batch),
    a formula (a numpy function) with batches."""
    vectorized = None if _is_formula(f) else False  # (a formula is evaluated vectorized)
    if not layout.named:
        return gradient(f, xs[0], args=args, method=method, rtol=rtol, unpack=unpack, batch=batch,
                        vectorized=vectorized, executor=executor)
    if _is_formula(f):
        return gradient(f, layout.flat(xs), method=method, rtol=rtol, executor=executor)
    return gradient(_Named(f, layout, args), layout.flat(xs), method=method, rtol=rtol,
                    vectorized=False, executor=executor)


def _eps(dtype):
    return np.finfo(dtype).eps if dtype.kind == "f" else np.finfo(np.float64).eps


def _wider(dtype):
    """A float dtype more precise than dtype (float64; long double where it is wider), or None."""
    wide = np.dtype(np.float64 if _eps(dtype) > _eps(np.dtype(np.float64)) else np.longdouble)
    return wide if _eps(wide) < _eps(dtype) else None


def _quiet(fn, *a):
    """fn(*a), or None if it raises: f and grad need not accept a wider dtype (no probe then)."""
    try:
        with np.errstate(all="ignore"):
            return fn(*a)
    except Exception:  # noqa: BLE001
        return None


def _grad_roundoff(grad, layout, xs, args, unpack, graw, wide):
    """|grad - grad in the wider precision| per element: the user's own round-off, measured."""
    hi = None if wide is None or not callable(grad) else \
        _quiet(_user_grad, grad, layout, [p.astype(wide) for p in xs], args, unpack)
    if hi is None:
        return 0.0
    d = np.abs(layout.flat(hi, wide) - layout.flat(graw, wide)).astype(np.float64)
    return np.nan_to_num(d, nan=0.0, posinf=0.0)


def _flat_f(f, layout, xs, args, unpack):
    """f as a function of the flat vector."""
    if layout.named and not _is_formula(f):
        return _Named(f, layout, args)
    pt = layout.flat(xs) if layout.named else xs[0]
    g = as_callable(f, "gradient", pt)[0] if _is_formula(f) else f
    return lambda v: g(*v, *args) if unpack else g(v.reshape(pt.shape)[()], *args)


def _f_roundoff(fn, x, res, wide):
    """f's largest rounding error at x and three points a step away (against f in the wider
    precision), in units of eps |f|; 0 where it cannot be measured."""
    steps = np.nan_to_num(np.ravel(res.step).astype(float))
    signs = np.random.default_rng(0).choice([-1.0, 1.0], size=(3, x.size))
    worst = 0.0
    for p in [x, *(x + (s * steps).astype(x.dtype) for s in signs)]:
        lo, hi = _quiet(fn, p), _quiet(fn, p.astype(wide))
        if lo is None or hi is None or np.ndim(lo) or np.ndim(hi):
            return 0.0
        lo = np.asarray(lo)
        with np.errstate(all="ignore"):
            err = float(abs(np.asarray(hi, dtype=wide) - lo.astype(wide)))
            unit = max(_eps(x.dtype), _eps(lo.dtype)) * abs(float(lo))
        if unit > 0 and np.isfinite(err):  # (at f = 0 nothing relative can be measured)
            worst = max(worst, err / unit)
    return worst


def _judge(layout, xs, graw, res, rtol, rho, kappa):
    widen = max(1.0, kappa / 2)  # the bars assume f rounds within 4 eps |f|
    n, e = np.ravel(res.value).astype(float), widen * np.ravel(res.error).astype(float)
    st = np.array([int(s) for s in np.ravel(np.asarray(res.status, dtype=object))])
    g = layout.flat(graw, np.float64)
    eps = np.concatenate([np.full(v.size, max(_eps(layout.dtype), _eps(p.dtype), _eps(v.dtype)))
                          for p, v in zip(xs, graw)])
    checked = st >= 0
    tol = ULPS * eps * (np.abs(n) + np.max(np.abs(n[checked]), initial=0.0)) + 2 * rho \
        + (rtol or 0.0) * np.abs(n)
    with np.errstate(invalid="ignore"):
        bad = checked & ~(np.abs(g - n) <= e + tol)  # NaN in grad: wrong
    where = [layout.locate(i) for i in range(n.size)]
    wrong = [Mismatch(*where[i], float(g[i]), float(n[i]), float(e[i])) for i in np.flatnonzero(bad)]
    undecided = [Undecided(*where[i], Status(st[i]), _WHY.get(Status(st[i]), Status(st[i]).reason))
                 for i in np.flatnonzero(~checked)]
    data = dict(g=g, n=n, e=e, tol=tol, bad=bad, checked=checked, x=layout.flat(xs, np.float64))
    notes = () if widen < 10 else (f"f loses about {np.log10(kappa):.0f} digits to cancellation here "
                                   f"(it rounds up to {kappa:.1e} eps |f|): bars widened {widen:.2g}x, "
                                   "so the check is that much weaker",)
    return GradCheck(ok=not wrong and bool(checked.any()), wrong=wrong, undecided=undecided,
                     max_rel_error=_max_rel(g, n, e + tol, checked), numeric=layout.build(n),
                     error=layout.build(e), result=res, diagnosis=_diagnose(layout, data),
                     size=n.size, checked=int(checked.sum()), named=layout.named, notes=notes)


def _max_rel(g, n, band, checked):
    big = np.maximum(np.abs(g), np.abs(n))
    use = checked & ~(big <= band)  # resolved elements (and NaN in grad)
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.nan_to_num(np.abs(g[use] - n[use]) / big[use], nan=np.inf)
    return float(np.max(rel, initial=0.0))


def _diagnose(layout, d):
    """Plain-words reasons for the wrong elements, per parameter that has some."""
    lines = []
    for name, shape, a, b in layout.parts():
        p = SimpleNamespace(**{k: v[a:b] for k, v in d.items()})
        who, nonfinite = "grad" if name is None else repr(name), int((p.bad & ~np.isfinite(p.g)).sum())
        if nonfinite:
            lines.append(f"{who}: grad is NaN/inf at {nonfinite} element(s) (a log(0), 0/0 or "
                         "overflow in the gradient code?)")
        bad = p.bad & np.isfinite(p.g)
        if k := int(bad.sum()):
            lines.append(f"{who}: {_pattern(p, bad, shape, k)}{_place(bad.reshape(shape), k)}")
    return tuple(lines)


def _pattern(p, bad, shape, k):
    """The first pattern that fits the wrong elements: zeros, transpose, factor, L2 term, offset."""
    g, n, e, tol = p.g[bad], p.n[bad], p.e[bad], p.tol[bad]
    if not g.any():
        return ("grad is all zeros: never computed, or its term dropped?" if not p.g.any()
                else f"grad is 0 at {k} element(s) where the derivative is not: a missing term?")
    if len(shape) == 2 and _transposed(p, shape):
        return ("grad is the transpose of the derivative (a .T too many or too few)" if shape[0] == shape[1]
                else "grad holds the transposed derivative reshaped to this shape (reshape instead of .T)")
    c = _factor(g, n, e, tol, k)
    if c is not None:
        fr = Fraction(c).limit_denominator(12)
        words = "sign flipped" if c == -1 else \
            f"grad = {fr if float(fr) == c else f'{c:.4g}'} x the derivative"
        every = _fits(p.g[p.checked], p.n[p.checked], c, p.e[p.checked], p.tol[p.checked])
        return words + (" at every element" if every else f" at the {k} wrong element{'s' * (k > 1)}")
    lam = _fit(g - n, p.x[bad], e + tol) if k > 1 and np.ptp(p.x[bad]) > 0 else None
    if lam is not None:
        return f"grad - derivative = {lam:.3g} x the parameter: a weight-decay (L2) term f and grad " \
            "disagree on"
    off = _fit(g - n, np.ones(k), e + tol) if k > 1 else None
    if off is not None:
        return f"grad is off by a constant {off:.3g}: a missing or extra term?"
    return "no simple pattern (not a factor, transpose, zeros or offset): a wrong chain-rule term?"


def _transposed(p, shape):
    t = lambda a: a.reshape(shape).T.reshape(-1)  # noqa: E731
    both = p.checked & t(p.checked)
    return bool(both.any() and np.all((np.abs(p.g - t(p.n)) <= p.e + p.tol + t(p.e + p.tol))[both]))


def _fit(y, basis, band):
    """c with y ~ c * basis within band, or None."""
    c = float(np.median(y / basis)) if np.all(basis != 0) else None
    return c if c is not None and np.all(np.abs(y - c * basis) <= band + 1e-9 * np.abs(y)) else None


def _factor(g, n, e, tol, k):
    """A constant c != 1 with g ~ c n at the wrong elements (a simple fraction if that fits)."""
    use = np.abs(n) > e + tol
    if not use.any():
        return None
    c = float(np.median(g[use] / n[use]))
    simple = Fraction(c).limit_denominator(12 if k > 1 else 4)
    if _fits(g, n, float(simple), e, tol) and (k > 1 or abs(simple.numerator) <= 4):
        return float(simple)  # one element: a simple ratio only
    return c if k > 1 and _fits(g, n, c, e, tol) else None


def _fits(g, n, c, e, tol):
    return bool(np.all(np.abs(g - c * n) <= abs(c) * e + tol + 1e-9 * np.abs(g)))


def _place(bad, k):
    """Where the wrong elements lie, when that narrows it: one row or one column of a matrix."""
    idx = np.argwhere(bad)
    if bad.ndim < 2 or k < 2 or k == bad.size:
        return ""
    if len(set(idx[:, 0])) == 1 and bad.shape[0] > 1:
        return f"; only row {idx[0, 0]} is wrong"
    return f"; only column {idx[0, -1]} is wrong" if len(set(idx[:, -1])) == 1 and bad.shape[-1] > 1 else ""


@dataclass(frozen=True, repr=False, eq=False)
class GradCheck:
    """The verdict of :func:`check_grad`; ``str()`` is a short report, ``bool()`` is ``ok``.

    ``ok``: no checked element is wrong and at least one was checked. ``wrong``: a
    :class:`Mismatch` ``(param, index, grad, numeric, error)`` per wrong element (param None
    for an array x). ``undecided``: an :class:`Undecided` ``(param, index, status, reason)``
    per element the numeric derivative could not judge. ``max_rel_error``: the largest
    ``|g - n| / max(|g|, |n|)`` over checked elements larger than their band. ``numeric``,
    ``error``: the numeric gradient and the bars used (widened where f cancels), in x's
    structure. ``result``: derivlab's Result (over the flattened parameters for a dict).
    ``diagnosis``: why, per parameter with wrong elements. ``notes``: what weakened the
    check. ``size``, ``checked``: elements, and those judged.
    """

    ok: bool
    wrong: list
    undecided: list
    max_rel_error: float
    numeric: object
    error: object
    result: object
    diagnosis: tuple
    size: int
    checked: int
    named: bool
    notes: tuple = ()

    def __bool__(self):
        return self.ok

    def verdict(self):
        rel = f"(max relative difference {self.max_rel_error:.2g})"
        if self.wrong:
            params = list(dict.fromkeys(m.param for m in self.wrong))
            where = (", all in " if len(params) == 1 else ", in ") + ", ".join(map(repr, params))
            return f"grad is wrong at {len(self.wrong)} of {self.size} elements{where * self.named} {rel}"
        if not self.checked:
            return f"no element of {self.size} could be checked"
        of = f"checked elements of {self.size}" if self.checked < self.size else "elements"
        return f"grad is right at {f'all {self.checked} {of}' if self.size > 1 else 'x'} {rel}"

    def _rows(self):
        head = [("param",) * self.named + ("index", "grad", "numeric", "error")]
        return head + [(repr(m.param),) * self.named + (str(m.index), f"{m.grad:.6g}", f"{m.numeric:.6g}",
                                                         f"{m.error:.2g}") for m in self.wrong[:ROWS]]

    def _remarks(self):
        groups = {}
        for u in self.undecided:
            groups.setdefault(u.reason, []).append(f"{u.param!r} " * self.named + str(u.index))
        return [f"why: {w}" for w in self.diagnosis] + [
            f"not checked at {len(w)} element{'s' * (len(w) > 1)}, {', '.join(w[:3])}"
            f"{' ...' if len(w) > 3 else ''}: {r}" for r, w in groups.items()] + \
            [f"note: {w}" for w in self.notes]

    def __str__(self):
        lines = [self.verdict()]
        if self.wrong:
            widths = (6,) * self.named + (8, 11, 14, 0)
            lines += [" ".join([c.ljust(w) if i <= self.named else c.rjust(w)
                                for i, (c, w) in enumerate(zip(r[:-1], widths))] + ["+-", r[-1]])
                      for r in self._rows()]
            lines += [f"... and {len(self.wrong) - ROWS} more"] if len(self.wrong) > ROWS else []
        return "\n".join(lines + self._remarks())

    __repr__ = __str__

    def _repr_html_(self):
        esc = html.escape
        head, *rows = self._rows()
        table = _html_table(head, rows) if rows else ""
        notes = "".join(f"<li>{esc(w)}</li>" for w in self._remarks())
        return f"<div><p><b>{esc(self.verdict())}</b></p>{table}<ul>{notes}</ul></div>"

    def to_dict(self):
        """Plain data (JSON-ready): verdict, wrong and undecided elements, diagnosis, notes,
        numeric gradient and error bars."""
        plain = lambda a: {k: np.asarray(v).tolist() for k, v in a.items()} if self.named \
            else np.asarray(a).tolist()  # noqa: E731
        return {"ok": self.ok, "verdict": self.verdict(), "size": self.size, "checked": self.checked,
                "max_rel_error": self.max_rel_error,
                "wrong": [{**m._asdict(), "index": list(m.index)} for m in self.wrong],
                "undecided": [{**u._asdict(), "index": list(u.index), "status": u.status.name}
                              for u in self.undecided],
                "diagnosis": list(self.diagnosis), "notes": list(self.notes),
                "numeric": plain(self.numeric), "error": plain(self.error)}
