"""An interactive page for one derivative: secants, the tangent, and the error of each step.

``derivlab.explore(f, x)`` writes one self-contained HTML page (plotly, loaded lazily) with a
slider over x and a slider over the step h. Everything is computed here in Python; a small
script in the page looks the current (x, h) up in that table when either slider moves.
"""

from __future__ import annotations

import json
import math

import numpy as np

from . import _validate as V
from ._errors import InputError, InputTypeError
from ._validate import checked_options

__all__ = ["Explorer", "explore"]

_TRACES = ("f", "tangent", "forward secant", "central secant", "points", "forward error",
           "central error", "current h", "errors at h", "derivlab step", "derivlab error bar")
_RED, _BLUE, _GREEN, _PURPLE, _GRAY = "#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#444"
_KEY = (f"the error of each slope against h, at this x:<br><span style='color:{_RED}'>━ forward</span>"
        f"   <span style='color:{_BLUE}'>╍ central</span>   <span style='color:{_GRAY}'>│ h shown</span>"
        f"<br><span style='color:{_PURPLE}'>★ ┆ derivlab's step and error bar</span>")

# Mirrors Explorer.frame operation for operation (IEEE doubles both sides: equal results).
_SCRIPT = """(function () {
var gd = document.getElementById('{plot_id}'), T = %s;
function frame(i, j) {
  var x = T.xs[i], h = T.hs[j], f0 = T.f0[i], fp = T.fp[i][j], fm = T.fm[i][j], d = T.d[i];
  var lo = T.lo, hi = T.hi, s = T.step[i], v = [T.ylo, T.yhi];
  var sf = (fp - f0) / h, sc = (fp - fm) / (2 * h);
  return [[[lo, x, hi], [f0 + d * (lo - x), f0, f0 + d * (hi - x)]],
          [[lo, x, x + h, hi], [f0 + sf * (lo - x), f0, fp, f0 + sf * (hi - x)]],
          [[lo, x - h, x + h, hi], [fm + sc * (lo - (x - h)), fm, fp, fm + sc * (hi - (x - h))]],
          [[x - h, x, x + h], [fm, f0, fp]], [T.hs, T.eF[i]], [T.hs, T.eC[i]],
          [[h, h], v], [[h, h], [T.eF[i][j], T.eC[i][j]]], [[s, s], v], [[s], [T.bar[i]]]];
}
function show() {
  var i = gd.layout.sliders[0].active, j = gd.layout.sliders[1].active, fr = frame(i, j);
  return Plotly.update(gd, {x: fr.map(function (a) { return a[0]; }),
                            y: fr.map(function (a) { return a[1]; })},
                       {'annotations[0].text': T.text[i][j]}, T.idx);
}
gd.on('plotly_sliderchange', function () {
  try { show().catch(function (e) { console.error(e); }); } catch (e) { console.error(e); }
});
})();"""


