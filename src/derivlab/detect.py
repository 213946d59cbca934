"""Detectors that run on every level of the engine's walk, at no extra evaluations.

:func:`diagnose` measures f's noise on a window of the last three levels' points,
notices steps that do not resolve f (wiggles they straddle, or cancel by symmetry),
un-latches a plateau that smaller steps resolve, flags a quantised f, and calls
:func:`_jump_detector`, which looks for a jump in the derivative being computed
(any order, any Hessian entry). What they conclude lives on the engine's state
(``st.csig``/``st.sigma``, ``st.unresolved``, ``st.quantised``, ``st.kink``, the
shelf) and on each group's :class:`Diag`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields
from fractions import Fraction

import numpy as np

from ._rows import row_all, row_max, take
from .stencils import _solve_weights
from .steps import JUMP, JUMP_CHANGE, RATIO

__all__ = ["Diag", "diagnose", "NOISE_ULPS", "NOISE_Z"]

NOISE_ULPS = 4.0   # f's own rounding, in units of eps * |f|
KINK_STEADY = 0.75  # a jump detector shrinking slower than this per level (smooth: 1/RATIO)
KINK_ABOVE = 100.0  # ... and this far above its round-off is a jump in the derivative
KINK_SEE = 10.0     # a level whose round-off is this far below the last detector can see it fall
NOISE_SHRINK = 0.75 # a window difference shrinking slower than h**this is flat: noise, if it lasts
NOISE_ABOVE = 30.0  # ... and noise of f, not its rounding, when this far above eps * |f|
NOISE_CALM = 30.0   # ... and a window difference this far below it, three levels running, ends it
NOISE_Z = 3.0       # measured noise enters error bars at this multiple of its estimate


@dataclass
class Diag:
    """Per component of a group: the last two levels (values, steps, level), the window
    difference and its flat/calm counters, and the jump detector's history."""

    v: np.ndarray       # (N, m, Fd) the previous level's values
    H: np.ndarray       # (N,) its step
    v2: np.ndarray      # the level before
    H2: np.ndarray
    e: np.ndarray       # (N,) the previous level's ladder exponent
    D: np.ndarray       # (N, Fd) the previous level's difference quotient
    s: np.ndarray       # (N, Fd) its window difference
    flat: np.ndarray    # (N, Fd) flat levels in a row
    calm: np.ndarray    # (N, Fd) levels in a row far below a latched plateau
    calm_e: np.ndarray  # (N, Fd) where the walk resumes once the plateau is over
    sloped: np.ndarray  # (N, Fd) the previous level had a settled slope above round-off
    Q: np.ndarray       # (N, 3, Fd) the jump detector over the last three levels
    seen: np.ndarray    # (N, Fd) the detector stands far above its round-off
    Cl: np.ndarray | None = None   # (N, lines, Fd) the detector's difference on each line
    nCl: np.ndarray | None = None  # ... and its round-off

    @classmethod
    def new(cls, N, m, Fd, dtype, e):
        def nan(*shape, dt=float):
            return np.full(shape, np.nan, dt)
        zero = np.zeros((N, Fd), int)
        return cls(v=nan(N, m, Fd, dt=dtype), H=nan(N), v2=nan(N, m, Fd, dt=dtype), H2=nan(N),
                   e=np.array(e, int), D=nan(N, Fd, dt=dtype), s=nan(N, Fd), flat=zero,
                   calm=zero.copy(), calm_e=zero.copy(), sloped=np.zeros((N, Fd), bool),
                   Q=nan(N, 3, Fd), seen=np.zeros((N, Fd), bool))

    def reset(self, rows):
        """Forget everything about components ``rows`` (their detectors start again)."""
        rows = np.asarray(rows)
        if not rows.size or (rows.dtype == bool and not rows.any()):
            return
        for f in fields(self):
            a = getattr(self, f.name)
            if a is not None:
                a[rows] = 0 if a.dtype.kind in "ib" else np.nan


