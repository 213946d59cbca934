"""Evaluation plans: the components (base point, directions, template) of each operation."""

from __future__ import annotations

import functools

import numpy as np

from ._errors import InputError
from .engine import MIXED, Components, Template
from .stencils import Stencil
from .steps import CENTRAL_LIMIT, direction_scale, ladder_ratio, levels_below, min_step, start_step

__all__ = ["components"]


def components(kind, X, S, stencil, order, lohi, fixed, mname, dtype, v=None):
    P, n = X.shape
    hmin = min_step(X, dtype) / S
    if mname == "complex":
        stencil = Stencil.central(1, 2)
    line = _template(stencil, stencil.kind)
    if kind == "hessian":
        return _hessian_components(X, S, stencil, hmin)
    if kind == "hvp":
        return _hvp_components(X, S, v, hmin)
    base = np.repeat(np.arange(P), n)
    axes = np.full((P * n, 2), -1)
    axes[:, 0] = np.tile(np.arange(n), P)
    scale = np.zeros((P * n, 2), np.result_type(S, np.float64))
    scale[:, 0] = S.reshape(-1)
    templates, level0 = [line] * (P * n), np.zeros(P * n, int)
    if lohi is not None:
        templates, level0 = _fit_domain(X.reshape(-1), S.reshape(-1), lohi, line, stencil,
                                        fixed)
    edge = (np.zeros(P * n, bool) if lohi is None  # (no domain: every template is line's)
            else np.array([t is not line for t in templates]))
    return Components(base, axes, scale, scale[:, 0] ** order, templates, level0,
                      hmin.reshape(-1), edge=edge)


@functools.lru_cache(maxsize=64)
def _template(stencil, kind, mixed=False):
    """Template.line (or .mixed) of ``stencil``, made once per stencil and shared by every call
    (read-only, like MIXED; its cached properties are then worked out once too). ``kind`` is
    part of the key: stencils on the same offsets compare equal whatever their kind."""
    t = Template.mixed(stencil) if mixed else Template.line(stencil)
    t.coef.flags.writeable = t.weights.flags.writeable = False
    return t


def _fit_domain(x, s, lohi, line, stencil, fixed):
    """Keep stencils inside [lo, hi]: shrink a central one a little, else go one-sided."""
    lo, hi = (b.reshape(-1) for b in lohi)
    start = 1.0 if fixed else start_step(x.dtype, stencil.order)
    ratio = ladder_ratio(stencil.order)  # the adaptive ladder's levels
    unit = start * s
    reach = lambda t, i: np.abs(t.coef).max() * unit[i]  # noqa: E731
    below, above = x - lo, hi - x
    templates, level0 = [line] * len(x), np.zeros(len(x), int)
    acc = stencil.accuracy if fixed else 1  # the adaptive ladder extrapolates a first-order one
    sides = {"forward": Template.line(Stencil.forward(stencil.order, acc)),
             "backward": Template.line(Stencil.backward(stencil.order, acc))}
    # (only the points too close to an edge are looked at one by one)
    for i in np.flatnonzero(np.minimum(below, above) < np.abs(line.coef).max() * unit):
        room = min(below[i], above[i])
        need = int(levels_below(reach(line, i) / room)) if room > 0 else 10**6
        if line.kind == "central" and need <= CENTRAL_LIMIT and not fixed:
            level0[i] = int(levels_below(reach(line, i) / room, ratio))
            continue
        side = "forward" if above[i] >= below[i] else "backward"
        t = sides[side]
        space = above[i] if side == "forward" else below[i]
        templates[i] = t
        if fixed and reach(t, i) > space:
            raise InputError(f"step={s[i]:g} does not fit inside the domain at x={x[i]:g} on "
                             "either side; use a smaller step")
        if not fixed and space < np.inf:
            level0[i] = max(0, int(levels_below(reach(t, i) / space, ratio)))
    return templates, level0


def _hessian_components(X, S, stencil, hmin):
    P, n = X.shape
    diag, mixed = _template(stencil, stencil.kind), _template(stencil, stencil.kind, True)
    iu, ju = np.triu_indices(n, 1)
    pairs = np.concatenate([np.stack([np.arange(n), np.full(n, -1)], 1), np.stack([iu, ju], 1)])
    base = np.repeat(np.arange(P), len(pairs))
    axes = np.tile(pairs, (P, 1))
    sc = np.take_along_axis(np.repeat(S, len(pairs), axis=0), np.maximum(axes, 0), 1)
    sc[axes < 0] = 0
    norm = np.where(axes[:, 1] < 0, sc[:, 0] ** 2, sc[:, 0] * sc[:, 1])
    templates = [diag if a[1] < 0 else mixed for a in axes]
    hm = np.take_along_axis(np.repeat(hmin, len(pairs), axis=0), np.maximum(axes, 0), 1).max(1)
    return Components(base, axes, sc, norm, templates, np.zeros(len(base), int), hm)


def _hvp_components(X, S, v, hmin):
    """(H v)_i is the mixed second derivative along e_i and v: about 4n points a level."""
    P, n = X.shape
    sv = direction_scale(X[0], v)
    axes = np.stack([np.arange(n), np.full(n, n)], axis=1)
    scale = np.stack([S[0], np.full(n, sv)], axis=1)
    templates = [MIXED] * n
    return Components(np.zeros(n, int), axes, scale, scale[:, 0] * sv, templates,
                      np.zeros(n, int), hmin[0], vectors=v)
