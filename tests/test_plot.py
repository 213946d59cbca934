"""derivlab.plot: what is drawn (line data, arrows, faces, markers), not pixels."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

import derivlab
from derivlab import InputError

mpl = pytest.importorskip("matplotlib")
mpl.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from derivlab import plot  # noqa: E402

QUAD = "x^2 + 3*y^2"


def quad_v(v):  # the convention: v[..., 0], v[..., 1]
    return v[..., 0] ** 2 + 3 * v[..., 1] ** 2


def quad_xy(x, y):  # with unpack=True
    return x**2 + 3 * y**2


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def line(ax, prefix):
    found = [ln for ln in ax.get_lines() if ln.get_label().startswith(prefix)]
    assert found, f"no line labelled {prefix!r}: {[ln.get_label() for ln in ax.get_lines()]}"
    return found[0]


def slope_of(ln):
    x, y = (np.asarray(a, dtype=float) for a in ln.get_data())
    return (y[-1] - y[0]) / (x[-1] - x[0])


def quiver(ax):
    return next(c for c in ax.collections if isinstance(c, mpl.quiver.Quiver))


# -- import and missing matplotlib ----------------------------------------------------------

def test_import_derivlab_does_not_load_matplotlib():
    code = "import sys, derivlab; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_missing_matplotlib_is_an_input_error_naming_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(InputError, match=r"pip install 'derivlab\[plot\]'"):
        plot.tangent("x^2", 1.0)


# -- tangent ----------------------------------------------------------------------------------

@pytest.mark.parametrize("f", ["3*x*exp(x)", lambda x: 3 * x * np.exp(x)], ids=["formula", "callable"])
def test_tangent_slope_is_derivlabs_and_secants_pass_through_their_points(f):
    fx = lambda t: 3 * t * np.exp(t)
    ax = plot.tangent(f, 1.0, h=[1, 0.5, 0.25])
    res = derivlab.derivative(fx, 1.0)
    tan = line(ax, "tangent at x=1")
    assert slope_of(tan) == pytest.approx(res.value, rel=1e-12)
    assert np.interp(1.0, *tan.get_data()) == pytest.approx(fx(1.0), rel=1e-12)
    assert f"{res.value:.6g}" in tan.get_label() and "±" in tan.get_label()
    for h in (1, 0.5, 0.25):
        sec = line(ax, f"secant h={h:g},")
        xs, ys = sec.get_data()
        for p in (1.0, 1.0 + h):
            assert np.interp(p, xs, ys) == pytest.approx(fx(p), rel=1e-12)
    t, y = line(ax, "f").get_data()
    np.testing.assert_allclose(y, fx(t), rtol=1e-13)
    assert t[0] <= 0.0 and t[-1] >= 2.0  # the secant h=1 ends inside the picture
    assert ax.get_title() == "3*x*exp(x) and its tangent at x = 1" or ax.get_title().startswith("f ")
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_legend() is not None


def test_tangent_without_secants_and_a_given_interval():
    ax = plot.tangent(np.sin, 0.5, xlim=(-1, 2))
    assert ax.get_xlim() == (-1, 2)
    assert not [ln for ln in ax.get_lines() if ln.get_label().startswith("secant")]
    assert slope_of(line(ax, "tangent")) == pytest.approx(np.cos(0.5), rel=1e-12)
    assert ax.get_title() == "sin and its tangent at x = 0.5"


def test_tangent_says_when_the_derivative_failed():
    ax = plot.tangent("abs(x)", 0.0)
    assert "failed: NOT_SMOOTH" in line(ax, "tangent").get_label()


# -- surface and contour ----------------------------------------------------------------------

@pytest.mark.parametrize("f, unpack", [(QUAD, False), (quad_v, False), (quad_xy, True)],
                         ids=["formula", "f(v)", "f(x, y)"])
def test_surface_faces_are_f_on_the_grid(f, unpack):
    n = 7
    ax = plot.surface(f, (-2, 2), (-1, 1), n=n, unpack=unpack)
    assert ax.name == "3d"
    (surf,) = ax.collections
    X, Y = np.meshgrid(np.linspace(-2, 2, n), np.linspace(-1, 1, n))
    Z = X**2 + 3 * Y**2
    cells = (Z[:-1, :-1] + Z[1:, :-1] + Z[:-1, 1:] + Z[1:, 1:]) / 4  # each face: its corners' mean
    got = np.asarray(surf.get_array())
    assert got.shape == ((n - 1) ** 2,)
    np.testing.assert_allclose(np.sort(got), np.sort(cells.ravel()), rtol=1e-12)
    assert ax.get_zlim()[0] <= 0 and ax.get_zlim()[1] >= 7
    assert ax.get_title() and ax.get_xlabel() == "x" and ax.get_ylabel() == "y" and ax.get_zlabel()


def test_contour_has_levels_of_f_and_a_colorbar():
    ax = plot.contour(QUAD, (-2, 2), (-2, 2), n=40, levels=10)
    cs = ax.collections[0]
    assert cs.colorbar is not None and cs.colorbar.ax.get_ylabel() == "f(x, y)"
    assert cs.levels[0] <= 0 and cs.levels[-1] >= 16
    assert ax.get_title() == "contours of x^2 + 3*y^2"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x", "y")


def test_a_callable_that_takes_one_point_at_a_time_is_called_per_point():
    calls = []

    def seed_style(v):  # the seeds' function_2: np.sum(x**2), a scalar for any input
        calls.append(np.shape(v))
        return float(np.sum(v**2))

    ax = plot.contour(seed_style, (-1, 1), (-1, 1), n=5, levels=[0, 0.5, 1, 1.5, 2])
    assert ax.collections[0].levels[-1] == 2
    assert calls.count((2,)) >= 25  # one call per grid point after a rejected batch


def test_formula_variables_name_the_axes():
    ax = plot.contour("sin(a)*cos(b)", (0, 3), (0, 3), n=20)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("a", "b")


# -- field -----------------------------------------------------------------------------------

@pytest.mark.parametrize("f, unpack", [(QUAD, False), (quad_v, False), (quad_xy, True)],
                         ids=["formula", "f(v)", "f(x, y)"])
def test_field_arrows_are_minus_the_gradient_at_every_grid_point(f, unpack):
    n = 9
    ax = plot.field(f, (-2, 2), (-1.5, 1.5), n=n, unpack=unpack)
    q = quiver(ax)
    assert q.N == n * n
    X, Y = np.asarray(q.X), np.asarray(q.Y)
    gx, gy = np.meshgrid(np.linspace(-2, 2, n), np.linspace(-1.5, 1.5, n))
    np.testing.assert_allclose(np.sort(X), np.sort(gx.ravel()))
    np.testing.assert_allclose(np.sort(Y), np.sort(gy.ravel()))
    np.testing.assert_allclose(q.U, -2 * X, atol=1e-9)
    np.testing.assert_allclose(q.V, -6 * Y, atol=1e-9)
    assert "nabla" in ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def test_field_makes_one_batched_gradient_call(monkeypatch):
    calls = []
    real = derivlab.gradient

    def spy(*a, **k):
        calls.append(k.get("batch"))
        return real(*a, **k)

    monkeypatch.setattr(derivlab.api, "gradient", spy)
    plot.field(QUAD, (-1, 1), (-1, 1), n=4)
    assert calls == [True]


def test_field_marks_and_counts_points_where_the_gradient_failed():
    n = 5  # x = 0 is a grid column: |x| has a kink there
    ax = plot.field("abs(x) + y^2", (-1, 1), (-1, 1), n=n)
    bad = line(ax, "gradient failed")
    assert "5 of 25" in bad.get_label() and "5 failed" in ax.get_title()
    np.testing.assert_allclose(bad.get_xdata(), 0.0)
    assert np.sum(quiver(ax).Umask) == n  # no arrow there: NaN, masked by matplotlib


def test_field_normalized_arrows_have_one_length():
    q = quiver(plot.field(QUAD, (-2, 2), (-2, 2), n=6, normalize=True))
    np.testing.assert_allclose(np.hypot(q.U, q.V), 1.0)


# -- error_vs_step ---------------------------------------------------------------------------

def loglog_slope(ln, lo, hi):
    h, e = (np.asarray(a, dtype=float) for a in ln.get_data())
    keep = (h >= lo) & (h <= hi) & np.isfinite(e)
    return np.polyfit(np.log(h[keep]), np.log(e[keep]), 1)[0]


def test_error_vs_step_slopes_seeds_step_and_derivlabs_step():
    ax = plot.error_vs_step("3*x*exp(x)", 2.0)
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert loglog_slope(line(ax, "forward"), 1e-6, 1e-2) == pytest.approx(1, abs=0.1)
    assert loglog_slope(line(ax, "central, O(h²)"), 1e-4, 1e-1) == pytest.approx(2, abs=0.1)
    assert loglog_slope(line(ax, "central, O(h⁴)"), 2e-2, 3e-1) == pytest.approx(4, abs=0.3)
    seeds = line(ax, "h = 1e-4")
    assert np.all(np.asarray(seeds.get_xdata()) == 1e-4)
    res = derivlab.derivative("3*x*exp(x)", 2.0)
    star = line(ax, "derivlab: h =")
    assert star.get_xdata()[0] == res.step
    bar = line(ax, "derivlab's error bar")
    assert np.all(np.asarray(bar.get_ydata()) == res.error)
    assert "SymPy" in ax.get_ylabel() and "3*x*exp(x)" in ax.get_title() and "x = 2" in ax.get_title()
    texts = [t.get_text() for t in ax.texts]
    assert any(t.startswith("round-off") for t in texts) and r"$\propto h^2$" in texts


def test_error_vs_step_references():
    ax = plot.error_vs_step(np.exp, 1.0)  # a callable: against derivlab's adaptive value
    assert "derivlab's adaptive value" in ax.get_ylabel()
    ax = plot.error_vs_step(np.exp, 1.0, exact=np.e)
    assert "exact value" in ax.get_ylabel()
    h, e = line(ax, "central, O(h²)").get_data()
    i = np.argmin(np.abs(np.log(np.asarray(h) / 1e-3)))
    ce = derivlab.derivative(np.exp, 1.0, step=h[i]).value
    assert e[i] == pytest.approx(abs(ce - np.e), rel=1e-12)


def test_error_vs_step_second_derivative():
    ax = plot.error_vs_step(np.sin, 1.0, order=2, exact=-np.sin(1.0))
    assert loglog_slope(line(ax, "central, O(h²)"), 1e-3, 1e-1) == pytest.approx(2, abs=0.1)
    assert "f''(x)" in ax.get_title()


# -- descent ---------------------------------------------------------------------------------

def gd_path(start=(-1.8, 1.2), steps=12):
    p = [np.array(start)]
    for _ in range(steps):
        p.append(p[-1] - 0.1 * np.array([2.0, 6.0]) * p[-1])
    return np.array(p)


def test_descent_draws_the_path_its_ends_and_arrows():
    P = gd_path()
    ax = plot.descent(QUAD, P)
    path = line(ax, "path")
    np.testing.assert_array_equal(np.column_stack(path.get_data()), P)
    np.testing.assert_array_equal(line(ax, "start").get_xydata()[0], P[0])
    np.testing.assert_array_equal(line(ax, "end").get_xydata()[0], P[-1])
    assert "f = 7.56" in line(ax, "start").get_label()
    q = quiver(ax)
    np.testing.assert_allclose(np.column_stack([q.U, q.V]), np.diff(P, axis=0))
    x0, x1 = ax.get_xlim()
    assert x0 < P[:, 0].min() and x1 > P[:, 0].max()
    assert ax.get_title() == "descent on x^2 + 3*y^2: 12 steps"


def test_descent_accepts_an_object_with_a_path_and_a_callable():
    P = gd_path(steps=3)
    ax = plot.descent(quad_xy, SimpleNamespace(path=P), unpack=True, xlim=(-2, 2), ylim=(-2, 2))
    np.testing.assert_array_equal(np.column_stack(line(ax, "path").get_data()), P)
    assert ax.get_xlim() == (-2, 2)


# -- every function: ax=, titles, bad input ---------------------------------------------------

CALLS = {
    "tangent": lambda ax: plot.tangent("x^3", 1.0, ax=ax),
    "contour": lambda ax: plot.contour(QUAD, (-1, 1), (-1, 1), n=10, ax=ax),
    "field": lambda ax: plot.field(QUAD, (-1, 1), (-1, 1), n=4, ax=ax),
    "error_vs_step": lambda ax: plot.error_vs_step("exp(x)", 0.5, ax=ax),
    "descent": lambda ax: plot.descent(QUAD, gd_path(steps=2), ax=ax),
}


@pytest.mark.parametrize("name", sorted(CALLS) + ["surface"])
def test_the_given_axes_is_drawn_on_and_returned_with_title_and_labels(name):
    fig = plt.figure()
    ax = fig.add_subplot(projection="3d" if name == "surface" else None)
    call = CALLS.get(name, lambda ax: plot.surface(QUAD, (-1, 1), (-1, 1), n=5, ax=ax))
    assert call(ax) is ax
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert plt.get_fignums() == [fig.number]  # no other figure was made


@pytest.mark.parametrize("call, match", [
    (lambda: plot.contour(QUAD, (2, -2), (-1, 1)), r"xlim must be \(lo, hi\) with lo < hi"),
    (lambda: plot.surface(QUAD, (-1, 1), (1, 1)), "ylim must be"),
    (lambda: plot.field(QUAD, (-1, 1), (-1, 1), n=1), "n must be an integer >= 2"),
    (lambda: plot.contour(QUAD, (-1, np.inf), (-1, 1)), "both finite"),
    (lambda: plot.contour(QUAD, "ab", (-1, 1)), "two numbers"),
    (lambda: plot.surface("x*y*z", (-1, 1), (-1, 1)), r"surface needs f of 2 variables; 'x\*y\*z' has 3"),
    (lambda: plot.field("x^2", (-1, 1), (-1, 1)), "field needs f of 2 variables"),
    (lambda: plot.tangent("x*y", 1.0), "tangent needs f of 1 variable"),
    (lambda: plot.tangent("x^2", [1.0, 2.0]), "x must be one number"),
    (lambda: plot.tangent("x^2", 1.0, h=[0.5, 0]), "h must be a sequence of non-zero"),
    (lambda: plot.error_vs_step("abs(x)", 0.0), "SymPy's exact value is nan .*kink"),
    (lambda: plot.descent(QUAD, np.zeros((3, 3))), r"path must be a finite array of shape \(k, 2\)"),
    (lambda: plot.descent(QUAD, [[0, np.nan]]), "path must be a finite array"),
    (lambda: plot.surface(QUAD, (-1, 1), (-1, 1), ax=plt.figure().add_subplot()), "3-D Axes"),
    (lambda: plot.contour(lambda v: np.full(3, 1.0), (-1, 1), (-1, 1), n=4), "one real number"),
])
def test_bad_input_is_an_input_error_with_a_clear_message(call, match):
    with pytest.raises(InputError, match=match):
        call()


def test_a_non_callable_f_is_a_type_error():
    with pytest.raises(derivlab.InputTypeError, match="callable or a formula"):
        plot.contour(42, (-1, 1), (-1, 1))


# -- executors: the same picture, f evaluated elsewhere -----------------------------------------

class CountingPool:
    """A thread pool that counts the tasks it was given."""

    def __init__(self):
        from concurrent.futures import ThreadPoolExecutor

        self.pool, self.tasks = ThreadPoolExecutor(2), 0

    def submit(self, fn, *args, **kwargs):
        self.tasks += 1
        return self.pool.submit(fn, *args, **kwargs)


def drawn(ax):
    """Everything a picture holds in numbers: its lines, collections' offsets and arrows."""
    out = [ax.get_title()] + [ln.get_label() for ln in ax.get_lines()]
    out += [np.asarray(ln.get_xydata()) for ln in ax.get_lines()]
    for c in ax.collections:
        out += [np.asarray(c.get_offsets())] + [np.asarray(getattr(c, k)) for k in ("U", "V")
                                                 if hasattr(c, k)]
    return out


