"""The engine's Richardson tableau and its rules: Neville's extrapolation of each level's
difference quotients, the value kept (smallest Ridders-style error: the tableau's
disagreement plus the round-off it carries), when a row contradicts the kept value, when a
component stops, what counts as a success, and the round-off bound of each level.

``st`` and ``g`` are the engine's state and group (:mod:`derivlab.engine`): these
functions read and update them for the components ``g.ids[idx]`` (= ``ids``).
"""

from __future__ import annotations

import numpy as np

from ._rows import row_max, take
from .detect import NOISE_ULPS, NOISE_Z, _abs_x, _memo
from .steps import JUMP, JUMP_CHANGE, ladder, levels_below

MIN_ROWS = 3       # a value is trusted only after three levels agree
JOINT_LEVELS = 3   # levels of estimates moving like h (a joint within the stencil) before ...
JOINT_CLEAR = 30.0  # ... a level moving like h**2 restarts the tableau (changes this far
                    # above round-off)
KMAX = 5           # deepest Richardson column
COARSE = 1 / 16    # a stop at a step above this (units of x's scale) is probed ...
PROBE = 6          # ... this many levels further down, and at least to the step whose
PROBE_NOISE = 1e-3  # round-off is this much of |f| (per unit length to the order's power)
ONE_SIDED_SAFETY = 3.0  # one-sided tableaux converge less regularly: widen their estimate
ERRATIC = 100.0    # an error grown this far above the round-off it carries is noise (_stop)
RTOL_LEVELS = 3    # rtol met at this many levels in a row stops a component
SAFETY = 2.0        # reported truncation errors: the estimate times this (on the red-team
                    # sweep 5% of estimates fell short by up to 2x: differences in a tableau
                    # sample the error, they do not bound it)


def _tableau(st, g, idx, ids, D, noise, amp, h):
    """Add a row to each component's Richardson tableau, keep the best value, decide to stop."""
    # (every component of the group: its arrays are read as they are and replaced, not copied)
    every = len(idx) == len(g.ids)
    prev, hist = (g.row, g.hist) if every else (take(g.row, idx), take(g.hist, idx))
    nr = g.nrows[idx]
    p = 2 if g.t.even else 1
    row, nrow, arow, best = _extrapolate(D, noise, amp, h, prev, g.nrow if every else g.nrow[idx],
                                         g.arow if every else g.arow[idx], nr, hist, p)
    hist = np.concatenate([h[:, None], hist[:, :-1]], axis=1)
    if every and row.dtype == g.row.dtype:
        g.row, g.nrow, g.arow, g.hist = row, nrow, arow, hist
    else:
        g.row[idx], g.nrow[idx], g.arow[idx], g.hist[idx] = row, nrow, arow, hist
    g.nrows[idx] += 1
    if st.jump:
        # still far from settling: divide the next step by 8, not 2 (at every accuracy: kept
        # to the base stencils until 2026-12-08, accuracy=4 stopped after three coarse
        # levels on t + sin(2 pi t) at 1000, order 2, whose differences the wiggle, odd
        # about x, cancels at every step: red-team with accuracy=4 23 -> 16 confident-wrong)
        change = np.abs(D - prev[:, 0]) / np.maximum(np.abs(D), np.abs(prev[:, 0]))
        far = (nr >= 1) & (change > JUMP_CHANGE).any(axis=1) & ~g.steady[idx]
        g.e[idx[far]] += JUMP - 1
    _keep_best(st, ids, best, h)
    _stop(st, g, idx, ids, best["err"], noise)
    return best


