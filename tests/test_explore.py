"""derivlab.explore: the data it draws are right, and its page works in a real browser."""

import math
import os
import subprocess
import sys

import numpy as np
import pytest

import derivlab
from derivlab import InputError, InputTypeError

pytest.importorskip("plotly")

CHROMIUM, CHROMEDRIVER = "/usr/lib/chromium/chromium", "/usr/bin/chromedriver"
F = lambda x: 3 * x * np.exp(x)
DF = lambda x: 3 * (1 + x) * np.exp(x)


@pytest.fixture(scope="module")
def ex():
    return derivlab.explore("3*x*exp(x)", 1.0)


def _nan(values):
    return np.array([math.nan if v is None else v for v in values], dtype=float)


def _on_line(xs, ys, x0, y0, slope):
    """Every point of a drawn line lies on y = y0 + slope (x - x0)."""
    xs, ys = np.asarray(xs), np.asarray(ys)
    np.testing.assert_allclose(ys, y0 + slope * (xs - x0), rtol=1e-12, atol=1e-12 * abs(y0))


# -- the data ----------------------------------------------------------------------------------
def test_grid_holds_x_and_the_default_steps(ex):
    i, j = ex.active
    assert ex.xs[i] == 1.0 and ex.xs[0] == 0.0 and ex.xs[-1] == 2.0 and len(ex.xs) == 41
    np.testing.assert_allclose(ex.hs, np.logspace(0, -12, 25), rtol=1e-15)
    assert math.isclose(ex.hs[j], 0.1)


def test_tangent_slope_is_the_exact_derivative(ex):
    assert ex.exact
    mpmath = pytest.importorskip("mpmath")
    with mpmath.workdps(40):   # 3 (1 + x) e^x, correctly rounded
        exact = [float(3 * (1 + mpmath.mpf(float(x))) * mpmath.exp(float(x))) for x in ex.xs]
    np.testing.assert_array_equal(ex.slope, exact)
    for i in (0, 7, 20, 40):
        xs, ys = ex.frame(i, 3)["tangent"]
        _on_line(xs, ys, ex.xs[i], F(ex.xs[i]), DF(ex.xs[i]))
        assert ex.xs[i] in xs


def test_secants_pass_through_their_points(ex):
    for i, j in [(0, 0), (20, 2), (20, 12), (33, 24), (40, 5)]:
        x, h = ex.xs[i], ex.hs[j]
        fr = ex.frame(i, j)
        xs, ys = fr["forward secant"]
        assert (x, F(x)) in zip(xs, ys) and (x + h, F(x + h)) in zip(xs, ys)
        _on_line(xs, ys, x, F(x), (F(x + h) - F(x)) / h)
        xs, ys = fr["central secant"]
        assert (x - h, F(x - h)) in zip(xs, ys) and (x + h, F(x + h)) in zip(xs, ys)
        _on_line(xs, ys, x - h, F(x - h), (F(x + h) - F(x - h)) / (2 * h))
        assert fr["points"] == ([x - h, x, x + h], [F(x - h), F(x), F(x + h)])
        assert fr["current h"][0] == [h, h]


def test_error_curves_are_the_errors_of_the_textbook_differences(ex):
    h = ex.hs
    for i in (0, 13, 20, 40):
        x, d = ex.xs[i], ex.slope[i]   # equal to DF(x) (tested above) to round-off
        fwd = np.abs((F(x + h) - F(x)) / h - d)
        cen = np.abs((F(x + h) - F(x - h)) / (2 * h) - d)
        fr = ex.frame(i, 4)
        for name, want in (("forward error", fwd), ("central error", cen)):
            xs, ys = fr[name]
            np.testing.assert_array_equal(xs, h)
            np.testing.assert_allclose(_nan(ys), np.where(want > 0, want, np.nan), rtol=1e-9)
        assert fr["errors at h"] == ([h[4], h[4]], [fwd[4], cen[4]])
    assert ex.forward_error[20, 2] > 1 > ex.central_error[20, 2] > 1e-2   # h = 0.1 at x = 1