def same(a, b):
    assert len(a) == len(b)
    for u, v in zip(a, b):
        if isinstance(u, str):
            assert u == v
        else:
            np.testing.assert_array_equal(u, v)


@pytest.mark.parametrize("name", sorted(CALLS) + ["surface"])
def test_every_plot_evaluates_f_in_an_executor_to_the_same_picture(name):
    pool = CountingPool()
    call = {**CALLS, "surface": lambda ax: plot.surface(QUAD, (-1, 1), (-1, 1), n=5, ax=ax)}[name]
    fig = plt.figure()
    serial = drawn(call(fig.add_subplot(projection="3d" if name == "surface" else None)))
    fig = plt.figure()
    ax = fig.add_subplot(projection="3d" if name == "surface" else None)
    with_pool = {
        "tangent": lambda ax: plot.tangent("x^3", 1.0, ax=ax, executor=pool),
        "contour": lambda ax: plot.contour(QUAD, (-1, 1), (-1, 1), n=10, ax=ax, executor=pool),
        "field": lambda ax: plot.field(QUAD, (-1, 1), (-1, 1), n=4, ax=ax, executor=pool),
        "error_vs_step": lambda ax: plot.error_vs_step("exp(x)", 0.5, ax=ax, executor=pool),
        "descent": lambda ax: plot.descent(QUAD, gd_path(steps=2), ax=ax, executor=pool),
        "surface": lambda ax: plot.surface(QUAD, (-1, 1), (-1, 1), n=5, ax=ax, executor=pool),
    }[name]
    same(drawn(with_pool(ax)), serial)
    assert pool.tasks > 0
    pool.pool.shutdown()


def sin_v(v):  # module level: a process pool sends it by reference
    return np.sin(v[..., 0]) * np.cos(v[..., 1])


def test_field_with_workers_and_lambdas_refused_for_processes():
    ax = plot.field(sin_v, (-1, 1), (-1, 1), n=4, workers=2)
    q = ax.collections[-1]
    X, Y = np.asarray(q.get_offsets()).T
    np.testing.assert_allclose(q.U, -np.cos(X) * np.cos(Y), atol=1e-9)
    with pytest.raises(InputError, match="cannot be sent to the worker processes of workers=2"):
        plot.contour(lambda v: v[..., 0], (-1, 1), (-1, 1), workers=2)
    with pytest.raises(InputError, match="give executor or workers, not both"):
        plot.tangent(np.sin, 1.0, executor=CountingPool(), workers=2)