def _extrapolate(D, noise, amp, h, prev, nprev, aprev, nr, hist, p):
    """The new tableau row (Neville in h**p) and, per element, its entry of smallest error:
    Ridders' disagreement with its neighbours plus the round-off it carries."""
    n, Fd = D.shape
    safety = 1.0 if p == 2 else ONE_SIDED_SAFETY
    # (columns no row reaches are NaN, their round-off inf: filled once, below)
    row = np.empty((n, KMAX + 1, Fd), dtype=D.dtype)
    nrow = np.empty((n, KMAX + 1, Fd))
    arow = np.empty((n, KMAX + 1, 1))
    row[:, 0], nrow[:, 0], arow[:, 0] = D, noise, amp
    filled = 1
    best = {"err": np.full((n, Fd), np.inf), "value": np.full((n, Fd), np.nan, dtype=D.dtype),
            "trunc": np.full((n, Fd), np.inf), "noise": np.full((n, Fd), np.inf),
            "mag": np.zeros((n, Fd)), "amp": np.full((n, Fd), np.inf)}
    # (the rows' counts decide which columns any row reaches: read once, not per column)
    most, least = (int(nr.max()), int(nr.min())) if n else (0, 0)
    for k in range(1, KMAX + 1):
        if most < k:
            break
        ok = nr >= k
        sel = slice(None) if least >= k else ok  # (a slice: no copies when every row goes on)
        if sel is ok:
            row[~ok, k], nrow[~ok, k], arow[~ok, k] = np.nan, np.inf, np.inf
        # Neville in h**p: any step ratios (a stencil of higher accuracy has zero low terms)
        rho = ((hist[:, k - 1] / h) ** p)[:, None][sel]
        rm1 = rho - 1  # (rho has one column: rho[:, :1] is rho)
        row[sel, k] = row[sel, k - 1] + (row[sel, k - 1] - prev[sel, k - 1]) / rm1
        nrow[sel, k] = (rho * nrow[sel, k - 1] + nprev[sel, k - 1]) / rm1
        arow[sel, k] = (rho * arow[sel, k - 1] + aprev[sel, k - 1]) / rm1
        filled = k + 1
        if most + 1 < MIN_ROWS:  # (no row may give a value yet: nothing below changes best)
            continue
        rows = ok & (nr + 1 >= MIN_ROWS)
        tr = safety * np.maximum(np.abs(row[:, k] - row[:, k - 1]), np.abs(row[:, k] - prev[:, k - 1]))
        # (and the previous row's entry of this column, where there is one: two levels that
        # agree where the error curve turns, a h**2 + b h**4 with a b < 0, agree by chance)
        tr = np.fmax(tr, safety * np.abs(row[:, k] - prev[:, k]))
        err = tr + nrow[:, k]
        cand = rows[:, None] & (err < best["err"])
        if not cand.any():
            continue
        mag = np.maximum(np.maximum(np.abs(row[:, k]), np.abs(row[:, k - 1])), np.abs(prev[:, k - 1]))
        for name, new in (("err", err), ("value", row[:, k]), ("trunc", tr),
                          ("noise", nrow[:, k]), ("mag", mag),
                          ("amp", arow[:, k])):  # (amp broadcasts along the outputs)
            best[name] = np.where(cand, new, best[name])
    if filled <= KMAX:
        row[:, filled:], nrow[:, filled:], arow[:, filled:] = np.nan, np.inf, np.inf
    return row, nrow, arow, best


def _keep_best(st, ids, best, h):
    """Keep a row's best where it beats the value kept so far. A row that disagrees with the
    kept value (or within itself), by more than round-off, far beyond the kept value's error
    shows the earlier agreement was a coincidence (aliasing, noise not yet measured): the
    kept value's error bar widens to cover both, and that row replaces nothing (one sure row
    may be noise; later rows that agree with each other win on their own smaller bars)."""
    gap = np.abs(best["value"] - st.value[ids])
    spread = np.fmax(gap, best["trunc"])
    kept = st.err[ids]
    known = np.isfinite(kept)
    conflict = known & (spread > 10 * kept) & (spread > 10 * best["noise"])
    # (or two bars that cannot both hold: one of them is wrong, and the kept one is widened)
    conflict |= known & (gap > SAFETY * (kept + best["err"]))
    better = (best["err"] < kept) & ~conflict
    widen = conflict
    if widen.any():
        st.err[ids] = np.where(widen, np.fmax(st.err[ids], gap + best["err"]), st.err[ids])
        st.trunc[ids] = np.where(widen, st.err[ids] - st.noise[ids], st.trunc[ids])
    if better.any():
        for name in ("value", "err", "trunc", "noise", "mag", "amp"):
            arr = getattr(st, name)
            arr[ids] = np.where(better, best[name], arr[ids])
        improved = better.any(axis=1)
        st.step[ids[improved]] = h[improved] * st.c.scale[ids[improved], 0]