def test_derivlab_step_and_error_bar_are_marked(ex):
    res = derivlab.derivative(F, ex.xs)
    np.testing.assert_array_equal(ex.step, res.step)
    for i in (0, 20, 40):
        fr = ex.frame(i, 0)
        assert fr["derivlab step"][0] == [ex.step[i]] * 2
        assert fr["derivlab error bar"] == ([ex.step[i]], [ex.error[i]])
        assert 0 < ex.error[i] < 1e-9
        assert abs(res.value[i] - DF(ex.xs[i])) <= ex.error[i]


def test_figure_shows_the_first_frame(ex):
    traces = {t.name: t for t in ex.figure.data}
    assert list(traces) == ["f", *ex.frame(0, 0)]
    for name, (xs, ys) in ex.frame(*ex.active).items():
        np.testing.assert_array_equal(_nan(traces[name].x), _nan(xs))
        np.testing.assert_array_equal(_nan(traces[name].y), _nan(ys))
    assert ex.figure.layout.annotations[0].text == ex._text(*ex.active)
    assert [s.active for s in ex.figure.layout.sliders] == list(ex.active)
    assert ex.figure.layout.xaxis2.type == "log" == ex.figure.layout.yaxis2.type


def test_a_callable_uses_derivlabs_value_and_any_h_and_xlim():
    import math as m

    ex = derivlab.explore(m.sin, 0.3, h=1e-5, xlim=(-1, 2), n_x=7, n_h=9)   # not vectorized
    assert not ex.exact and ex.label == "sin"
    i, j = ex.active
    assert ex.xs[i] == 0.3 and ex.hs[j] == 1e-5 and ex.xs[0] == -1 and ex.xs[-1] == 2
    np.testing.assert_allclose(ex.slope, np.cos(ex.xs), rtol=1e-12)
    np.testing.assert_array_equal(ex.fp, np.sin(ex.xs[:, None] + ex.hs))
    d = derivlab.derivative(np.sin, ex.xs).value
    want = np.abs((np.sin(ex.xs[:, None] + ex.hs) - np.sin(ex.xs)[:, None]) / ex.hs - d[:, None])
    np.testing.assert_array_equal(ex.forward_error, np.where(want > 0, want, np.nan))
    assert "derivlab, error bar" in ex._text(i, j)


def test_f_undefined_on_part_of_the_interval_leaves_gaps():
    ex = derivlab.explore(lambda t: np.sqrt(t), 1.0, xlim=(0, 2), n_x=5, n_h=5)
    assert np.isnan(ex.fm[0]).all() and np.isfinite(ex.fp).all()


@pytest.mark.parametrize("kwargs, message", [
    (dict(f="x*y", x=1.0), "one variable, but 'x\\*y' has 2 \\(x, y\\)"),
    (dict(f=["x", "x^2"], x=1.0), "one function"),
    (dict(f=np.sin, x=math.nan), "x must be finite"),
    (dict(f=np.sin, x=math.inf), "x must be finite"),
    (dict(f=np.sin, x=0.5, xlim=(1, 0)), "lo < hi"),
    (dict(f=np.sin, x=0.5, xlim=(0, 0)), "lo < hi"),
    (dict(f=np.sin, x=0.5, xlim=(0, math.inf)), "finite lo < hi"),
    (dict(f=np.sin, x=0.5, xlim=(0,)), "a pair"),
    (dict(f=np.sin, x=5.0, xlim=(0, 1)), "outside xlim"),
    (dict(f=np.sin, x=0.5, n_x=1), "n_x must be an integer >= 2"),
    (dict(f=np.sin, x=0.5, n_h=0), "n_h must be an integer >= 2"),
    (dict(f=np.sin, x=0.5, n_h=5000), "at most 1000"),
    (dict(f=np.sin, x=0.5, h=0.0), "h must be positive"),
    (dict(f=np.sin, x=0.5, h=-1e-3), "h must be positive"),
    (dict(f=np.log, x=0.0), "f\\(0.0\\) is -inf"),
    (dict(f=lambda t: np.array([t, t]), x=0.5), "one real number per x, got shape \\(2,\\)"),
    (dict(f=lambda t: 1j * t, x=0.5), "one real number per x, got dtype complex"),
])
def test_bad_input_is_an_input_error(kwargs, message):
    with pytest.raises(InputError, match=message):
        derivlab.explore(**kwargs)