@checked_options
def explore(f, x, *, h=None, xlim=None, n_x=41, n_h=25, executor=None, workers=None):
    """An interactive page: the secants of f at x shrinking to the tangent, and their errors.

    Two sliders move x (``n_x`` positions over ``xlim``) and the step h (``n_h`` steps,
    log-spaced from ``max(|x|, 1)`` down to ``1e-12 max(|x|, 1)``). The left panel shows f,
    the point (x, f(x)), the forward secant through (x+h, f(x+h)), the central secant through
    (x-h, f(x-h)) and (x+h, f(x+h)), and the tangent, with the slopes and their errors in
    words. The right panel shows, at the current x, the error of the forward and central
    differences ``(f(x+h) - f(x))/h`` and ``(f(x+h) - f(x-h))/(2h)`` against h (log-log:
    truncation falls with h, round-off rises), the current h, and the step derivlab's adaptive
    default chose with its error bar. The page is self-contained (plotly.js inline: it works
    offline, with no server or kernel); a small script in it redraws from data computed here.

    Parameters
    ----------
    f : callable, str, Formula or sympy.Expr
        ``f(x)`` returning one real number (vectorized or not), or a formula of one variable.
    x : float
        The point first shown; it is one of the slider's positions.
    h : float, optional
        The step first shown; it replaces the nearest step of the ladder. Default: the step
        nearest ``0.1 max(|x|, 1)``.
    xlim : (float, float), optional
        The interval of the x slider and the plot. Default ``x -+ max(|x|, 1)``.
    n_x, n_h : int, optional
        Positions of the x slider and steps of the h slider (2 to 1000 each).
    executor : concurrent.futures.Executor or distributed.Client, optional
        Where f is evaluated (about ``2 n_x n_h`` points and the adaptive derivatives), as in
        :func:`derivlab.derivative`; the page is the same.
    workers : int, optional
        A process pool of this many workers for the call, shut down at its end.

    Returns
    -------
    Explorer
        ``.figure`` (plotly), ``.html``, ``.write_html(path)``; shown inline in Jupyter.

    Notes
    -----
    The tangent's slope (the reference of every error) is the exact derivative for a formula
    (``method="symbolic"``), else derivlab's adaptive value (its error bar is then the floor
    of the errors shown). An error of exactly 0 has no place on a log axis: it is left out.
    The page's sliders need its script (in ``.html``, ``write_html`` and Jupyter's display);
    ``.figure.show()`` alone draws the first frame only.

    Examples
    --------
    >>> import numpy as np, derivlab
    >>> ex = derivlab.explore("3*x*exp(x)", 1.0, n_x=5, n_h=13)
    >>> ex.xs
    array([0. , 0.5, 1. , 1.5, 2. ])
    >>> ex.hs[:3]
    array([1.  , 0.1 , 0.01])
    >>> i, j = ex.active                        # shown first: x = 1, h = 0.1
    >>> float(ex.slope[i]) == 6 * float(np.e)   # the tangent: f'(x) = 3 (1 + x) e^x, exact
    True
    >>> print(f"{ex.forward_error[i, j]:.2f} {ex.central_error[i, j]:.3f}")  # O(h), O(h^2)
    1.28 0.054
    >>> "Plotly.newPlot" in ex.html
    True
    """
    return Explorer(f, x, h=h, xlim=xlim, n_x=n_x, n_h=n_h, executor=executor, workers=workers)