def _stop(st, g, idx, ids, row_err, noise):
    """Stop a component when truncation is below round-off, when its error grew for two levels
    after a trustworthy value (or one at the round-off floor), or when ``rtol`` is met."""
    lost = st.lost[ids]

    def every(cond):  # over the outputs that are still there
        return (cond | lost).all(axis=1)

    # each output on its own: truncation below round-off, or its error grown for two levels
    # after a trustworthy value (a Jacobian's column of 1000 outputs waits for the last)
    g.stall[idx] = np.where(row_err > 2 * st.err[ids], g.stall[idx] + 1, 0)
    accept = _accepted(st.err[ids], st.trunc[ids], st.noise[ids], st.value[ids],
                       st.mag[ids], _rtol(st.eps, g.t.order, st.rtol), st.fscale[ids],
                       _rtol(st.eps, g.t.order))
    raw = noise >= st.err[ids]
    # (an error grown is no reason to stop while the window of the last three levels stands
    # far above f's rounding and no noise has been measured: that growth is f's, wiggles
    # far finer than the steps (log(1 + t**2) + 5e-13 sin(2.4e7 t) at -5.74: -0.055 +- 8e-10
    # for 309); the walk goes on until the noise is measured. Not for truncation below
    # round-off: that cost the accuracy benchmark 4 evaluations a call)
    rough = st.rough[ids] & (st.sigma[st.c.base[ids]] == 0)
    grown = (g.stall[idx] >= 2) & (accept | raw) & ~rough
    fin = ((st.trunc[ids] <= st.noise[ids]) & np.isfinite(st.err[ids])) | grown
    sided = g.t.kind in ("forward", "backward") and g.t.coef.shape[1] == 1
    if g.t.coef.shape[1] == 1:
        # an error grown for two levels far above the round-off it carries is noise in f, or
        # wiggles far finer than the steps (atan(t) + 3.5e-12 sin(1.4e6 t) at -210.6: the
        # estimates agree to 7e-13 at steps of 5 to 30, then move; a noise window needs two
        # flat levels more), or, one-sided (no noise window there), a jump just beyond x on
        # the stencil's side (all points but x on the far side look smooth): not a success
        st.erratic[ids] |= grown & (row_err > ERRATIC * noise)
    done = every(fin)
    # (not on one-sided lines: their only check, a growing error, needs the walk to go on;
    # stopping there let 21 confident-wrong results through the red-team sweep at rtol=1e-3)
    if st.rtol is not None and not sided:  # met at RTOL_LEVELS in a row: room for the checks
        # that need smaller steps (aliasing, a joint beside x, noise) to fire (two let 12
        # confident-wrong results through the red-team sweep at rtol=1e-3, and 3 at 1e-6)
        met = every(st.err[ids] <= st.rtol * np.abs(st.value[ids]))
        g.met[idx] = np.where(met, g.met[idx] + 1, 0)
        done |= g.met[idx] >= RTOL_LEVELS
    # a jump seen at these steps may lie beside x, not at it (relu at 1e-8): walk on, faster,
    # until the steps pass under it or the ladder ends
    kinky = (st.kink[ids] & g.diag.seen[idx]).any(axis=1) if g.diag is not None else False
    # a plateau of noise may be wiggles these steps straddle: walk on, faster, until smaller
    # steps resolve them or the ladder ends
    plateau = (st.csig[ids] > 0).any(axis=1)
    done &= ~kinky & ~st.unresolved[ids] & ~plateau
    # a stop at steps coarse against x's scale (float32, high orders) may have averaged out
    # wiggles far finer than the steps, below round-off there: one level PROBE levels down
    # must agree (a contradiction widens the kept bar, see _keep_best); and, far from 0,
    # where those steps are long in absolute terms, at least as far down as _probe_step,
    # whose round-off is still small: the steps of a large |x| average out wiggles of
    # period one (cos(2 t) at t = 200 in float32: 0 +- 5e-10 for -2.2 at steps of 67, 9.8)
    coarse = done & ~g.probed[idx] & (ladder(st.start, g.e[idx], st.ratio) > COARSE)
    if coarse.any():
        done &= ~coarse
        g.probed[idx[coarse]] = True
        long = ladder(st.start, g.e[idx[coarse]], st.ratio) * st.c.scale[ids[coarse], 0]
        probe = np.maximum(levels_below(long / _probe_step(st, g.t), st.ratio), PROBE)
        g.e[idx[coarse]] += probe - 1
    walk = (kinky | plateau) & ~done & ~g.steady[idx]
    g.e[idx[walk]] += JUMP - 1
    # ... straight to steps below |x| when x is far smaller than the step (1/x at 1e-100: the
    # jump is most likely at 0, beyond any walk)
    tiny = walk
    if walk.any():
        x = _abs_x(st, ids)
        tiny = walk & (x > 0) & (ladder(st.start, g.e[idx], st.ratio) * st.c.scale[ids, 0] > 1e3 * x)
    if tiny.any():
        skip = np.maximum(_below_x(st, ids[tiny]) - 1 - g.e[idx[tiny]], 0)
        g.e[idx[tiny]] += skip
        g.e0[idx[tiny]] += skip  # (skipped levels are not walked: the budget stays)
    g.active[idx[done]] = False