def test_bad_types():
    with pytest.raises(InputTypeError, match="callable or a formula"):
        derivlab.explore(3.0, 1.0)
    with pytest.raises(InputTypeError, match="x must be a real number"):
        derivlab.explore(np.sin, "1")
    with pytest.raises(InputTypeError, match="n_x must be an integer"):
        derivlab.explore(np.sin, 1.0, n_x=4.5)


def test_without_plotly_the_message_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "plotly", None)   # import plotly raises ImportError
    monkeypatch.setitem(sys.modules, "plotly.graph_objects", None)
    with pytest.raises(InputError, match=r"needs plotly: pip install 'derivlab\[explore\]'"):
        derivlab.explore(np.sin, 1.0)


def test_import_derivlab_does_not_import_plotly():
    code = "import sys, derivlab; derivlab.parse('x'); print('plotly' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.stdout.strip() == "False", out.stderr


def test_html_page_and_jupyter_display(ex, tmp_path):
    page = ex.html
    assert "<html>" in page[:100] and "Plotly.newPlot" in page and "T.text[i][j]" in page
    assert len(page) > 3_000_000                                   # plotly.js inline: offline
    assert "cdn.plot.ly" not in page.split("Plotly.newPlot")[-1]
    inline = ex._repr_html_()
    assert "<html>" not in inline[:1000] and "T.text[i][j]" in inline
    assert ex.write_html(tmp_path / "e.html") == tmp_path / "e.html"
    assert (tmp_path / "e.html").read_text(encoding="utf-8").count("T.text[i][j]") == 1
    assert "Explorer of f(x) = 3*x*exp(x)" in repr(ex)


# -- the page in a real browser -----------------------------------------------------------------
_COLLECT = """window.__errors = [];
window.addEventListener('error', function (e) { window.__errors.push('error: ' + e.message); });
window.addEventListener('unhandledrejection', function (e) {
  window.__errors.push('unhandled rejection: ' + String(e.reason)); });
var __ce = console.error;
console.error = function () { window.__errors.push('console.error: ' +
  Array.prototype.map.call(arguments, String).join(' ')); return __ce.apply(console, arguments); };
"""

_READ = """var gd = document.querySelector('.js-plotly-plot'), out = {};
var clean = function (a) { return Array.from(a, function (v) {
  return (v === null || Number.isNaN(v)) ? null : v; }); };
gd._fullData.forEach(function (t) { out[t.name] = [clean(t.x), clean(t.y)]; });
return {traces: out, active: gd.layout.sliders.map(function (s) { return s.active; }),
        text: gd._fullLayout.annotations[0].text, errors: window.__errors};"""


@pytest.fixture(scope="module")
def browser():
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.skip(f"needs Chromium ({CHROMIUM}) and ChromeDriver ({CHROMEDRIVER})")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1000,800"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _COLLECT})
    yield driver
    driver.quit()


def _click_rail(driver, k, fraction):
    """Click slider k's rail (0: x, 1: h; ordered left to right) at a fraction of its width."""
    from selenium.webdriver.common.action_chains import ActionChains

    rails = sorted(driver.find_elements("css selector", ".slider-rail-rect"),
                   key=lambda r: r.rect["x"])
    rail = rails[k]
    ActionChains(driver).move_to_element_with_offset(
        rail, int((fraction - 0.5) * rail.rect["width"]), 0).click().perform()