def diagnose(st, g, idx, ids, v, H, D):
    """Per level, for line templates: measure f's noise, and look for a jump in the derivative.

    Noise: the points of this level and the last two (and f(x)) lie on one line; their
    differences of highest degree (unit-norm weights, one even and one odd) shrink like a
    high power of h for a smooth f, like h or h**2 beside a jump, and stay put once noise
    dominates. Two flat levels, while the estimates have settled (or move as noise of that
    size moves them), far above f's rounding: that plateau is f's noise, and enters every
    error bar at this base point (below that, a window difference that stops shrinking
    faster than h**1.5 still enters the kept value's bar: ``st.floor``). A plateau that
    smaller steps resolve (three levels far below it) was wiggles, not noise: it is
    forgotten and the walk resumes where it ended.
    Jumps (central stencils): see _jump_detector."""
    t = g.t
    n, m, Fd = v.shape
    if g.diag is None:
        g.diag = Diag.new(len(g.ids), m, Fd, v.dtype, g.e)
    d = g.diag
    base = st.c.base[ids]
    F0 = st.F0[base]
    if t.kind == "mixed":
        _jump_detector(st, g, idx, ids, v, H, F0)
        d.H[idx] = H[:, 0]
        return
    nz, cz = _memo(t, "window", lambda: (t.coef[:, 0] != 0, t.coef[:, 0][t.coef[:, 0] != 0]))
    k = len(cz)
    h0 = H[:, 0]
    hp, sp, H2 = d.H[idx], d.s[idx], d.H2[idx]
    # the window: this level's points, f(x), and the last two levels' points less those nearly
    # on one already in (2h against 1.9h): they would make the window's weights huge
    # (points first: reductions over them are then fast)
    offs = np.empty((3 * k + 1, n))
    vals = np.empty((3 * k + 1, n, Fd), np.result_type(v, F0, d.v))
    offs[:k], offs[k] = cz[:, None] * h0, 0.0
    vals[:k], vals[k] = (v if k == m else v[:, nz]).transpose(1, 0, 2), F0
    for lo, hl, vl in ((k + 1, hp, d.v), (2 * k + 1, H2, d.v2)):
        o = cz[:, None] * hl
        # (NaN: a point not taken; min is exact in any order)
        if n < 64:
            gap = np.fmin.reduce(np.abs(o - offs[:lo, None]), axis=0, initial=np.inf)
        else:  # (many rows: one point of the window at a time, in place)
            gap, diff = np.full(o.shape, np.inf), np.empty(o.shape)
            for j in range(lo):
                np.fmin(gap, np.abs(np.subtract(o, offs[j], out=diff), out=diff), out=gap)
        offs[lo:lo + k] = np.where(gap > 0.25 * h0, o, np.nan)
        vals[lo:lo + k] = (take(vl, idx) if k == m else vl[idx][:, nz]).transpose(1, 0, 2)
    use = np.isfinite(offs)
    sig = np.full((n, Fd), np.nan)
    # (central stencils only: one-sided windows lean on nearby points and misread f's curvature)
    if t.kind == "central":
        have = np.isfinite(H2) & (np.isfinite(vals) | ~use[:, :, None]).all(axis=(0, 2))
        rows = have.nonzero()[0]
        u = use[:, rows].T
        # rows of one pattern of points together (one, but for jumps of the ladder)
        parts = [] if not len(rows) else [rows] if (u == u[0]).all() else \
            [rows[(u == q).all(axis=1)] for q in np.unique(u, axis=0)]
        for rows in parts:
            pattern = use[:, rows[0]]
            every = len(rows) == n  # (then no gather of the rows: they are all there)
            w = _annihilators((offs[pattern] if every else offs[pattern][:, rows]).T)
            sq = np.abs(np.einsum("ckj,ckf->cjf", w, (vals[pattern] if every else
                                                       vals[pattern][:, rows]).transpose(1, 0, 2))) ** 2
            sig[rows] = np.sqrt(sq[:, 0] + sq[:, 1])  # (the sum of the two: exact in any order)
    ratio = (h0 / hp)[:, None]
    # a window difference shrinking slower than h**1.5 is no longer f's smooth part: noise of
    # about that size is in f (the larger of two levels running: one may be small by chance);
    # a level where it falls fast again clears it
    seen = sig > ratio ** 1.5 * sp
    st.floor[ids] = np.where(seen, np.maximum(sig, sp), 0.0)
    # the estimates settled, or their change is what noise of this size makes of them
    Dp = d.D[idx]
    change = np.abs(D - Dp)
    h0o = h0 ** t.order
    amp = t.abs_weights[1] / h0o
    steady = change <= JUMP_CHANGE * np.abs(D)
    settled = steady | (change <= 10 * sig * amp[:, None])
    # a smooth f's window differences shrink like (h / h_prev)**(N-2) (N = 7 points), a jump's
    # in f or f' like h or h**2; noise stays put. Flat: slower than h**0.75
    flat = sig > ratio ** NOISE_SHRINK * sp
    nflat = np.where(flat & settled, d.flat[idx] + 1, 0)
    d.flat[idx] = nflat
    rounding = np.where(use[:, :, None], vals, 0)
    rounding = NOISE_ULPS * st.eps * np.abs(rounding, out=rounding).max(axis=0) + st.tiny
    above = sig > NOISE_ABOVE * rounding
    st.rough[ids] = above & np.isfinite(sig)  # (sig overflows where |f| nears the largest float)
    noisy = (nflat >= 2) & above
    level = np.where(noisy, np.fmax(sig, sp), 0)
    csig = np.fmax(st.csig[ids], level)
    st.csig[ids] = csig
    # three levels in a row far below the plateau (f not constant there): the plateau was
    # wiggles that steps this small resolve (t + sin(2 pi t) at t = 1e6, steps from 2**14
    # down), not noise. What was kept at the wiggly steps goes too.
    calm = sig < csig / NOISE_CALM
    if calm.any():
        calm &= ~((vals == F0) | ~use[:, :, None]).all(axis=0)
    if not calm.any():  # (nothing calm: the counts start again, nothing is freed)
        d.calm[idx] = 0
        freed, restart = np.zeros(len(idx), bool), idx[:0]
    else:
        ncalm = d.calm[idx]
        first = calm & (ncalm == 0)
        # (the walk will go back to the level after the last wiggly one)
        calm_e = np.where(first, d.e[idx, None] + 1, d.calm_e[idx])
        d.calm_e[idx] = calm_e
        ncalm = np.where(calm, ncalm + 1, 0)
        d.calm[idx] = ncalm
        free = ncalm >= 3
        freed = free.any(axis=1)
        restart = idx[freed]
    if freed.any():
        rows = freed
        st.csig[ids] = np.where(free, 0.0, csig)
        for name in ("err", "trunc", "noise"):
            getattr(st, name)[ids[rows]] = np.inf
        st.shelf["err"][ids[rows]] = np.inf
        st.kink[ids[rows]] = False  # (the wiggles looked like jumps too)
        # the walk starts again at the first calm level, with fresh tableau and detectors
        g.e[idx[rows]] = np.where(free, calm_e, g.e[idx, None]).min(axis=1)[rows] - 1
        g.nrows[idx[rows]] = -1  # (this level's row is left out too: the steps go back up)
        g.steady[idx[rows]] = True
    if level.any() or freed.any():  # (csig changed: sigma follows; else it stands)
        st.sigma[:] = st.sigma0
        np.maximum.at(st.sigma, st.c.base, st.csig)
    # f not yet resolved by these steps (they straddle its wiggles: t + sin(2 pi t) at
    # t = 1000 with h = 128): not a basis for stopping
    # (so are estimates exactly equal while f is far from a low polynomial on the window:
    # wiggles cancelling by symmetry, t + a sin(4 pi t) at t = 1000 for order 2)
    # (not where the window falls like a smooth f's, faster than h**3: an f odd about x, t**5
    # at 0, has every even-order central difference exactly 0 at any step)
    odd = (flat | ((D == Dp) & ~(sig < ratio ** 3 * sp))) & above
    unres = (odd & ~noisy & (st.sigma[base] == 0)).any(axis=1) & ~freed
    st.unresolved[ids] = unres
    # nothing learnt at such steps counts: the tableau starts again, the kept value goes
    if unres.any():
        g.nrows[idx[unres]] = 0
        # (the kept value is shelved: if the flat window was noise after all, it stands again)
        shelve = ids[unres][np.isfinite(st.err[ids[unres]]).all(axis=1)
                            & ~np.isfinite(st.shelf["err"][ids[unres]]).any(axis=1)]
        for name, arr in st.shelf.items():
            arr[shelve] = getattr(st, name)[shelve]
        for name in ("err", "trunc", "noise"):
            getattr(st, name)[ids[unres]] = np.inf
    # f exactly constant over this level, after noise, or after a settled slope well above
    # round-off: quantised (np.round(f, 4)); the derivative of its steps is not f's. (After a
    # slope that was not settled it is f constant beside a joint: relu left of 0, derivative 0.)
    const = row_all(v == F0[:, None])
    if const.any():  # (only the rows of a constant f need a look)
        _quantised(st, d, t, idx, ids, v, h0, F0, base, const, rounding)
    d.sloped[idx] = steady & (np.abs(D) * h0o[:, None] > NOISE_ABOVE * rounding)
    if t.kind == "central":
        was = st.kink[ids].any(axis=1)
        _jump_detector(st, g, idx, ids, v, H, F0)
        # the steps just passed under a jump beside x (a joint 1e-3 away): what was kept
        # straddled it; the walk goes back to the level after the last that saw the jump
        # (unless the last step was a leap straight below |x|: the walk starts here)
        past = was & ~st.kink[ids].any(axis=1) & ~freed if was.any() else was
        if past.any():
            for name in ("err", "trunc", "noise"):
                getattr(st, name)[ids[past]] = np.inf
            st.shelf["err"][ids[past]] = np.inf
            leap = g.e[idx] - d.e[idx] > 2 * JUMP
            back = past & ~leap
            g.e[idx[back]] = d.e[idx[back]]
            g.nrows[idx[past]] = np.where(back, -1, 0)[past]
            g.steady[idx[past]] = True
            restart = np.union1d(restart, idx[back])
    if len(idx) == len(g.ids):  # (every row: the last level's buffers become the one before)
        d.v2, d.v, d.H2, d.H = d.v, d.v2, d.H, d.H2
        d.e[:], d.v[:], d.H[:], d.D[:], d.s[:] = g.e, v, h0, D, sig
    else:
        d.v2[idx], d.H2[idx], d.e[idx] = d.v[idx], d.H[idx], g.e[idx]
        d.v[idx], d.H[idx], d.D[idx], d.s[idx] = v, h0, D, sig
    d.reset(restart)


