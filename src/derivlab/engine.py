"""The engine: perturbed points -> evaluations -> weighted sums -> extrapolation.

Every quantity derivlab computes is a set of *components*. A component is a
base point, one or two directions (an axis of x with a scale), and a template
(offsets in units of the step h along those directions, weights, the power of
h). A first partial is a line template on one axis; a Hessian entry is a second
difference on one axis or the mixed template on two. Each component walks a
ladder of steps ``h = start * RATIO**-e`` (RATIO = 1.9, not a power of two, so that no
periodic part of f hides between the steps; dropping RATIO**3 at once while far from
settling); each round builds the points of every active component first,
evaluates them in one batch (shared points once) and feeds a Richardson tableau
per component. The estimate with the smallest Ridders-style error (twice the
differences in the tableau plus propagated round-off) is kept; a later level that
contradicts it widens its bar. The walk stops when truncation falls below
round-off, the error starts growing, or the ladder ends. NaN/inf on one side
shrinks a line's central stencil to fit beside the edge (_fit_edge), or switches it to
a one-sided ladder. The detectors that run on every level
(noise, unresolved wiggles, quantised f, jumps in the derivative) live in
:mod:`derivlab.detect`; what they find decides whether the walk may stop. The tableau, the
value kept, the stopping and success rules and the round-off bound live in
:mod:`derivlab.tableau`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from .result import Status
from .stencils import Stencil
from .evaluate import CHUNK_BYTES
from .detect import NOISE_ULPS, NOISE_Z, diagnose
from ._progress import Progress
from ._rows import row_all, row_max
from .steps import CENTRAL_LIMIT, RATIO, ladder, levels_below, max_levels, snap
from .tableau import (KMAX, RTOL_LEVELS, SAFETY, _accepted, _below_x, _noise, _passed_joint, _rtol,
                      _tableau)

__all__ = ["Template", "Components", "Outcome", "MIXED",
           "run"]

@dataclass(frozen=True)
class Template:
    """Offsets ``coef`` (m, q) in units of h along q directions, weights (m,), power of h."""

    coef: np.ndarray
    weights: np.ndarray
    order: int
    accuracy: int
    even: bool
    kind: str

    @functools.cached_property
    def abs_weights(self):
        """|weights| and their sum (cached: the engine asks every level)."""
        a = np.abs(self.weights)
        return a, a.sum()

    @functools.cached_property
    def line_order(self):
        """Line templates: argsort of the offsets, and of the offsets with 0 appended (the
        position p of 0 among them), for the slopes between neighbouring points; the gaps
        between neighbouring offsets, and between those next to 0 (sorted points p-1 .. p+1)."""
        c = self.coef[:, 0]
        order = np.argsort(c)
        with_x = np.argsort(np.append(c, 0.0))
        p = int(np.flatnonzero(with_x == len(c))[0])
        near = np.diff(np.append(c, 0.0)[with_x][max(p - 1, 0):p + 2])
        return order, with_x, p, np.diff(c[order]), near

    @functools.cached_property
    def uses_centre(self):
        return bool((self.coef == 0).all(axis=1).any())

    @classmethod
    def line(cls, stencil: Stencil):
        c, w = stencil.coefficients()
        return cls(c[:, None], w, stencil.order, stencil.accuracy, stencil.symmetric, stencil.kind)


    @classmethod
    def mixed(cls, stencil: Stencil):
        """d2f/dxi dxj from a 1-D stencil of order 2.

        Symmetric: (D along the diagonal - D along xi - D along xj) / 2, each D the stencil
        itself, so its axis points are the diagonal entries' own and a Hessian costs about
        n**2 points a level (central(2, 2) gives [f(++) + f(--) - f(+0) - f(-0) - f(0+) -
        f(0-) + 2 f] / 2 h**2). One-sided: the product of two first-derivative stencils of
        its kind and accuracy (forward: [f(++) - f(+0) - f(0+) + f] / h**2, error O(h))."""
        if not stencil.symmetric:
            one = (Stencil.from_offsets(stencil.offsets, 1) if stencil.kind == "custom"
                   else getattr(Stencil, stencil.kind)(1, stencil.accuracy))
            c, w = one.coefficients()
            coef = np.array([[a, b] for a in c for b in c], float)
            return cls(coef, np.outer(w, w).reshape(-1), 2, one.accuracy, False,
                       f"mixed {stencil.kind}")
        c, w = stencil.coefficients()
        terms: dict = {}
        for ci, wi in zip(c, w):
            for point, weight in (((ci, ci), wi), ((ci, 0.0), -wi), ((0.0, ci), -wi)):
                terms[point] = terms.get(point, 0.0) + weight / 2
        coef = np.array([p for p in terms if terms[p] != 0], float)
        weights = np.array([terms[p] for p in terms if terms[p] != 0], float)
        return cls(coef, weights, 2, stencil.accuracy, True, "mixed")


#: The default mixed template (central, accuracy 2).
MIXED = Template.mixed(Stencil.central(2, 2))


@dataclass
class Components:
    """What to compute: C components on P base points ``X`` (P, n) with ``F0 = f(X)``."""

    base: np.ndarray     # (C,) index of the base point
    axes: np.ndarray     # (C, 2) axis of each direction (n + j: vectors[j]), -1 where unused
    scale: np.ndarray    # (C, 2) x-units per unit step along each direction
    norm: np.ndarray     # (C,) divisor besides h**order (prod of scales)
    template: list       # (C,) Template of each component
    level0: np.ndarray   # (C,) first level of the ladder
    hmin: np.ndarray     # (C,) smallest step (in units of the scale) worth trying
    vectors: np.ndarray | None = None  # (k, n) directions referred to by axes n .. n+k-1
    edge: np.ndarray | None = None     # (C,) bool: one-sided because of a domain edge


@dataclass
class Outcome:
    """Per component: value, error and status (C, Fd), the step kept, and the trace."""

    value: np.ndarray
    error: np.ndarray
    status: np.ndarray
    step: np.ndarray
    sided: np.ndarray | None = None     # (C,) "", "forward" or "backward"
    records: list = field(default_factory=list)
    noise: np.ndarray | None = None     # (C, Fd) measured noise of f at the base point (0: none)


class _Group:
    """Components sharing one template; each walks its own ladder ``h = start * RATIO**-e``."""

    def __init__(self, ids, template, e):
        self.ids = np.asarray(ids, dtype=int)
        self.t = template
        n = len(self.ids)
        self.e = np.empty(n, int)
        self.e[:] = e
        self.hist = np.full((n, KMAX + 1), np.nan)  # steps of the previous rows, newest first
        self.active = np.ones(n, bool)
        self.nrows = np.zeros(n, int)
        self.row = None    # last tableau row (n, KMAX+1, Fd)
        self.nrow = None   # its propagated round-off
        self.stall = np.zeros(n, int)  # levels of growing error (per output from the first row)
        self.diag = None   # the previous level's values and jump/noise detectors (detect.diagnose)
        self.met = np.zeros(n, int)  # levels in a row at which rtol was met
        self.e0 = self.e.copy()       # where this group's ladder started
        self.steady = np.zeros(n, bool)  # walked back after a jump or wiggles: no more jumps
        self.probed = np.zeros(n, bool)  # a coarse stop was checked at a far smaller step
        self.level_steps = None  # (level indices, exponents, steps) from _points, for _update


class _State:
    def __init__(self, X, F0, comps, start, eps, trace):
        C, Fd = len(comps.base), F0.shape[1]
        self.X, self.F0, self.c, self.start, self.eps = X, F0, comps, start, eps
        # smallest normal number of the working precision: below it f's values lose digits
        self.tiny = _tiny(eps)
        self.value = np.full((C, Fd), np.nan, dtype=F0.dtype)
        self.err = np.full((C, Fd), np.inf)
        self.trunc = np.full((C, Fd), np.inf)
        self.noise = np.full((C, Fd), np.inf)
        self.mag = np.zeros((C, Fd))
        self.fscale = np.zeros((C, Fd))  # |f| / step-scale**order: the natural size of a value
        self.step = np.full(C, np.nan)
        self.kink = np.zeros((C, Fd), bool)
        self.amp = np.zeros((C, Fd))  # the kept value's error per unit of noise in f
        self.sigma = np.zeros((X.shape[0], Fd))  # measured noise of f at each base point
        self.sigma0 = np.zeros((X.shape[0], Fd))  # ... by the probe before the walk (_probe_noise)
        self.csig = np.zeros((C, Fd))  # ... as each component measured it
        self.floor = np.zeros((C, Fd))  # noise a window shows below the plateau threshold
        self.rough = np.zeros((C, Fd), bool)  # this level's window far above f's rounding
        self.unresolved = np.zeros(C, bool)  # the last steps do not resolve f (see detect.diagnose)
        self.quantised = np.zeros((C, Fd), bool)  # f flat at small steps, sloped at large ones
        self.erratic = np.zeros((C, Fd), bool)  # error grown far above round-off (tableau._stop)
        self.nonfinite = np.zeros(C, bool)
        self.guessed = np.zeros(C, bool)  # where a domain edge lies was guessed (engine._fit_edge)
        self.sided = np.full(C, "", dtype=object)
        if comps.edge is not None and comps.edge.any():
            self.sided[comps.edge] = [comps.template[i].kind for i in np.flatnonzero(comps.edge)]
        self.trace = [] if trace else None
        # a kept value set aside when a flat window seemed to show unresolved wiggles (detect.diagnose)
        self.shelf = {"value": np.full((C, Fd), np.nan, dtype=F0.dtype), "err": np.full((C, Fd), np.inf),
                      "trunc": np.full((C, Fd), np.inf), "noise": np.full((C, Fd), np.inf),
                      "mag": np.zeros((C, Fd)), "amp": np.full((C, Fd), np.inf)}


@functools.lru_cache(maxsize=16)
def _tiny(eps):
    """The smallest normal number of the precision whose eps is ``eps`` (or finer)."""
    return max((np.finfo(t).tiny for t in (np.float16, np.float32, np.float64)
                if np.finfo(t).eps <= eps), default=np.finfo(np.float64).tiny)


def _points(st, groups):
    """Descriptors of every point the active components need at their current level."""
    base, ax, dv, owner = [], [], [], []
    for g in groups:
        ids = g.ids[g.active]
        if not len(ids):
            owner.append((0, 0))
            continue
        act = g.active.nonzero()[0]
        _, H = _steps(st, g, act)
        g.level_steps = (act, g.e[act].copy(), H)  # (_update needs them again)
        m = len(g.t.weights)
        disp = np.zeros((len(ids), m, 2))
        q = g.t.coef.shape[1]
        disp[:, :, :q] = g.t.coef[None] * H[:, None, :]
        rep = np.repeat(ids, m)
        base.append(st.c.base[rep])
        ax.append(st.c.axes.take(rep, axis=0))
        dv.append(disp.reshape(-1, 2))
        owner.append((len(ids), m))
    if not base:
        return None
    if len(base) == 1:  # (one group: its arrays as they are, only read from here on)
        return base[0], ax[0], dv[0], owner
    return np.concatenate(base), np.concatenate(ax), np.concatenate(dv), owner


def _steps(st, g, idx):
    """The ladder step (units of the scale) of components ``g.ids[idx]`` at their level, and the
    actual step along each direction in x's units (n, q): snapped so that ``x + c*h`` is exact
    (a fixed step is used as given)."""
    ids = g.ids[idx]
    h = ladder(st.start, g.e[idx], st.ratio)
    q = g.t.coef.shape[1]
    H = h[:, None] * st.c.scale[ids, :q]
    if st.fixed:
        return h, H
    n = st.X.shape[1]
    ax = st.c.axes[ids, :q]
    if getattr(st, "absx", None) is None:  # (|x| along each direction: the same every level)
        st.absx = np.abs(st.X[st.c.base[:, None], np.minimum(st.c.axes, n - 1)])
    x = st.absx[ids, :q]
    return h, np.where(ax < n, snap(H, x, st.X.dtype), H)


def _evaluate(st, ev, base, ax, dv, shared):
    """f at every descriptor; the centre comes from F0 and, when several groups may
    share points (``shared``), duplicates are evaluated once."""
    ax = np.where(dv == 0, -1, ax)
    dv = np.where(ax < 0, 0.0, dv)
    if shared:
        swap = ax[:, 0] > ax[:, 1]
        ax[swap], dv[swap] = ax[swap][:, ::-1], dv[swap][:, ::-1]
        uniq, inv = np.unique(np.column_stack([base, ax, dv]), axis=0, return_inverse=True)
        inv = inv.reshape(-1)
        ub, uax, udv = uniq[:, 0].astype(int), uniq[:, 1:3].astype(int), uniq[:, 3:5]
    else:
        inv, ub, uax, udv = slice(None), base, ax, dv
    centre = row_all(uax < 0)
    vals = np.empty((len(ub), st.F0.shape[1]), dtype=st.F0.dtype)
    if centre.any():
        vals[centre] = st.F0[ub[centre]]
    todo = (~centre).nonzero()[0]
    n = st.X.shape[1]
    rows = max(1, CHUNK_BYTES // (n * st.X.itemsize))  # points are built a chunk at a time
    for start in range(0, len(todo), rows):
        part = todo[start:start + rows]
        pts = st.X[ub[part]]  # (a fancy index: already a copy)
        for d in range(2 if (uax[:, 1] >= 0).any() else 1):  # (line templates: one direction)
            a, off = uax[part, d], udv[part, d]
            unit = (a >= 0) & (a < n)
            if n == 1 and unit.all():  # (one variable: every point moves along it)
                pts[:, 0] += off.astype(pts.dtype)
                continue
            else:
                pts[unit.nonzero()[0], a[unit]] += off[unit].astype(pts.dtype)
            dense = a >= n  # a direction vector of its own (Hessian-vector products)
            if dense.any():
                pts[dense] += (off[dense, None] * st.c.vectors[a[dense] - n]).astype(pts.dtype)
        out = ev(pts.reshape(len(part), *ev.xshape))
        if np.iscomplexobj(out) and not np.iscomplexobj(vals):
            vals = vals.astype(complex)
        vals[part] = out.reshape(len(part), -1)
    return vals[inv]


#: Outputs (components times f's outputs) the engine works on at once: more points than this
#: are walked a chunk of base points at a time, so memory stays bounded (and caches warm).
CHUNK_OUTPUTS = 2**15


def run(ev, X, F0, comps, *, start, eps, fixed=False, trace=False, rtol=None, jump=True,
        ratio=RATIO, progress=False, finish=None):
    """Adaptive (or, with ``fixed=True``, single-step) estimates of every component.

    ``rtol`` stops a component as soon as its error estimate is below
    ``rtol * |value|``; ``jump`` lets a component whose estimates are still far
    from settling divide its step by 8 instead of 2. ``ratio``: between successive steps of
    the ladder (steps.ladder_ratio). ``progress``: see :class:`derivlab._progress.Progress`
    (components finished, level by level, and f's evaluations as they come back).
    Components of many base points are walked a chunk of base points at a time (no trace
    then: its records name components);
    ``finish(X, F0, comps, outcome)`` may post-process each chunk's outcome (complex step).
    """
    bar = Progress(progress, len(comps.base), "derivatives")
    chunks = _chunks(comps, F0.shape[1], X.shape[0]) if not trace else [(0, X.shape[0])]
    outs = []
    ev.on_count = bar.evaluated if bar.wanted else None
    try:
        with np.errstate(all="ignore"):
            for a, b in chunks:
                whole = (a, b) == (0, X.shape[0])  # (base points count from 0: lo is 0)
                lo, hi = (0, len(comps.base)) if whole else np.searchsorted(comps.base, [a, b])
                sub = comps if whole else _slice(comps, lo, hi, a)
                out = _run(ev, X[a:b], F0[a:b], sub, start, eps, fixed, trace, rtol, jump,
                           ratio, _Offset(bar, lo))
                outs.append(out if finish is None else finish(X[a:b], F0[a:b], sub, out))
    finally:
        ev.on_count = None
        bar.close()
    return outs[0] if len(outs) == 1 else Outcome(
        *(np.concatenate([getattr(o, k) for o in outs]) for k in ("value", "error", "status",
                                                                    "step", "sided")),
        records=None, noise=None if outs[0].noise is None else np.concatenate([o.noise for o in outs]))


def _chunks(comps, Fd, P):
    """Ranges of base points [a, b) holding about CHUNK_OUTPUTS outputs each (components are
    ordered by base point)."""
    per = len(comps.base) * Fd / max(P, 1)
    size = max(1, int(CHUNK_OUTPUTS // max(per, 1)))
    if P <= size or np.any(np.diff(comps.base) < 0):
        return [(0, P)]
    return [(a, min(a + size, P)) for a in range(0, P, size)]


def _slice(comps, lo, hi, a):
    """Components lo..hi (their base points from ``a`` on), with base points counted from a."""
    cut = lambda arr: None if arr is None else arr[lo:hi]  # noqa: E731
    return Components(comps.base[lo:hi] - a, comps.axes[lo:hi], comps.scale[lo:hi],
                      comps.norm[lo:hi], comps.template[lo:hi], comps.level0[lo:hi],
                      comps.hmin[lo:hi], comps.vectors, cut(comps.edge))


class _Offset:
    """A chunk's view of the progress bar: its components come after ``lo`` others."""

    def __init__(self, bar, lo):
        self.bar, self.lo = bar, lo

    @property
    def wanted(self):
        return self.bar.wanted

    def update(self, done):
        self.bar.update(self.lo + done)


def _run(ev, X, F0, comps, start, eps, fixed, trace, rtol, jump, ratio, bar):
    st = _State(X, F0, comps, start, eps, trace)
    st.rtol, st.jump, st.fixed, st.ratio = rtol, jump, fixed, ratio
    if not fixed:  # f(x) not finite (sin(x)/x at 0): even orders on points beside x only
        _avoid_centre(comps, ~np.isfinite(F0).all(axis=1)[comps.base])
    tid, kinds = _template_kinds(comps)
    st.kinds = kinds  # (the templates stay as they are now: _finish reads their orders)
    groups = [_Group(ids, t, comps.level0[ids]) for t, ids in kinds]
    # f(x) not finite: no derivative at x (a fixed stencil that never uses f(x) still runs,
    # as the textbook loop would)
    needs = np.zeros(len(tid), bool)
    for t, ids in kinds:  # sin(x)/x at 0: f(0) is not needed
        needs[ids] = t.uses_centre
    # outputs of f that are not finite at x are left out (NONFINITE); a component fails
    # as a whole only when all its outputs are
    st.lost = ~np.isfinite(F0)[comps.base] & needs[:, None]
    bad0 = st.lost.all(axis=1)
    for g in groups:
        g.active &= ~bad0[g.ids]
    st.nonfinite |= bad0
    if not fixed:
        _probe_noise(st, ev)
    max_level = 1 if fixed else max_levels(ratio)
    while True:
        live = [g for g in groups if g.active.any()]
        if not live:
            break
        first = len(st.trace) if st.trace is not None else 0
        desc = _points(st, live)
        vals = _evaluate(st, ev, *desc[:3], shared=len(live) > 1)
        pos, moved = 0, []
        for g, (n, m) in zip(live, desc[3]):
            v = vals[pos:pos + n * m].reshape(n, m, -1)
            pos += n * m
            moved += _update(st, g, v, fixed)
            ids = g.active.nonzero()[0]
            cids = g.ids[ids]
            too_far = (g.e[ids] - g.e0[ids] >= max_level) | \
                (ladder(st.start, g.e[ids], st.ratio) < comps.hmin[cids])
            g.active[ids[too_far]] = False
            if st.trace is not None and too_far.any():
                _check(st, first, {int(c): ("stop: end of the ladder",) for c in cids[too_far]})
        groups += moved
        if bar.wanted:
            bar.update(len(comps.base) - sum(int(g.active.sum()) for g in groups))
        # noise found at a base point widens every estimate kept there
        st.noise = np.fmax(st.noise, NOISE_Z * st.sigma[comps.base] * st.amp)
        st.err = st.trunc + st.noise
    return _finish(st, fixed)


#: Base points with at least this many components (gradients, Jacobians, Hessians) have f's
#: noise at x measured once before the walk (_probe_noise): 6 evaluations each.
PROBE_MIN_COMPONENTS = 8


def _probe_noise(st, ev):
    """f's noise at each base point of a gradient, Jacobian or Hessian, measured once: f at
    x + c d u (c from -41 to 37, unevenly: _PROBE_AT; u = +-1 alternating over x's elements;
    d = sqrt(eps) of each element's scale, far below the ladder's steps, where f's smooth part
    is a quadratic to rounding), less f(x), less the least-squares quadratic through them, is
    noise alone (4 degrees of freedom). Above the rounding model (NOISE_ULPS ulps of |f|) it
    is noise of f's own making, hidden from that model: a softmax cross-entropy of 0.009
    computed from logits of a few units carries rounding of the logits' size
    (benchmarks/mlp.py). It enters every bar at that base point from the first level on
    (``st.sigma0``), as a measured plateau does. 6 evaluations."""
    n = st.X.shape[1]
    # (along x's own elements: not the direction vectors of hvp or sparse Jacobians)
    line = (st.c.axes < n).all(axis=1) & ~st.lost.all(axis=1)
    P = st.X.shape[0]
    per = np.bincount(st.c.base, minlength=P)
    ok = np.bincount(st.c.base, weights=line, minlength=P)
    bases = np.flatnonzero((per >= PROBE_MIN_COMPONENTS) & (ok == per)
                           & np.isfinite(st.F0).all(axis=1))
    if not len(bases):
        return
    X = st.X[bases]
    dtype = X.dtype
    # (each element's scale rounded up, not steps.scale_of's nearest power of two: a wider span
    # shows quantised rounding more often, gradsweep 0 short bars against 1; an inf scale near
    # the largest float gives NaN values and no noise)
    scale = np.exp2(np.ceil(np.log2(np.maximum(np.abs(X), 1.0))))
    u = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    d = (np.exp2(np.round(np.log2(np.finfo(dtype).eps) / 2)) * scale * u).astype(dtype)
    c = np.delete(_PROBE_AT, 3)
    pts = (X[:, None, :] + c[None, :, None].astype(dtype) * d[:, None, :]).reshape(-1, n)
    v = ev(pts.reshape(len(pts), *ev.xshape)).reshape(len(bases), len(c), -1)
    F0 = st.F0[bases]
    y = np.concatenate([v[:, :3], F0[:, None], v[:, 3:]], axis=1)
    y = y if np.iscomplexobj(y) else y.astype(np.float64)
    # (a kink within the probe's span, relu's at x or sum |x_j| with x_j = 0, is not noise: where
    # a quadratic plus |c - c*| for some kink c* leaves 100x less than the quadratic alone, the
    # kink, not noise, made the quadratic's residual)
    # (less f(x) first: a residual of values of size |f| would carry their own rounding)
    res = np.einsum("mkj,bjf->mbkf", _PROBE_RESIDUAL, y - F0[:, None])
    sig = np.sqrt((np.abs(res) ** 2).sum(axis=2) / _PROBE_DOF[:, None, None])
    kink = sig[1:].min(axis=0)
    sigma = np.where(kink < sig[0] / 100, kink, sig[0])
    rounding = NOISE_ULPS * st.eps * np.max(np.abs(y), axis=1)
    above = np.isfinite(sigma) & (sigma > rounding)
    st.sigma0[bases] = np.where(above, sigma, 0.0)
    st.sigma[:] = st.sigma0
    if st.trace is not None:
        from .result import _Eval
        for i, b in enumerate(bases):
            for k in range(len(c)):
                st.trace.append(_Eval(base=int(b), axes=(), level=-1, step=float(np.abs(d[i]).max()),
                                      offsets=(), fx=v[i, k], estimate=np.full(v.shape[2], np.nan),
                                      component=-1, checks=(f"noise probe: f at x {c[k]:+g} d u; "
                                                            f"noise {np.max(sigma[i]):.1e}",)))


#: The probe's points, in units of d around x (x itself the fourth): uneven and spread over
#: 78 d, so that the rounding of f's large intermediates, a sawtooth in c, wraps between them
#: (at -3..3 it stayed linear, hence invisible, for a fifth or so of cancelling gradients)
_PROBE_AT = np.array([-41.0, -17.0, -6.0, 0.0, 5.0, 19.0, 37.0])


def _probe_residual():
    """(models, 7, 7) least-squares residual projectors on the probe's 7 values, and each
    model's degrees of freedom: a quadratic, and a quadratic plus a kink or a jump at x."""
    c = _PROBE_AT / np.abs(_PROBE_AT).max()  # (the same projectors, better conditioned)
    q = np.vander(c, 3)
    # (a kink or a jump of f at x, where relu(0), |0|, floor at an integer put them: models
    # of kinks anywhere in the span fit quantised noise, a cancelling loss's, too often)
    # (and a kink between x and its neighbours, a hinge at x plus a step beside it: relu 1e-9
    # from 0; and a jump in f'' at x, relu(x)**2 at 0)
    up = np.maximum(c, 0)
    models = [q] + [np.column_stack([q, *extra]) for extra in (
        (np.abs(c),), (c >= 0,), (c > 0,), (up ** 2,), (up, c > 0), (up, c >= 0))]
    proj = np.stack([np.eye(7) - A @ np.linalg.pinv(A) for A in models])
    return proj, np.array([7.0 - A.shape[1] for A in models])


_PROBE_RESIDUAL, _PROBE_DOF = _probe_residual()


def _avoid_centre(comps, where):
    """Central even-order line templates of the components ``where`` -> the same order on
    offsets +-1 .. +-(order/2 + 1), without the centre."""
    new = {}
    for i in np.flatnonzero(where):
        t = comps.template[i]
        if t.kind == "central" and t.coef.shape[1] == 1 and (t.coef == 0).any():
            if id(t) not in new:
                m = t.order // 2 + 1
                new[id(t)] = Template.line(Stencil.from_offsets(
                    [*range(-m, 0), *range(1, m + 1)], t.order))
            comps.template[i] = new[id(t)]


def _template_kinds(comps):
    """The ids of the components' templates, and [(template, its components)] in order of
    first appearance."""
    tmpl = comps.template
    tid = np.fromiter(map(id, tmpl), dtype=np.int64, count=len(tmpl))
    if len(tid) and (tid == tid[0]).all():
        return tid, [(tmpl[0], np.arange(len(tid)))]
    _, first = np.unique(tid, return_index=True)
    return tid, [(tmpl[i], np.flatnonzero(tid == tid[i])) for i in np.sort(first)]


def _update(st, g, v, fixed):
    """Fold one level's values ``v`` (n, m, Fd) into the group's tableaux."""
    idx = g.active.nonzero()[0]
    ids = g.ids[idx]
    t = g.t
    act, e, H = getattr(g, "level_steps", (None, None, None))
    if act is None or not (act.shape == idx.shape and (act == idx).all() and (e == g.e[idx]).all()):
        _, H = _steps(st, g, idx)
    g.level_steps = None
    div = H[:, 0] ** t.order if H.shape[1] == 1 else H.prod(axis=1)
    h = H[:, 0] / st.c.scale[ids, 0]  # the actual step in units of the scale
    D = np.einsum("k,ckf->cf", t.weights, v) / div[:, None]
    first = len(st.trace) if st.trace is not None else 0
    if st.trace is not None:
        _record(st, g, idx, v, D, h)
    if fixed:
        st.value[ids], st.err[ids] = D, np.nan
        st.step[ids] = H[:, 0]
        g.active[idx] = False
        return []
    vfin = np.isfinite(v)
    finite = row_max(np.abs(np.where(vfin, v, 0)))
    st.fscale[ids] = np.fmax(st.fscale[ids], finite / st.c.norm[ids, None])
    # an output not finite at x nor beside it is lost (NONFINITE), the others go on
    lost = st.lost[ids] | (~np.isfinite(st.F0[st.c.base[ids]]) & ~row_all(vfin))
    st.lost[ids] = lost
    gone = lost.all(axis=1)
    if gone.any():
        st.nonfinite[ids[gone]] = True
        g.active[idx[gone]] = False
    fin = vfin | lost[:, None, :]
    fin = row_all(fin[:, :, 0] if fin.shape[2] == 1 else fin.all(axis=2)) | gone
    moved = _fallback(st, g, idx[~fin], v[~fin]) if (~fin).any() else []
    if st.trace is not None and (~fin).any():
        side = {int(c): st.sided[c] for c in ids[~fin]}
        _check(st, first, {c: ("f not finite: " + (f"{side[c]} steps" if side[c] else
                                                    "smaller steps"),) for c in side})
    keep = fin & ~gone
    if not keep.all():  # (else every row goes on as it is)
        idx, ids, D, v, h, H, div = idx[keep], ids[keep], D[keep], v[keep], h[keep], H[keep], div[keep]
    diagnose(st, g, idx, ids, v, H, D)
    noise, amp = _noise(st, t, ids, v, h, div)
    if g.row is None:
        g.row = np.full((len(g.ids), KMAX + 1, D.shape[1]), np.nan, dtype=D.dtype)
        g.nrow = np.full(g.row.shape, np.inf)
        g.arow = np.full((len(g.ids), KMAX + 1, 1), np.inf)
        g.moved = np.full((len(g.ids), 2, D.shape[1]), np.nan)  # last change of D, its noise
        g.linear = np.zeros((len(g.ids), D.shape[1]), int)
        g.stall = np.zeros((len(g.ids), D.shape[1]), int)
    if g.t.even:
        _passed_joint(st, g, idx, ids, D, noise, h)
    before = st.err[ids] if st.trace is not None else None  # (a copy: a fancy index)
    best = _tableau(st, g, idx, ids, D, noise, amp, h)
    # until a value is kept, the latest difference stands in (error unknown: infinite)
    kept = st.value[ids]
    st.value[ids] = np.where(np.isnan(kept), D, kept)
    if st.trace is not None:  # what this level's tableau row concluded, for error-vs-step views
        err = SAFETY * best["trunc"] + best["noise"]
        err = np.where(np.isfinite(err), err, np.nan)  # NaN: no conclusion yet
        concl = {int(c): (best["value"][i], err[i]) for i, c in enumerate(ids)}
        for k in range(first, len(st.trace)):
            rec = st.trace[k]
            if rec.component in concl:
                st.trace[k] = rec.concluded(*concl[rec.component])
        _check(st, first, _checks(st, g, idx, ids, before))
    g.e += g.active
    return moved


def _checks(st, g, idx, ids, before):
    """What each component's level showed, in words (for the trace)."""
    out = {}
    lost = st.lost[ids]
    for i, c in enumerate(ids):
        tags = []
        if (st.err[c] < before[i]).any():
            tags.append("value kept")
        if st.kink[c].any():
            tags.append("jump seen")
        if st.unresolved[c]:
            tags.append("steps do not resolve f: tableau restarted")
        if st.csig[c].any():
            tags.append(f"noise in f about {st.csig[c].max():.2g}")
        if st.quantised[c].any():
            tags.append("f constant at these steps: quantised")
        if not g.active[idx[i]]:
            if ((st.trunc[c] <= st.noise[c]) | lost[i]).all():
                tags.append("stop: truncation below round-off")
            elif st.rtol is not None and g.met[idx[i]] >= RTOL_LEVELS:
                tags.append("stop: rtol met")
            else:
                tags.append("stop: error growing")
        out[int(c)] = tuple(tags)
    return out


def _check(st, first, tags):
    """Add ``tags`` {component: (words, ...)} to the trace records from ``first`` on."""
    for k in range(first, len(st.trace)):
        rec = st.trace[k]
        if rec.component in tags:
            st.trace[k] = rec.tagged(tags[rec.component])


def _fallback(st, g, idx, v):
    """Components that met NaN/inf: go one-sided if one side is fine, else restart smaller."""
    ids = g.ids[idx]
    st.nonfinite[ids] = True
    t = g.t
    moved = {}
    restart = np.ones(len(idx), bool)
    shrink = np.zeros(len(idx), bool)
    if t.coef.shape[1] == 1 and t.kind == "central":
        c = t.coef[:, 0]
        plus = np.isfinite(v[:, c > 0]).all(axis=(1, 2))
        minus = np.isfinite(v[:, c < 0]).all(axis=(1, 2))
        # an edge on one side, farther than some of its points: the same stencil fits
        # between x and the edge a few levels down (as with a given domain)
        skip = _fit_edge(st, g, idx, c, np.isfinite(v).all(axis=2), plus, minus)
        shrink = skip > 0
        g.e[idx[shrink]] += skip[shrink] - 1
        plus, minus = plus | shrink, minus | shrink
        for side, ok in (("forward", plus & ~minus), ("backward", minus & ~plus)):
            if ok.any():
                stencil = getattr(Stencil, side)(t.order, 1)
                moved[side] = (ids[ok], Template.line(stencil))
                st.sided[ids[ok]] = side
                g.active[idx[ok]] = False
                restart &= ~ok
    g.nrows[idx[restart]] = 0  # tableau starts again at the next, smaller step
    g.stall[idx[restart]] = 0
    if g.diag is not None:  # the detectors start again too
        g.diag.reset(idx)
    # an edge within one step of a tiny nonzero x is most likely at 0 (log, sqrt, 1/x):
    # skip straight to steps below |x|
    g.e[idx] = np.where(shrink, g.e[idx], np.maximum(g.e[idx], _below_x(st, ids) - (~restart)))
    pos = {c: i for i, c in enumerate(g.ids)}
    return [_Group(cids, tmpl, g.e[[pos[c] for c in cids]]) for cids, tmpl in moved.values()]


def _fit_edge(st, g, idx, c, ok, plus, minus):
    """Levels down (0: none) at which a central line stencil with offsets ``c`` fits between
    x and an edge on one side: the edge lies beyond the points of that side that were finite
    (ok, per point). With none finite there, one guess per component: the edge at 0 when x
    is nearer to it than the nearest point (log, sqrt), else CENTRAL_LIMIT levels down."""
    skip = np.zeros(len(idx), int)
    reach = np.abs(c).max()
    h = ladder(st.start, g.e[idx], st.ratio)
    ids, n = g.ids[idx], st.X.shape[1]
    ax = st.c.axes[ids, 0]
    # (x along the axis in units of the step's scale; NaN along a direction vector: no guess)
    x = np.where(ax < n, st.X[st.c.base[ids], np.minimum(ax, n - 1)], np.nan) / st.c.scale[ids, 0]
    for side, bad in ((1, ~plus & minus), (-1, ~minus & plus)):
        for i in np.flatnonzero(bad):
            on = c * side > 0
            first = np.abs(c[on & ~ok[i]]).min()
            inner = np.abs(c[on & ok[i] & (np.abs(c) < first)])
            room = inner.max() * h[i] if len(inner) else 0.0
            near0 = False
            if not room and not st.guessed[ids[i]]:
                st.guessed[ids[i]] = True
                # (the edge most likely at 0; else anywhere within the nearest point)
                near0 = x[i] * side < 0 and abs(x[i]) < first * h[i]
                room = abs(x[i]) if near0 else reach * h[i] * st.ratio ** -CENTRAL_LIMIT
            if room > 0:
                need = int(levels_below(reach * h[i] / room, st.ratio))
                # (an edge at 0: steps below |x| either way, as f's Taylor series asks)
                if 0 < need <= (10**6 if near0 else CENTRAL_LIMIT):
                    skip[i] = need
    return skip


def _record(st, g, idx, v, D, h):
    """Append an :class:`~derivlab.result._Eval` per point of this level to ``st.trace``."""
    from .result import _Eval  # local: this function is the engine's only use of it
    for i, j in enumerate(idx):
        c = g.ids[j]
        axes = tuple(int(a) for a in st.c.axes[c] if a >= 0)
        q = g.t.coef.shape[1]
        for k in range(len(g.t.weights)):
            disp = g.t.coef[k] * h[i] * st.c.scale[c, :q]
            st.trace.append(_Eval(base=int(st.c.base[c]), axes=axes[:q], level=int(g.e[j]),
                                  step=float(h[i] * st.c.scale[c, 0]),
                                  offsets=tuple(float(d) for d in disp), fx=v[i, k],
                                  estimate=D[i], component=int(c)))


def _unshelve(st):
    """Where the flat window turned out to be noise, a value shelved before it stands again
    (with the noise in its error bar) if it beats what came after."""
    sigma = st.sigma[st.c.base]
    sh = st.shelf
    noise = sh["noise"] + NOISE_Z * sigma * sh["amp"]
    err = sh["trunc"] + noise
    back = (sigma > 0) & np.isfinite(err) & (err < st.err)
    for name, new in (("value", sh["value"]), ("err", err), ("trunc", sh["trunc"]),
                      ("noise", noise), ("mag", sh["mag"]), ("amp", sh["amp"])):
        arr = getattr(st, name)
        arr[back] = new[back]


def _finish(st, fixed):
    status = np.full(st.value.shape, int(Status.OK))
    if fixed:
        status[:] = Status.FIXED_STEP
        status[~np.isfinite(st.value)] = Status.NONFINITE
        return Outcome(st.value, np.full(st.value.shape, np.nan), status, st.step, st.sided, st.trace)
    _unshelve(st)
    # noise too small to call a plateau still sets how far a value can be off: the window
    # difference of the last levels, where it stopped falling fast (detect.diagnose)
    st.noise = np.fmax(st.noise, NOISE_Z * st.floor * st.amp)
    st.trunc = SAFETY * st.trunc
    st.err = st.trunc + st.noise
    finite = np.isfinite(st.value)
    order = np.empty((len(st.c.template), 1), int)
    for t, ids in st.kinds:
        order[ids] = t.order
    # judge each entry against the largest of its siblings too (same point, same output):
    # a zero partial known to 1e-10 is fine when the others are of order one
    sib = np.zeros((st.X.shape[0], st.value.shape[1]))
    big = np.where(np.isfinite(st.value), np.abs(st.value), 0)
    if len(sib) == len(big) and (st.c.base == np.arange(len(sib))).all():
        sib = big  # (one component per point: its own |value|, as max(0, |value|) is)
    else:
        np.maximum.at(sib, st.c.base, big)
    mag = np.maximum(st.mag, sib[st.c.base])
    accept = _accepted(st.err, st.trunc, st.noise, st.value, mag, _rtol(st.eps, order, st.rtol),
                       st.fscale, _rtol(st.eps, order)) & ~st.unresolved[:, None]
    roundoff = np.isfinite(st.noise) & (st.noise >= 0.5 * st.err)
    status[:] = np.where(accept, int(Status.OK),
                         np.where(roundoff, int(Status.ROUNDOFF), int(Status.NOT_CONVERGED)))
    noise = st.sigma[st.c.base]
    status[~accept & (noise > 0)] = Status.NOISY
    status[st.quantised | st.erratic] = Status.NOISY
    sided = (st.sided != "")[:, None]
    status[accept & sided] = Status.ONE_SIDED
    # a jump: the value is a one-sided average (unless noise, or wiggles the steps never
    # resolved, could have made it: those say NOISY)
    status[st.kink & ~sided & ~(~accept & (noise > 0))] = Status.NOT_SMOOTH
    why = np.where(st.nonfinite[:, None] | st.lost, int(Status.NONFINITE), int(Status.NOT_CONVERGED))
    if not finite.all():
        status[~finite] = np.broadcast_to(why, status.shape)[~finite]
    status[st.lost] = Status.NONFINITE
    err = np.where(finite, st.err, np.nan)
    return Outcome(st.value, err, status, st.step, st.sided, st.trace, noise)