def _probe_step(st, t):
    """The step (x's units) at which a level's round-off is PROBE_NOISE of |f| per unit length
    to the power of the order (f's rounding, 4 ulps a value, through the stencil's weights):
    fine enough to resolve wiggles of period one, coarse enough to see them above round-off."""
    return float((NOISE_ULPS * st.eps * t.abs_weights[1] / PROBE_NOISE) ** (1.0 / t.order))


def _rtol(eps, order, user=None):
    """Largest relative error still called a success: eps**(1/3) for first derivatives,
    looser for higher orders, whose round-off grows like eps / h**order; or the user's rtol."""
    base = eps ** (1.0 / (2.0 + np.asarray(order)))
    return base if user is None else np.maximum(base, user)


def _accepted(err, trunc, noise, value, mag, rtol, fscale, base=None):
    """Trustworthy: a small relative error, or an error bar tiny against the natural size
    |f| / step-scale**order of such derivatives: a zero known to the rounding level
    (estimates that agree to within rounding, all inside the error bar of zero), or a value
    near zero known to a few digits (sin(x)/x at 1e-8: -3.3e-9 +- 4e-13 where f is 1; not
    1e12 + x**2 at 1: 2.0 +- 0.3). A user's looser ``rtol`` loosens the first only (relative
    to |value|, as documented); the others keep the default ``base``."""
    base = rtol if base is None else base
    small = (err <= rtol * np.abs(value)) | (err <= base * mag)
    # (estimates converging slowly to zero, like x|x| at 0, qualify by their tiny error bar)
    near = (mag <= err) | (err <= np.sqrt(base) * np.abs(value))
    zero = near & (err <= np.sqrt(base ** 3) * fscale)
    return np.isfinite(err) & (small | zero | ((trunc == 0) & (err <= fscale)))