def _quantised(st, d, t, idx, ids, v, h0, F0, base, const, rounding):
    """diagnose's look at the entries ``const`` where f was constant over this level: is f
    quantised there (st.quantised)?"""
    # (only where the value found so far would move f far above its rounding across these
    # steps, and the steps are far above x's own resolution: steps walked for other outputs,
    # far below an output's own, may not move f's intermediates of x's size at all: sin(A @ v)
    # with 1000 outputs, constant at h = 1e-15)
    xres = 1e3 * st.eps * _abs_x(st, ids)
    const &= (np.abs(np.where(np.isfinite(st.value[ids]), st.value[ids], 0))
              * (h0 ** t.order)[:, None] > NOISE_ABOVE * rounding) & (h0 > xres)[:, None]
    st.quantised[ids] |= const & ((st.sigma[base] > 0) | d.sloped[idx]) & ~st.kink[ids]
    # ... or after two levels whose values differed from f(x) by multiples of one quantum far
    # above round-off (np.round(sin t, 2): 0.01, 0.05, 0.76), not by amounts scaling with h
    # (the entries where both earlier levels moved far above round-off, found at once: a
    # sparse Jacobian has many constant outputs, and only these few need a closer look)
    m = v.shape[1]
    if const.any():
        cr = np.flatnonzero(const.any(axis=1))
        dvall = np.abs(np.concatenate([d.v[idx[cr]], d.v2[idx[cr]]], axis=1) - F0[cr, None])
        bigall = np.isfinite(dvall) & (dvall > NOISE_ABOVE * rounding[cr, None])
        for i, j in zip(*np.nonzero(const[cr] & bigall[:, :m].any(axis=1)
                                    & bigall[:, m:].any(axis=1))):
            dv = dvall[i, :, j][bigall[i, :, j]]
            q = _quantum(dv)
            st.quantised[ids[cr[i]], j] |= q > max(1e-3 * dv.max(), NOISE_ABOVE * rounding[cr[i], j])