class Explorer:
    """The explorer of :func:`explore`: the computed data, the figure and its page.

    Attributes
    ----------
    xs, hs : ndarray
        The x positions and the steps of the sliders; ``active`` is the (x, h) index shown first.
    fx, fp, fm : ndarray
        f at ``xs``, and at ``xs[i] + hs[j]`` and ``xs[i] - hs[j]`` (shape ``(n_x, n_h)``).
    slope : ndarray
        f' at ``xs``: exact for a formula (``exact`` is True), else derivlab's adaptive value.
    forward_error, central_error : ndarray
        ``|(f(x+h) - f(x))/h - f'(x)|`` and ``|(f(x+h) - f(x-h))/(2h) - f'(x)|``, NaN where 0.
    step, error : ndarray
        The step derivlab's adaptive default chose at each x, and its error bar.
    figure : plotly.graph_objects.Figure
    """

    def __init__(self, f, x, *, h=None, xlim=None, n_x=41, n_h=25, executor=None, workers=None):
        try:
            import plotly.graph_objects  # noqa: F401
        except ImportError:
            raise InputError("the explorer needs plotly: pip install 'derivlab[explore]'") from None
        from .symbolic.adapter import as_callable, formulas_of

        x = V.check_real("x", x)
        if not math.isfinite(x):
            raise InputError(f"x must be finite, got {x}")
        n_x, n_h = V.check_int("n_x", n_x, 2), V.check_int("n_h", n_h, 2)
        if max(n_x, n_h) > 1000:
            raise InputError(f"n_x and n_h must be at most 1000, got n_x={n_x}, n_h={n_h}")
        scale = max(abs(x), 1.0)
        lo, hi = (x - scale, x + scale) if xlim is None else _check_xlim(xlim, x)
        formulas = formulas_of(f)
        if formulas is not None:
            (first, *more), vector = formulas
            if vector or more:
                raise InputError("explore needs one function of x, got a list of formulas")
            if len(first.variables) > 1:
                raise InputError(f"explore needs a formula of one variable, but {first.text!r} "
                                 f"has {len(first.variables)} ({', '.join(first.variables)})")
            self.label, (g, _) = first.text, as_callable(first, "derivative", x)
        elif callable(f):
            name = getattr(f, "__name__", "")
            self.label, g = (name if name.isidentifier() else "f"), f
        else:
            raise InputTypeError(f"f must be callable or a formula, got {type(f).__name__}")
        if h is not None:
            h = V.check_real("h", h)
            if not (math.isfinite(h) and h > 0):
                raise InputError(f"h must be positive and finite, got {h}")
        self.xs = np.linspace(lo, hi, n_x)
        self.xs[np.argmin(abs(self.xs - x))] = x
        self.hs = scale * np.logspace(0, -12, n_h)
        j0 = int(np.argmin(abs(np.log(self.hs / (0.1 * scale if h is None else h)))))
        if h is not None:
            self.hs[j0] = h
        self.active = (int(np.argmin(abs(self.xs - x))), j0)
        self.lo, self.hi, self.exact = float(lo), float(hi), formulas is not None
        with V.evaluation_pool(executor, workers, g) as pool:
            self._evaluate(g, x, lo, hi, first if self.exact else None, pool)
        self.figure = self._build()

    def _evaluate(self, g, x, lo, hi, formula, pool):
        """Every value of f the page shows, and the slopes: in ``pool`` (None: here)."""
        import derivlab

        n_x, n_h = len(self.xs), len(self.hs)
        at_x = _values(g, np.array([x]), pool)[0]
        if not np.isfinite(at_x):
            raise InputError(f"f({x!r}) is {at_x}: the explorer needs a finite f at x")
        self.fx = _values(g, self.xs, pool)
        self.fp, self.fm = (_values(g, (self.xs[:, None] + sign * self.hs).ravel(),
                                    pool).reshape(n_x, n_h) for sign in (1, -1))
        self._curve_x = np.linspace(lo, hi, 401)
        self._curve_y = _values(g, self._curve_x, pool)
        with np.errstate(all="ignore"):
            adaptive = derivlab.derivative(g, self.xs, executor=pool)
            self.step = np.broadcast_to(np.asarray(adaptive.step, float), self.xs.shape).copy()
            self.error = np.asarray(adaptive.error, float).reshape(self.xs.shape)
            ref = derivlab.derivative(formula, self.xs, method="symbolic") if self.exact \
                else adaptive
            self.slope = np.asarray(ref.value, float).reshape(self.xs.shape)
            hs, d = self.hs[None, :], self.slope[:, None]
            fwd = np.abs((self.fp - self.fx[:, None]) / hs - d)
            cen = np.abs((self.fp - self.fm) / (2 * hs) - d)
        self.forward_error = np.where(fwd > 0, fwd, np.nan)
        self.central_error = np.where(cen > 0, cen, np.nan)

    # -- the data of one frame -------------------------------------------------------------
    def frame(self, i, j):
        """The data of every trace but f's at x index i and h index j: ``{name: (xs, ys)}``."""
        x, h, f0, fp, fm = (float(v) for v in (self.xs[i], self.hs[j], self.fx[i],
                                               self.fp[i, j], self.fm[i, j]))
        d, s, lo, hi, v = float(self.slope[i]), float(self.step[i]), self.lo, self.hi, self._yerr
        sf, sc = (fp - f0) / h, (fp - fm) / (2 * h)
        eF, eC = self.forward_error[i].tolist(), self.central_error[i].tolist()
        data = [([lo, x, hi], [f0 + d * (lo - x), f0, f0 + d * (hi - x)]),
                ([lo, x, x + h, hi], [f0 + sf * (lo - x), f0, fp, f0 + sf * (hi - x)]),
                ([lo, x - h, x + h, hi], [fm + sc * (lo - (x - h)), fm, fp, fm + sc * (hi - (x - h))]),
                ([x - h, x, x + h], [fm, f0, fp]), (self.hs.tolist(), eF), (self.hs.tolist(), eC),
                ([h, h], list(v)), ([h, h], [eF[j], eC[j]]), ([s, s], list(v)),
                ([s], [float(self.error[i])])]
        return dict(zip(_TRACES[1:], data))

    def _text(self, i, j):
        x, h, d = self.xs[i], self.hs[j], self.slope[i]
        sf = (self.fp[i, j] - self.fx[i]) / h
        sc = (self.fp[i, j] - self.fm[i, j]) / (2 * h)
        ref = "exact" if self.exact else f"derivlab, error bar {self.error[i]:.1e}"
        err = lambda e: "0" if e == 0 else f"{e:.1e}"
        return (f"x = {x:.6g}, h = {h:.2g}<br>"
                f"<span style='color:{_RED}'>forward (f(x+h) − f(x))/h = {sf:.12g}</span>, "
                f"error {err(abs(sf - d))}<br>"
                f"<span style='color:{_BLUE}'>central (f(x+h) − f(x−h))/2h = {sc:.12g}</span>, "
                f"error {err(abs(sc - d))}<br>"
                + (f"<span style='color:{_GREEN}'>tangent f′(x) = {d:.15g}</span> ({ref})"
                   if np.isfinite(d) else "no tangent: f′(x) does not exist here (or is infinite)"))

    # -- the figure and its page -----------------------------------------------------------
    def _build(self):
        import plotly.graph_objects as go

        errs = np.concatenate([self.forward_error.ravel(), self.central_error.ravel(), self.error])
        errs = errs[np.isfinite(errs) & (errs > 0)]
        ey = (math.floor(np.log10(errs.min())) - 0.5, math.ceil(np.log10(errs.max())) + 0.5) \
            if errs.size else (-17.0, 1.0)
        self._yerr = (10 ** ey[0], 10 ** ey[1])
        fin = self._curve_y[np.isfinite(self._curve_y)]
        ylo, yhi = (fin.min(), fin.max()) if fin.size else (-1.0, 1.0)
        if fin.size:  # near a pole: the middle 90 % of f's values, and twice their spread
            q0, q1 = np.percentile(fin, [5, 95])
            ylo, yhi = max(ylo, q0 - 2 * (q1 - q0)), min(yhi, q1 + 2 * (q1 - q0))
        pad = 0.08 * (yhi - ylo) or 1.0
        side = np.sign(self._curve_y - np.clip(self._curve_y, ylo - pad, yhi + pad))
        jump = side[:-1] * side[1:] < 0  # across a pole, out at the top and in at the bottom
        curve = np.where(np.r_[jump, False] | np.r_[False, jump], np.nan, self._curve_y)
        hl = np.log10(self.hs)
        i0, j0 = self.active
        L = lambda c, w=2, dash=None, **k: dict(mode="lines", line=dict(color=c, width=w, dash=dash), **k)
        M = lambda size, color, **k: dict(mode="markers", marker=dict(size=size, color=color, **k))
        e2, dots = dict(xaxis="x2", yaxis="y2"), dict(mode="lines+markers", marker=dict(size=4))
        styles = [L(_GREEN), L(_RED), L(_BLUE, dash="dash"), M(9, [_BLUE, "black", _RED]),
                  {**L(_RED), **dots, **e2}, {**L(_BLUE, dash="dash"), **dots, **e2},
                  L(_GRAY, 1, **e2), {**M(10, [_RED, _BLUE], line=dict(color="black", width=1)), **e2},
                  L(_PURPLE, 1, "dot", **e2), {**M(13, _PURPLE, symbol="star"), **e2}]
        fig = go.Figure(go.Scatter(x=self._curve_x.tolist(), y=curve.tolist(), name="f",
                                   **L(_GRAY)))
        # the frame's data depend on the error axis' range (_yerr): computed after it
        for name, (xd, yd), st in zip(_TRACES[1:], self.frame(i0, j0).values(), styles):
            fig.add_trace(go.Scatter(x=xd, y=yd, **{"name": name, **st}))
        note = dict(xref="paper", yref="paper", y=1.03, xanchor="left", yanchor="bottom",
                    align="left", showarrow=False)
        ax = dict(showline=True, linecolor="#888", mirror=True, gridcolor="#e5e5e5")
        slider = lambda k, title, labels, at, x0: dict(
            active=at, x=x0, len=0.44, y=-0.1, yanchor="top", pad=dict(t=12, b=0),
            currentvalue=dict(prefix=title, font=dict(size=13)), font=dict(size=10),
            steps=[dict(method="skip", label=s, args=[]) for s in labels], name=k)
        fig.update_layout(
            template="none", height=700, font=dict(size=12),
            margin=dict(l=70, r=30, t=125, b=150), plot_bgcolor="white",
            title=dict(text=f"f(x) = {self.label}", x=0.01, y=0.985, font=dict(size=16)),
            showlegend=False,
            xaxis=dict(domain=[0, 0.45], range=[self.lo, self.hi], title="x", **ax),
            yaxis=dict(range=[ylo - pad, yhi + pad], title="f(x)", **ax),
            xaxis2=dict(domain=[0.56, 1], type="log", range=[hl.min() - 0.3, hl.max() + 0.3],
                        title="step h", anchor="y2", exponentformat="power", **ax),
            yaxis2=dict(type="log", range=list(ey), anchor="x2", title="|slope − f′(x)|",
                        exponentformat="power", **ax),
            annotations=[dict(text=self._text(i0, j0), x=0, **note), dict(text=_KEY, x=0.56, **note)],
            sliders=[slider("x", "x = ", [f"{v:.4g}" for v in self.xs], i0, 0),
                     slider("h", "h = ", [f"{v:.2g}" for v in self.hs], j0, 0.56)])
        return fig

    def _script(self):
        table = dict(xs=self.xs, hs=self.hs, f0=self.fx, fp=self.fp, fm=self.fm, d=self.slope,
                     eF=self.forward_error, eC=self.central_error, step=self.step, bar=self.error,
                     lo=self.lo, hi=self.hi, ylo=self._yerr[0], yhi=self._yerr[1],
                     idx=list(range(1, len(_TRACES))),
                     text=[[self._text(i, j) for j in range(len(self.hs))]
                           for i in range(len(self.xs))])
        table = {k: np.asarray(v).tolist() if isinstance(v, np.ndarray) else v
                 for k, v in table.items()}
        # NaN and Infinity are valid JavaScript; "</" must not end the script element
        return _SCRIPT % json.dumps(table).replace("</", "<\\/")

    def _html(self, full_html):
        import plotly.io as pio

        return pio.to_html(self.figure, include_plotlyjs=True, full_html=full_html,
                           post_script=self._script(), auto_play=False)

    @property
    def html(self):
        """The page: one self-contained HTML document (plotly.js inline, about 5 MB)."""
        return self._html(True)

    def write_html(self, path):
        """Write the page to ``path`` (UTF-8) and return the path."""
        with open(path, "w", encoding="utf-8") as out:
            out.write(self.html)
        return path

    def _repr_html_(self):
        return self._html(False)

    def __repr__(self):
        return (f"<Explorer of f(x) = {self.label}: {len(self.xs)} x in [{self.lo:g}, "
                f"{self.hi:g}], {len(self.hs)} steps h>")


def _check_xlim(xlim, x):
    try:
        lo, hi = (V.check_real("xlim", v) for v in xlim)
    except (TypeError, ValueError):
        raise InputError(f"xlim must be a pair (lo, hi) of numbers, got {xlim!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise InputError(f"xlim must be (lo, hi) with finite lo < hi, got {xlim!r}")
    if not lo <= x <= hi:
        raise InputError(f"x={x!r} lies outside xlim={xlim!r}")
    return lo, hi


def _values(f, pts, pool=None):
    """f at each of the points (1-D), as floats: one vectorized call if f gives the same
    values as single calls at three points, else one call per point (with an executor, in
    its workers); NaN where f raises."""
    from .evaluate import values_at

    with np.errstate(all="ignore"):
        F, ev = values_at(f, np.asarray(pts, dtype=float), executor=pool)
    if F is None:
        return np.full(len(pts), math.nan)
    if ev.fshape != () or ev.fdtype.kind not in "biuf":
        what = f"shape {ev.fshape}" if ev.fshape != () else f"dtype {ev.fdtype}"
        raise InputError(f"f must return one real number per x, got {what}")
    return F[:, 0].astype(float)