def _assert_shows(ex, state, i, j):
    assert state["active"] == [i, j]
    for name, (xs, ys) in ex.frame(i, j).items():
        got_x, got_y = state["traces"][name]
        np.testing.assert_allclose(_nan(got_x), _nan(xs), rtol=1e-15, err_msg=name)
        np.testing.assert_allclose(_nan(got_y), _nan(ys), rtol=1e-15, err_msg=name)
    assert state["text"] == ex._text(i, j)


def test_the_sliders_work_in_a_browser(ex, browser, tmp_path):
    from selenium.webdriver.support.ui import WebDriverWait

    path = ex.write_html(tmp_path / "explorer.html")
    browser.get(path.as_uri())
    WebDriverWait(browser, 30).until(lambda d: d.execute_script(
        "var g = document.querySelector('.js-plotly-plot');"
        "return !!(g && g._fullData && g._fullData.length && g.layout.sliders);"))
    state = browser.execute_script(_READ)
    i, j = ex.active
    _assert_shows(ex, state, i, j)

    _click_rail(browser, 1, 0.75)                               # h slider: x stays
    WebDriverWait(browser, 10).until(lambda d: d.execute_script(_READ)["active"][1] != j)
    state = browser.execute_script(_READ)
    j = state["active"][1]
    assert abs(j - round(0.75 * (len(ex.hs) - 1))) <= 1
    _assert_shows(ex, state, i, j)

    _click_rail(browser, 0, 0.25)                               # x slider: h stays
    WebDriverWait(browser, 10).until(lambda d: d.execute_script(_READ)["active"][0] != i)
    state = browser.execute_script(_READ)
    i = state["active"][0]
    assert abs(i - round(0.25 * (len(ex.xs) - 1))) <= 1
    _assert_shows(ex, state, i, j)
    # the secant really moved: through (x_i, f(x_i)) and (x_i + h_j, f(x_i + h_j))
    xs, ys = state["traces"]["forward secant"]
    assert xs[1:3] == [ex.xs[i], ex.xs[i] + ex.hs[j]] and ys[1:3] == [ex.fx[i], ex.fp[i, j]]

    from selenium.webdriver.common.action_chains import ActionChains

    grip = sorted(browser.find_elements("css selector", ".slider-grip-rect"),
                  key=lambda r: r.rect["x"])[1]                  # drag the h slider's grip
    ActionChains(browser).click_and_hold(grip).move_by_offset(-40, 0).move_by_offset(-40, 0) \
        .release().perform()
    state = browser.execute_script(_READ)
    assert state["active"][0] == i and state["active"][1] < j
    _assert_shows(ex, state, *state["active"])

    assert state["errors"] == []
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []


def test_an_executor_evaluates_f_to_the_same_page():
    from concurrent.futures import ThreadPoolExecutor

    class Counting(ThreadPoolExecutor):
        tasks = 0

        def submit(self, fn, *args, **kwargs):
            Counting.tasks += 1
            return super().submit(fn, *args, **kwargs)

    f = lambda t: np.exp(np.sin(t)) * t  # noqa: E731
    serial = derivlab.explore(f, 0.7, n_x=7, n_h=9)
    with Counting(2) as pool:
        pooled = derivlab.explore(f, 0.7, n_x=7, n_h=9, executor=pool)
    assert Counting.tasks > 0
    for name in ("xs", "hs", "fx", "fp", "fm", "slope", "step", "error", "forward_error",
                 "central_error"):
        np.testing.assert_array_equal(getattr(pooled, name), getattr(serial, name))
    assert pooled.figure.to_json() == serial.figure.to_json()  # (the page differs in its div ids)
    with pytest.raises(InputError, match="cannot be sent to the worker processes of workers=2"):
        derivlab.explore(f, 0.7, workers=2)
    with pytest.raises(InputError, match="give executor or workers, not both"):
        derivlab.explore(np.sin, 0.7, executor=pool, workers=2)