def _abs_x(st, ids):
    """|x| along each component's first axis; along a direction vector v (sparse Jacobians),
    the largest |x_j| / |v_j| (x_j's rounding, in units of the step along v)."""
    if getattr(st, "abs_x", None) is None:  # (the same at every level: worked out once)
        st.abs_x = _abs_x_of(st, np.arange(len(st.c.base)))
    return st.abs_x[ids]


def _abs_x_of(st, ids):
    n, ax = st.X.shape[1], st.c.axes[ids, 0]
    x = np.abs(st.X[st.c.base[ids], np.minimum(ax, n - 1)])
    if (ax >= n).any():
        v = np.abs(st.c.vectors[ax[ax >= n] - n])
        x[ax >= n] = np.max(np.abs(st.X[st.c.base[ids[ax >= n]]]) / np.where(v > 0, v, np.inf), 1)
    return x


def _annihilators(u):
    """(rows, N, 2): an orthonormal basis of the weights on the N points ``u`` (rows, N) that
    are orthogonal to every polynomial of degree < N-2 (on symmetric points one even and one
    odd combination, so wiggles of either parity show): the divided differences of order N-2
    on the first and on the last N-1 points, orthonormalised (no per-row linear algebra)."""
    u = u / row_max(np.abs(u))[:, None]
    if len(u) < 2:
        return _basis_of(u.tobytes())
    # (the windows of one ladder are mostly one pattern of points, bit for bit, once scaled:
    # each such pattern is worked out once, and rows do not mix, so the result is the same)
    w = np.empty((*u.shape, 2))
    rest = np.arange(len(u))
    for _ in range(3):  # (a few patterns: the ladder's jumps; any others row by row)
        if len(rest) < 2:
            break
        same = row_all((u if len(rest) == len(u) else u[rest]) == u[rest[0]])
        if same.all():  # (every row left: one pattern)
            w[rest if len(rest) < len(u) else ...] = _basis_of(u[rest[0]].tobytes())
            rest = rest[:0]
            break
        w[rest[same]] = _basis_of(u[rest[0]].tobytes())
        rest = rest[~same]
    if len(rest):
        w[rest] = _basis(u[rest])
    return w


