"""Pictures of derivatives with matplotlib: tangents, surfaces, gradient fields, error curves.

``from derivlab import plot``; matplotlib is imported by these functions, never by ``import
derivlab`` (``pip install 'derivlab[plot]'``). Every function takes ``ax=None`` (a new figure
when None), draws on it, and returns the Axes; none calls ``plt.show()``.

f may be a callable or a formula (text, :class:`~derivlab.Formula`, SymPy expression). A
function of two variables is ``f(v)`` with ``v[..., 0]`` and ``v[..., 1]`` the coordinates
(as for ``derivlab.gradient(f, points, batch=True)``), or ``f(x, y)`` with ``unpack=True``,
or a formula of two variables (x along the first axis: its variables in
:attr:`~derivlab.Formula.variables` order). A callable that cannot take a stack of points is
called once per point.

Every function also takes ``executor=`` (a ``concurrent.futures.Executor`` or a Dask
``distributed.Client``) or ``workers=N`` (a process pool for the plot, shut down at its end),
as :func:`derivlab.derivative` does: each value and derivative the picture needs is
evaluated there, for an f that is expensive.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _validate as V
from ._errors import InputError, InputTypeError
from ._validate import checked_options

__all__ = ["tangent", "surface", "contour", "field", "error_vs_step", "descent"]

SEEDS_STEP = 1e-4  #: the learners' fixed step


@checked_options
def tangent(f, x, *, h=None, xlim=None, ax=None, executor=None, workers=None):
    """f around x with its tangent at x (slope from :func:`derivlab.derivative`, error in the
    legend), and with ``h`` the secants through (x, f(x)) and (x+h, f(x+h)).

    Parameters
    ----------
    f : callable or formula of one variable
    x : float
    h : sequence of float, optional
        Steps of the secants to draw (``[1, 0.5, 0.25]``: they turn into the tangent).
    xlim : (lo, hi), optional
        The interval drawn; default x +- max(1, 1.25 max|h|).
    ax : matplotlib Axes, optional
    executor, workers : optional
        Where f is evaluated (see the module's notes).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from derivlab import plot
    >>> ax = plot.tangent("3*x*exp(x)", 1.0, h=[1, 0.5, 0.25])
    >>> [line.get_label()[:12] for line in ax.get_lines()][:3]
    ['f', 'tangent at x', 'secant h=1, ']
    >>> ax.figure.savefig("tangent.png")  # doctest: +SKIP
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    from .api import derivative

    fn = _function(f, 1, "tangent")
    x = _point(x)
    steps = [] if h is None else _steps(h)
    wide = max([1.0] + [1.25 * abs(s) for s in steps])
    lo, hi = (x - wide, x + wide) if xlim is None else _interval("xlim", xlim)
    t = np.linspace(lo, hi, 400)
    with V.evaluation_pool(executor, workers, f) as pool:
        ft = _values(fn, t, pool)
        res = derivative(f, x, executor=pool)
        fx = _values(fn, np.array([x]), pool)[0]
        fh = _values(fn, x + np.array(steps), pool) if steps else []
    ax = _axes(ax)
    ax.plot(t, ft, color="C0", lw=2, label="f")
    ax.plot(t, fx + res.value * (t - x), color="C3", lw=2,
            label=f"tangent at x={x:g}, slope {res.value:.6g} ± {res.error:.1g}" + _failed(res))
    shades = _pyplot().get_cmap("Oranges")(np.linspace(0.85, 0.45, max(len(steps), 1)))
    for s, fs, color in zip(steps, fh, shades):
        slope = (fs - fx) / s
        ax.plot(t, fx + slope * (t - x), color=color, lw=1.2, ls="--",
                label=f"secant h={s:g}, slope {slope:.4g}")
        ax.plot([x + s], [fs], "o", color=color, ms=5)
    ax.plot([x], [fx], "o", color="k", ms=6, zorder=5, label=f"(x, f(x)) = ({x:g}, {fx:.4g})")
    _clip_y(ax, ft)
    ax.set_xlim(lo, hi)
    _labels(ax, f"{fn.name} and its tangent at x = {x:g}", "x", "f(x)")
    ax.legend(fontsize="small", loc="best")
    return ax


@checked_options
def surface(f, xlim, ylim, *, n=60, unpack=False, ax=None, executor=None, workers=None):
    """A function of two variables as a 3-D surface over ``xlim`` x ``ylim``.

    Parameters
    ----------
    f : callable or formula of two variables
        ``f(v)`` with ``v[..., 0], v[..., 1]`` the coordinates, ``f(x, y)`` with
        ``unpack=True``, or a formula of two variables.
    xlim, ylim : (lo, hi)
    n : int, optional
        Grid points per side (at least 2).
    unpack : bool, optional
        f takes the coordinates as two arguments.
    ax : a 3-D matplotlib Axes, optional
        ``fig.add_subplot(projection="3d")``.
    executor, workers : optional
        Where f is evaluated (see the module's notes).

    Returns
    -------
    mpl_toolkits.mplot3d.axes3d.Axes3D

    Examples
    --------
    >>> from derivlab import plot
    >>> ax = plot.surface("x^2 + y^2", (-2, 2), (-2, 2), n=20)
    >>> ax.get_title()
    'x^2 + y^2'
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    fn = _function(f, 2, "surface", unpack)
    vx, vy = fn.names
    if ax is not None and getattr(ax, "name", "") != "3d":
        raise InputError("surface needs a 3-D Axes: fig.add_subplot(projection='3d')")
    with V.evaluation_pool(executor, workers, f) as pool:
        X, Y, Z = _grid(fn, xlim, ylim, n, pool)
    ax = _axes(ax, "3d")
    surf = ax.plot_surface(X, Y, np.ma.masked_invalid(Z), rstride=1, cstride=1, cmap="viridis",
                           linewidth=0, antialiased=True)
    ax.figure.colorbar(surf, ax=ax, shrink=0.6, pad=0.08, label=f"f({vx}, {vy})")
    from matplotlib.ticker import MaxNLocator

    for axis in (ax.xaxis, ax.yaxis, ax.zaxis):  # 3-D tick labels crowd: fewer of them
        axis.set_major_locator(MaxNLocator(5))
    _labels(ax, fn.name, vx, vy)
    ax.set_zlabel(f"f({vx}, {vy})")
    return ax


@checked_options
def contour(f, xlim, ylim, *, n=100, levels=20, unpack=False, ax=None, executor=None,
            workers=None):
    """Filled contours of a function of two variables, with contour lines and a colorbar.

    Parameters are those of :func:`surface`; ``levels`` (an int or a sequence of values) is
    passed to matplotlib's ``contourf``.

    Examples
    --------
    >>> from derivlab import plot
    >>> ax = plot.contour(lambda v: v[..., 0]**2 + 3 * v[..., 1]**2, (-2, 2), (-2, 2), n=30)
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('x', 'y')
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    fn = _function(f, 2, "contour", unpack)
    vx, vy = fn.names
    with V.evaluation_pool(executor, workers, f) as pool:
        X, Y, Z = _grid(fn, xlim, ylim, n, pool)
    ax = _axes(ax)
    _contours(ax, X, Y, Z, levels, f"f({vx}, {vy})")
    _labels(ax, f"contours of {fn.name}", vx, vy)
    return ax


@checked_options
def field(f, xlim, ylim, *, n=15, normalize=False, unpack=False, ax=None, executor=None,
          workers=None):
    """Arrows of -grad f on an n x n grid (one batched :func:`derivlab.gradient` call) over
    faint contours of f; points where the gradient failed are marked with a red x.

    Parameters are those of :func:`surface`; ``normalize=True`` draws arrows of one length,
    coloured by ``|grad f|``.

    Examples
    --------
    >>> from derivlab import plot
    >>> ax = plot.field("x^2 + 3*y^2", (-2, 2), (-2, 2), n=5)
    >>> len(ax.collections[-1].U)  # the quiver: one arrow per grid point
    25
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    from .api import gradient

    fn = _function(f, 2, "field", unpack)
    vx, vy = fn.names
    (x0, x1), (y0, y1), n = _interval("xlim", xlim), _interval("ylim", ylim), V.check_int("n", n, 2)
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    points = np.stack([X.ravel(), Y.ravel()], axis=-1)
    with V.evaluation_pool(executor, workers, f) as pool:
        res = gradient(f, points, batch=True, unpack=fn.unpack and not fn.formula, executor=pool)
        grid = _grid(fn, (x0, x1), (y0, y1), 80, pool)
    G = np.array(res.value, dtype=float).reshape(-1, 2)
    bad = ~(np.asarray(res.status >= 0, dtype=bool).reshape(-1, 2).all(axis=1)
            & np.isfinite(G).all(axis=1))
    U, W = np.where(bad, np.nan, -G[:, 0]), np.where(bad, np.nan, -G[:, 1])
    ax = _axes(ax)
    _contours(ax, *grid, 12, filled=False)
    if normalize:
        size = np.hypot(U, W)
        unit = np.where(size > 0, size, 1.0)
        q = ax.quiver(points[:, 0], points[:, 1], U / unit, W / unit, size, angles="xy",
                      pivot="mid", cmap="plasma")
        ax.figure.colorbar(q, ax=ax, label=r"$|\nabla f|$")
    else:
        q = ax.quiver(points[:, 0], points[:, 1], U, W, angles="xy", pivot="mid", color="#333333")
    title = rf"$-\nabla f$ of {fn.name} ({n}×{n} points)"
    if bad.any():
        ax.plot(points[bad, 0], points[bad, 1], "x", color="red", ms=8, mew=2,
                label=f"gradient failed at {bad.sum()} of {n * n} points")
        ax.legend(fontsize="small", loc="upper right")
        title += f": {bad.sum()} failed"
    _square(ax, (x0, x1), (y0, y1))
    _labels(ax, title, vx, vy)
    return ax


@checked_options
def error_vs_step(f, x, *, order=1, exact=None, ax=None, executor=None, workers=None):
    """|error| against the step h, log-log: forward (O(h)), central (O(h^2)) and central of
    accuracy 4 (O(h^4)) differences at fixed steps, the seeds' h = 1e-4, and derivlab's
    adaptive step with its error bar.

    Truncation falls like h^p (faint guide lines) until round-off, growing like 1/h^order,
    takes over: a fixed step such as 1e-4 stops far above the best error.

    Parameters
    ----------
    f : callable or formula of one variable
    x : float
    order : int, optional
        Derivative order.
    exact : float, optional
        The true derivative. Default: SymPy's exact value (``method="symbolic"``) for a
        formula, else derivlab's adaptive value (errors below its bar are not resolved).
    ax : matplotlib Axes, optional
    executor, workers : optional
        Where f is evaluated (see the module's notes).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> from derivlab import plot
    >>> ax = plot.error_vs_step(np.exp, 2.0, exact=np.exp(2.0))
    >>> ax.get_xscale(), ax.get_yscale()
    ('log', 'log')
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    fn = _function(f, 1, "error_vs_step")
    x, order = _point(x), V.check_int("order", order, 1)
    with V.evaluation_pool(executor, workers, f) as pool:
        return _error_vs_step(f, fn, x, order, exact, ax, pool)


def _error_vs_step(f, fn, x, order, exact, ax, pool):
    from .api import derivative

    res = derivative(f, x, order=order, executor=pool)
    if exact is not None:
        ref, against = V.check_real("exact", exact), "the exact value"
    elif fn.formula:
        ref, against = derivative(f, x, order=order, method="symbolic").value, "SymPy's exact value"
    else:
        ref, against = res.value, "derivlab's adaptive value"
    if not np.isfinite(ref):
        raise InputError(f"error_vs_step measures errors against the derivative at x = {x:g}, but "
                         f"{against} is {ref} (derivlab's adaptive result: {res.message}); "
                         "pass exact= if f has one")
    scale = max(abs(x), 1.0)
    hs = scale * np.logspace(0, -15 / order, 1 + int(60 / order ** 0.5))
    ax = _axes(ax)
    tiny = np.finfo(float).eps * max(abs(ref), 1e-300) / 4
    kinds = (("forward", 1, "C0"), ("central", 2, "C1"), ("central", 4, "C2"))
    errs = [np.abs(derivative(f, np.full(hs.shape, x), order=order, method=m, accuracy=acc,
                              step=hs, executor=pool).value - ref) for m, acc, _ in kinds]
    errs = [np.where(e > 0, e, np.nan) for e in errs]  # exactly 0 has no place on a log scale
    a = int(np.argmin(np.abs(np.log(hs / (0.1 * scale)))))  # anchor of the guides: h = 0.1 scale
    for (method, acc, color), err in zip(kinds, errs):
        ax.plot(hs, err, ".-", color=color, ms=3, lw=1.2,
                label=f"{method}, O(h{_sup(acc)})" + (", accuracy 4" if acc == 4 else ""))
        if np.isfinite(err[a]):  # h^acc through the curve at h = 0.1 scale, 5 decades down
            span = (hs <= 10 * hs[a]) & (hs >= max(hs[a] * 10.0 ** (-4 / acc), 300 * hs[-1]))
            guide = 3 * err[a] * (hs[span] / hs[a]) ** acc
            ax.plot(hs[span], guide, ":", color="0.45", lw=1)
            ax.annotate(r"$\propto h$" if acc == 1 else rf"$\propto h^{acc}$",
                        (hs[span][-1], guide[-1]), color="0.3", fontsize="small",
                        xytext=(-3, 0), textcoords="offset points", ha="right", va="center")
    e = errs[0]
    if np.isfinite(e).any():  # the round-off rise, named halfway between the best h and the end
        best = int(np.nanargmin(e))
        r = (best + len(hs) - 1) // 2
        if np.isfinite(e[r]):
            ax.annotate(f"round-off ∝ 1/h{_sup(order)}", (hs[r], e[r]), xytext=(30, -4),
                        textcoords="offset points", fontsize="small", va="top",
                        arrowprops={"arrowstyle": "->", "color": "0.3"})
    seeds = derivative(f, x, order=order, step=SEEDS_STEP, executor=pool).value
    ax.axvline(SEEDS_STEP, color="0.4", ls="--", lw=1,
               label=f"h = 1e-4 (the seeds'): central error {abs(seeds - ref):.1g}")
    own = against == "derivlab's adaptive value"
    true = res.error if own else abs(res.value - ref)
    ax.plot([res.step], [max(true, tiny)], "*", color="C3", ms=14, zorder=5,
            label=f"derivlab: h = {res.step:.2g}, " + ("its bar (the reference)" if own else
                                                      f"error {true:.1g}") + _failed(res))
    if np.isfinite(res.error) and res.error > 0:
        ax.axhline(res.error, color="C3", ls=":", lw=1, label=f"derivlab's error bar {res.error:.1g}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    shown = np.concatenate(errs + [[max(true, tiny), res.error]])
    shown = shown[np.isfinite(shown) & (shown > 0)]
    if shown.size:  # an empty band at the bottom for the legend
        lo, hi = shown.min(), shown.max()
        ax.set_ylim(lo / (hi / lo) ** 0.4 / 10, hi * 3)
    d = "f" + "'" * order if order <= 3 else f"f^({order})"
    _labels(ax, f"error of {d}(x) for f = {fn.name} at x = {x:g}", "step h",
            f"|error| against {against}")
    ax.legend(fontsize="small", loc="lower left")
    return ax


@checked_options
def descent(f, path, *, xlim=None, ylim=None, levels=20, unpack=False, ax=None, executor=None,
            workers=None):
    """A descent path (points of shape (k, 2), or an object with a ``.path`` of that shape)
    over the contours of f, with its start and end marked and arrows between iterates.

    Parameters
    ----------
    f : callable or formula of two variables (as in :func:`surface`)
    path : array_like of shape (k, 2), or an object with a ``path`` attribute
    xlim, ylim : (lo, hi), optional
        Default: the path's extent with a margin.
    levels : int or sequence, optional
        Contour levels (an int: spread over the values of f in the window).
    unpack : bool, optional
    ax : matplotlib Axes, optional
    executor, workers : optional
        Where f is evaluated (see the module's notes).

    Examples
    --------
    >>> import numpy as np
    >>> from derivlab import plot
    >>> p = [np.array([-1.5, 1.0])]
    >>> for _ in range(10):
    ...     p.append(p[-1] - 0.1 * np.array([2, 6]) * p[-1])  # grad of x^2 + 3 y^2
    >>> ax = plot.descent("x^2 + 3*y^2", np.array(p))
    >>> ax.get_title()
    'descent on x^2 + 3*y^2: 10 steps'
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    fn = _function(f, 2, "descent", unpack)
    vx, vy = fn.names
    P = _path(path)
    xlim = _around(P[:, 0]) if xlim is None else _interval("xlim", xlim)
    ylim = _around(P[:, 1]) if ylim is None else _interval("ylim", ylim)
    with V.evaluation_pool(executor, workers, f) as pool:
        X, Y, Z = _grid(fn, xlim, ylim, 100, pool)
        fP = _values(fn, P[[0, -1]], pool)
    ax = _axes(ax)
    if isinstance(levels, (int, np.integer)) and not isinstance(levels, bool):
        finite = Z[np.isfinite(Z)]  # quantiles: rings also where f is flat, near a minimum
        levels = np.unique(np.quantile(finite, np.linspace(0, 1, max(int(levels), 2)))) \
            if finite.size else levels
    _contours(ax, X, Y, Z, levels, alpha=0.6)
    k = len(P) - 1
    ax.plot(P[:, 0], P[:, 1], "o-", color="C3", ms=3, lw=1, label=f"path ({k + 1} points)")
    if 0 < k <= 40:
        d = np.diff(P, axis=0)
        ax.quiver(P[:-1, 0], P[:-1, 1], d[:, 0], d[:, 1], angles="xy", scale_units="xy", scale=1,
                  color="C3", width=0.004)
    ax.plot(*P[0], "o", color="white", mec="k", ms=9, zorder=5,
            label=f"start ({P[0, 0]:.3g}, {P[0, 1]:.3g}), f = {fP[0]:.3g}")
    ax.plot(*P[-1], "*", color="gold", mec="k", ms=14, zorder=5,
            label=f"end ({P[-1, 0]:.3g}, {P[-1, 1]:.3g}), f = {fP[1]:.3g}")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    _square(ax, xlim, ylim)
    _labels(ax, f"descent on {fn.name}: {k} step{'s' * (k != 1)}", vx, vy)
    ax.legend(fontsize="small", loc="best")
    return ax


# -- helpers ------------------------------------------------------------------------------------

def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise InputError("plots need matplotlib: pip install 'derivlab[plot]'") from None
    return plt


def _axes(ax, projection=None):
    """``ax``, or the Axes of a new figure."""
    return ax if ax is not None else \
        _pyplot().figure(layout="constrained").add_subplot(projection=projection)


class _Fn(NamedTuple):
    """f ready to evaluate: ``call`` (``unpack``: one argument per coordinate), its name for
    titles, its variables' names for axis labels, and whether it is a formula."""

    call: object
    unpack: bool
    name: str
    names: tuple
    formula: bool


def _function(f, nvars, what, unpack=False):
    """f as an :class:`_Fn`: a formula becomes its Formula, called with one array per variable.
    Checks first that matplotlib is there (every plot starts here)."""
    from .symbolic.adapter import formulas_of

    _pyplot()
    found = formulas_of(f)
    if found is None:
        if not callable(f):
            raise InputTypeError(f"f must be callable or a formula, got {type(f).__name__}")
        name = getattr(f, "__name__", "f")
        return _Fn(f, V.check_bool("unpack", unpack), "f" if name == "<lambda>" else name,
                   ("x", "y")[:nvars], False)
    formulas, vector = found
    form = formulas[0]
    if vector or len(form.variables) != nvars:
        got = "a list of formulas" if vector else \
            f"{form.text!r} has {len(form.variables)} ({', '.join(form.variables) or 'none'})"
        raise InputError(f"{what} needs f of {nvars} variable{'s' * (nvars > 1)}; {got}"
                         + (": fix one, or name the axes with derivlab.parse(text, ['x', 'y'])"
                            if nvars == 2 and not vector else ""))
    text = form.text if len(form.text) <= 48 else form.text[:45] + "..."
    return _Fn(form, nvars > 1, text, form.variables, True)


def _values(fn, points, pool=None):
    """f at each row of ``points`` as floats, NaN where f fails (one batch if f takes it)."""
    from .evaluate import values_at

    F, ev = values_at(fn.call, points, unpack=fn.unpack, executor=pool)
    if F is None:
        raise InputError(f"f could not be evaluated at any point of the plot: {ev.first_error}")
    if ev.fshape != () or np.iscomplexobj(F):
        raise InputError(f"f must return one real number per point, got shape {ev.fshape} "
                         f"(dtype {ev.fdtype})")
    return F[:, 0]


def _grid(fn, xlim, ylim, n, pool=None):
    (x0, x1), (y0, y1), n = _interval("xlim", xlim), _interval("ylim", ylim), V.check_int("n", n, 2)
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    Z = _values(fn, np.stack([X.ravel(), Y.ravel()], axis=-1), pool).reshape(n, n)
    return X, Y, Z


def _contours(ax, X, Y, Z, levels, colorbar=None, filled=True, alpha=1.0):
    """Contours of Z: filled (with thin lines) or faint lines only; a colorbar if labelled."""
    Z = np.ma.masked_invalid(Z)
    if not filled:
        return ax.contour(X, Y, Z, levels=levels, cmap="viridis", alpha=0.45, linewidths=0.8)
    cs = ax.contourf(X, Y, Z, levels=levels, cmap="viridis", alpha=alpha)
    ax.contour(X, Y, Z, levels=cs.levels, colors="k", linewidths=0.4, alpha=0.4)
    if colorbar:
        ax.figure.colorbar(cs, ax=ax, label=colorbar)
    return cs


def _labels(ax, title, xlabel, ylabel):
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)


def _square(ax, xlim, ylim):
    """Equal scales (gradients then look perpendicular to contours) unless very unequal."""
    ratio = (ylim[1] - ylim[0]) / (xlim[1] - xlim[0])
    if 0.25 <= ratio <= 4:
        ax.set_aspect("equal", adjustable="box")


def _clip_y(ax, values):
    """The y range of f (lines through it may run off)."""
    v = values[np.isfinite(values)]
    if v.size:
        lo, hi = float(v.min()), float(v.max())
        pad = 0.08 * (hi - lo) if hi > lo else max(abs(hi), 1.0) * 0.5
        ax.set_ylim(lo - pad, hi + pad)


def _failed(res):
    return "" if res.success else f" (failed: {res.status.name})"


def _sup(k):
    return "" if k == 1 else str(k).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _interval(name, lim):
    try:
        lo, hi = (float(V.check_real(name, v)) for v in lim)
    except (TypeError, ValueError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{name} must be (lo, hi), two numbers, got {lim!r}") from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise InputError(f"{name} must be (lo, hi) with lo < hi, both finite, got {lim!r}")
    return lo, hi


def _point(x):
    a = V.check_x(x)
    if a.ndim:
        raise InputError(f"x must be one number (the point), got shape {a.shape}")
    return float(a)


def _steps(h):
    try:
        a = np.atleast_1d(np.asarray(h, dtype=float))
    except (TypeError, ValueError):
        a = np.array([np.nan])
    if a.ndim != 1 or not np.all(np.isfinite(a) & (a != 0)):
        raise InputError(f"h must be a sequence of non-zero finite steps, got {h!r}")
    return [float(s) for s in a]


def _path(path):
    P = getattr(path, "path", path)
    try:
        P = np.array(P, dtype=float)
    except (TypeError, ValueError):
        P = np.array(np.nan)
    if P.ndim != 2 or P.shape[1] != 2 or len(P) == 0 or not np.isfinite(P).all():
        raise InputError("path must be a finite array of shape (k, 2) with k >= 1 (or have a .path "
                         f"of that shape), got {P.shape if P.ndim else type(path).__name__}")
    return P


def _around(v):
    lo, hi = float(v.min()), float(v.max())
    pad = 0.2 * (hi - lo) if hi > lo else 1.0
    return lo - pad, hi + pad