def _passed_joint(st, g, idx, ids, D, noise, h):
    """A jump in the next derivative within a central stencil (a C1 joint 1e-6 beside x for a
    first derivative) makes its estimates move like h, not h**2. Levels of that, then a level
    moving like h**2 or faster: the steps just passed under the joint, and every row the
    tableau holds straddled it: the tableau starts again at this level, the kept value goes.
    (A joint at x itself never passes: nothing changes there.)"""
    seen = (g.nrows[idx] >= 1)[:, None]
    change = np.abs(D - g.row[idx, 0])
    last, last_noise = g.moved[idx, 0], g.moved[idx, 1]
    p = np.log(change / last) / np.log(h / g.hist[idx, 0])[:, None]  # (run: errstate ignore)
    moving = seen & (last > JOINT_CLEAR * last_noise)
    clear = moving & (change > JOINT_CLEAR * noise)
    linear = clear & (np.abs(p - 1) < 0.4)
    # (the change that ends it may already be down at round-off: the estimates settled)
    nlin = g.linear[idx]
    passed = ((nlin >= JOINT_LEVELS) & moving & (p >= 1.6)).any(axis=1)
    g.linear[idx] = np.where(linear, nlin + 1, 0)
    g.moved[idx, 0] = np.where(seen, change, np.nan)
    g.moved[idx, 1] = noise
    if passed.any():
        rows = ids[passed]
        for name in ("err", "trunc", "noise"):
            getattr(st, name)[rows] = np.inf
        st.shelf["err"][rows] = np.inf
        g.nrows[idx[passed]] = 0
        g.linear[idx[passed]] = 0


def _noise(st, t, ids, v, h, div):
    """Round-off bound of each estimate. f's rounding: a few ulps of |f| (a subnormal value
    carries the precision's smallest normal number: its digits are few; an exact zero
    carries nothing), and, since f is computed from a rounded x, about eps * |x f'(x)| with
    f' from the steepest slope between neighbouring stencil points and x."""
    av = np.abs(v)
    ulps = NOISE_ULPS * st.eps * av + st.tiny * ((v != 0) & (av < st.tiny))
    aw, asum = t.abs_weights
    amp = (asum / div)[:, None]  # error per unit of noise in each value
    noise = np.einsum("k,ckf->cf", aw, ulps) / div[:, None] \
        + NOISE_Z * st.sigma[st.c.base[ids]] * amp
    if t.coef.shape[1] == 1 and len(t.weights) > 1:
        unit = h * st.c.scale[ids, 0]
        # (x itself among the points: near an extremum the slope across x +- h is small,
        # the slopes at the points, where x's rounding acts, are not)
        c = t.coef[:, 0]
        order, order_x, p, gaps, gaps_x = t.line_order
        # |slopes| between neighbouring points (n, m-1, Fd)
        in_order = _memo(t, "in_order", lambda: bool((order == np.arange(len(order))).all()))
        vo = v if in_order else v.take(order, axis=1)
        slopes = np.abs(vo[:, 1:] - vo[:, :-1]) / (gaps[None, :, None] * unit[:, None, None])
        steep = row_max(slopes)  # NaN where f was not finite: those fall back anyway
        if not t.uses_centre:
            # x among the points: the slopes across x are replaced by those to and from x
            # (the largest of the union, as np.max over all of them would give it)
            F0 = st.F0[st.c.base[ids]]
            vx = np.concatenate([v, F0[:, None]], axis=1).take(order_x[max(p - 1, 0):p + 2], axis=1)
            near = np.abs(vx[:, 1:] - vx[:, :-1]) / (gaps_x[None, :, None] * unit[:, None, None])
            rest = [slopes[:, :p - 1], slopes[:, p:]] if 0 < p < len(c) else [slopes]
            with_x = row_max(near)
            for part in rest:  # (the max of the union: max is exact in any order)
                if part.shape[1]:
                    with_x = np.maximum(with_x, row_max(part))
            steep = np.where(np.isfinite(F0), np.fmax(steep, with_x), steep)
        xi = _abs_x(st, ids)
        noise += NOISE_ULPS * st.eps * (xi * asum / div)[:, None] * steep
    return noise, amp


def _steepest(c, v, unit):
    """(n, Fd): the largest |slope| between neighbouring points at offsets c (in steps)."""
    order = np.argsort(c)
    return np.max(np.abs(np.diff(v[:, order], axis=1))
                  / (np.diff(c[order])[None, :, None] * unit[:, None, None]), axis=1)


def _below_x(st, ids):
    """The ladder exponent whose step is below |x| along each component's axis (0 for x = 0)."""
    x = _abs_x(st, ids)
    unit = st.start * st.c.scale[ids, 0]
    with np.errstate(divide="ignore"):
        return np.where(x > 0, levels_below(unit / np.where(x > 0, x, 1.0), st.ratio) + 1,
                        0).astype(int)