@functools.lru_cache(maxsize=256)
def _basis_of(row):
    """_basis of one row given as its bytes (the same windows come back at every call on the
    same ladder), read-only."""
    w = _basis(np.frombuffer(row)[None])
    w.flags.writeable = False
    return w


def _basis(u):
    """_annihilators of rows ``u`` already scaled to a largest |offset| of 1."""
    N = u.shape[1]
    pa, pb = np.ones((len(u), N - 1)), np.ones((len(u), N - 1))
    for j in range(N):  # prod over j != i of (u_i - u_j), on points 0..N-2 and on 1..N-1
        if j < N - 1:
            f = u[:, :-1] - u[:, j:j + 1]
            f[:, j] = 1.0
            pa *= f
        if j > 0:
            f = u[:, 1:] - u[:, j:j + 1]
            f[:, j - 1] = 1.0
            pb *= f
    a, b = np.zeros(u.shape), np.zeros(u.shape)
    a[:, :-1], b[:, 1:] = 1.0 / pa, 1.0 / pb
    a /= np.linalg.norm(a, axis=1, keepdims=True)
    b -= (a * b).sum(axis=1, keepdims=True) * a
    b /= np.linalg.norm(b, axis=1, keepdims=True)
    return np.stack([a, b], axis=2)


def _quantum(values, rtol=1e-9):
    """The largest q of which every value is a whole multiple (to rtol), by Euclid's algorithm
    on floats; tiny when there is none (values that scale with a step)."""
    q = 0.0
    for a in np.sort(values)[::-1]:
        while a > rtol * values.max():
            q, a = a, q % a if q else 0.0
            if a > q - rtol * values.max():  # (a remainder within rounding of q is 0)
                a = 0.0
        q = q or a
    return q


@functools.lru_cache(maxsize=64)
def _line_weights(offs, j):
    """(1, len(offs)) weights of the order-j difference on the points ``offs`` (exact)."""
    W = np.array([_solve_weights(tuple(Fraction(o) for o in offs), j)], dtype=float)
    W.flags.writeable = False
    return W


def _memo(t, name, make):
    """make(): a constant of template ``t``, worked out once and kept on it (as its cached
    properties are)."""
    out = t.__dict__.get(name)
    if out is None:
        out = t.__dict__[name] = make()
    return out


def _mixed_weights(coef):
    """_jump_detector's weights (1, points) on a mixed template of offsets ``coef``."""
    W = np.zeros((1, len(coef)))
    reach = np.abs(coef).max(axis=1)
    inner = reach[reach > 0].min() if (reach > 0).any() else 0
    for a in range(len(coef)):
        for b in range(a):
            if (coef[a] == -coef[b]).all() and reach[a] == inner:
                sign = 1.0 if np.abs(coef[a]).sum() == 2 else -1.0
                W[0, a], W[0, b] = 0.5 * sign, -0.5 * sign
    return W


def _jump_weights(c, k):
    """_jump_detector's difference on a line template of offsets ``c`` for order k: its
    order j, weights (1, points) and, for even k, the mask of the points it uses."""
    if k % 2:
        return k + 1, _line_weights(tuple(np.append(c, 0.0).tolist()), k + 1), None
    return k - 1, _line_weights(tuple(c[c != 0].tolist()), k - 1), c != 0


@functools.lru_cache(maxsize=16)
def _kink_keep(ratio):
    """KINK_STEADY per level of a ladder of this ratio (_jump_detector)."""
    return KINK_STEADY ** (np.log(ratio) / np.log(RATIO))


def _jump_detector(st, g, idx, ids, v, H, F0):
    """A jump in the k-th derivative at x leaves f's part of the other parity non-smooth:
    for odd k the order-(k+1) difference on the same points (and f(x)), times h, tends to a
    constant instead of shrinking like h; for even k the order-(k-1) difference moves by a
    constant times the change of h. Steady over three levels, far above its round-off: a
    kink (order 1), or a jump in a higher derivative."""
    t, d = g.t, g.diag
    k = t.order
    h = H[:, 0]
    if t.kind == "mixed":
        # the odd parts along its three lines through x, combined as the mixed stencil combines
        # their even parts: a jump along one axis alone (relu(v0)**2) cancels, as in the estimate
        j, vals = 1, v
        W = _memo(t, "jump_weights", lambda: _mixed_weights(t.coef))
    else:
        j, W, nz = _memo(t, "jump_weights", lambda: _jump_weights(t.coef[:, 0], k))
        vals = np.concatenate([v, F0[:, None]], axis=1) if k % 2 else v[:, nz]
    ulps = NOISE_ULPS * st.eps * np.abs(vals) + NOISE_Z * st.sigma[st.c.base[ids]][:, None]
    # (n, lines, Fd): the detector on each line, and its round-off
    hj = h[:, None, None] ** j
    C = np.einsum("rk,ckf->crf", W, vals) / hj
    nC = np.einsum("rk,ckf->crf", np.abs(W), ulps) / hj
    if d.Cl is None or d.Cl.shape[1] != len(W):
        d.Cl = np.full((len(g.ids), len(W), C.shape[2]), np.nan, C.dtype)
        d.nCl = np.full(d.Cl.shape, np.nan)
    if k % 2 and t.kind != "mixed":
        Q, nQ = np.abs(C) * h[:, None, None], nC * h[:, None, None]
    else:
        dh = np.abs(d.H[idx] - h)[:, None, None]
        Q, nQ = np.abs(C - d.Cl[idx]) / dh, (nC + d.nCl[idx]) / dh
    rows = slice(None) if len(idx) == len(d.Cl) else idx  # (every row: no scatter)
    d.Cl[rows], d.nCl[rows] = C, nC
    # the line whose detector stands highest above its round-off speaks for the component
    if len(W) == 1:
        Q, nQ = Q[:, 0], nQ[:, 0]
    else:
        pick = np.nanargmax(np.where(np.isfinite(Q / nQ), Q / nQ, -1.0), axis=1)[:, None]
        Q, nQ = np.take_along_axis(Q, pick, 1)[:, 0], np.take_along_axis(nQ, pick, 1)[:, 0]
    if len(idx) == len(d.Q):  # (every row: the history shifts in place)
        d.Q[:, :-1] = d.Q[:, 1:]
        d.Q[:, -1] = Q
        hist = d.Q
    else:
        hist = np.concatenate([take(d.Q, idx)[:, 1:], Q[:, None]], axis=1)
        d.Q[idx] = hist
    # steady over the samples there are (two suffice to keep walking; the walk goes on
    # while it holds, so a final verdict has three). KINK_STEADY is per level of RATIO: a
    # finer ladder (third derivatives on) shrinks a smooth f's detector less per level
    # (1/1.38 against a threshold of 0.87), and at its first, coarsest levels f's
    # singularities a unit off the real axis (atan, sqrt(1 + t^2)) can hold it up for one
    # level, or its leading terms cancel (a dip, then a rise): there, two rises are needed
    # before the walk leaps, and a rise far above steady (a jump's detector stands still)
    # is none. (Not on the RATIO ladder, where such rises also come from wiggles the walk
    # must pass, nor in float32 or coarser, where round-off rules third and fourth
    # derivatives from their first levels on and a tableau restarted past a suspected jump
    # is the second look that flags a first estimate agreeing by chance.)
    keep = _kink_keep(st.ratio)
    strict = st.ratio == RATIO or st.eps > 1e-10
    rise = hist[:, 1:] > keep * hist[:, :-1]
    if not strict:
        rise &= hist[:, 1:] * keep < hist[:, :-1]
    steady = rise[:, 1] & ((rise[:, 0] | np.isnan(hist[:, 0])) if strict else rise[:, 0])
    big = hist[:, 2] > KINK_ABOVE * nQ
    # a verdict stands until a level that can still see shows the detector shrinking (past a
    # jump beside x); once round-off hides it, nothing new is learnt
    # (seeing: a detector standing where the last one stood would be above this level's
    # round-off by far, though below what it takes to call a jump)
    smooth = (hist[:, 2] < keep * hist[:, 1]) & (hist[:, 1] > KINK_SEE * nQ)
    st.kink[ids] = (steady & big) | (st.kink[ids] & ~smooth)
    d.seen[idx] = big
