"""gradient_descent: iterates against the closed form, every way of getting the gradient, and
each stop rule on a function that triggers it."""

import json

import numpy as np
import pytest

import derivlab
from derivlab import Descent, InputError, InputTypeError, Status, gradient_descent

TEXT = "(x-1)^2 + 3*(y+2)^2"


def quad(v):
    return (v[0] - 1) ** 2 + 3 * (v[1] + 2) ** 2


def quad_grad(v):
    return np.array([2 * (v[0] - 1), 6 * (v[1] + 2)])


def closed_form(k):
    """x_k = 1 + (0-1)(1-2 lr)^k, y_k = -2 + 2(1-6 lr)^k, lr = 0.1, from (0, 0)."""
    k = np.arange(k + 1)
    return np.stack([1 - 0.8 ** k, -2 + 2 * 0.4 ** k], axis=-1)


def assert_closed_form(d, steps, atol=1e-10):
    assert d.status == "max_steps" and d.success and d.nit == steps
    assert d.path.shape == (steps + 1, 2)
    np.testing.assert_allclose(d.path, closed_form(steps), rtol=0, atol=atol)
    assert np.all(np.diff(d.values) < 0)
    np.testing.assert_allclose(d.values, [quad(p) for p in closed_form(steps)], rtol=1e-9,
                               atol=1e-15)


def test_quadratic_numeric_gradient_matches_closed_form():
    d = gradient_descent(quad, [0.0, 0.0], lr=0.1, steps=60)
    assert_closed_form(d, 60)
    np.testing.assert_allclose(d.x, [1, -2], atol=1e-5)
    assert len(d.values) == len(d.grad_norms) == 61
    assert d.ngev == 61 and d.nfev > 61  # the gradient's evaluations are counted
    np.testing.assert_allclose(d.grad_norms, [np.linalg.norm(quad_grad(p)) for p in d.path],
                               rtol=1e-8, atol=1e-12)


def test_quadratic_user_gradient_is_exact():
    d = gradient_descent(quad, np.zeros(2), lr=0.1, steps=60, grad=quad_grad)
    assert_closed_form(d, 60, atol=1e-14)
    assert d.nfev == d.ngev == 61 and d.method == "yours (grad=)"


def test_formula_symbolic_and_mapping():
    d = gradient_descent(TEXT, [0, 0], lr=0.1, steps=30, method="symbolic")
    assert_closed_form(d, 30, atol=1e-14)
    assert d.variables == ("x", "y") and "symbolic" in d.method
    m = gradient_descent(TEXT, {"y": 0, "x": 0}, lr=0.1, steps=30)
    assert_closed_form(m, 30)
    assert isinstance(m.x, dict) and set(m.x) == {"x", "y"}
    assert m.x["x"] == pytest.approx(1 - 0.8 ** 30, abs=1e-10)
    assert "x = " in str(m) and ", y = " in str(m)


def test_jax_callable():
    jnp = pytest.importorskip("jax.numpy")
    f = lambda v: (v[0] - 1) ** 2 + 3 * jnp.square(v[1] + 2)  # noqa: E731
    d = gradient_descent(f, [0.0, 0.0], lr=0.1, steps=2, method="jax")  # compiles every step
    assert_closed_form(d, 2, atol=1e-14)
    assert "jax" in d.method
    d = gradient_descent(TEXT, {"x": 0, "y": 0}, lr=0.1, steps=20, method="jax")  # reused
    assert_closed_form(d, 20, atol=1e-14)


def test_torch_callable():
    torch = pytest.importorskip("torch")
    f = lambda v: (v[0] - 1) ** 2 + 3 * torch.square(v[1] + 2)  # noqa: E731
    d = gradient_descent(f, [0.0, 0.0], lr=0.1, steps=20, method="torch")
    assert_closed_form(d, 20, atol=1e-14)
    assert "torch" in d.method


def test_complex_step_and_unpack():
    d = gradient_descent(lambda x, y: (x - 1) ** 2 + 3 * (y + 2) ** 2, [0, 0], unpack=True,
                         lr=0.1, steps=10, method="complex")
    assert_closed_form(d, 10, atol=1e-14)
    g = gradient_descent(lambda v, a: (v[0] - a) ** 2 + 3 * (v[1] + 2) ** 2, [0.0, 0.0],
                         args=(1.0,), grad=lambda v, a: quad_grad(v), lr=0.1, steps=20)
    assert_closed_form(g, 20, atol=1e-14)


def test_diverges_when_lr_too_large():
    d = gradient_descent(quad, [0.0, 0.0], lr=0.5, steps=100)  # y - (-2) doubles, flips sign
    assert d.status == "diverged" and not d.success
    assert "lr = 0.5 too large" in d.message and "f rose at each of the last 10" in d.message
    assert d.nit == 10 and np.all(np.diff(d.values) > 0)
    np.testing.assert_allclose(d.path[:, 1], -2 + 2 * (-2.0) ** np.arange(11), rtol=1e-9)
    assert d.x is not d.path[-1] and np.array_equal(d.x, d.path[-1])


def test_diverges_unbounded_below():
    d = gradient_descent(lambda v: -v[0] ** 2, [1.0], lr=0.1, steps=500, grad=lambda v: -2 * v)
    assert d.status == "diverged" and "unbounded below" in d.message


def test_nonfinite_when_walking_out_of_the_domain():
    d = gradient_descent(lambda v: np.log(v[0]), [1.0], lr=0.1, steps=50)  # x - 0.1/x < 0
    assert d.status == "nonfinite" and not d.success
    assert d.x[0] < 0 and np.isnan(d.values[-1]) and np.all(np.isfinite(d.values[:-1]))
    assert "NaN/inf" in d.message and "domain" in d.message
    o = gradient_descent(lambda v: v[0] ** 2, [1.0], lr=1e200, steps=5, grad=lambda v: 2 * v)
    assert o.status == "nonfinite" and "f is NaN/inf at step 1" in o.message
    assert "lr = 1e+200 too large?" in o.message
    inf = gradient_descent(lambda v: v[0] ** 2, [1e10], lr=1e300, steps=5, grad=lambda v: 2 * v)
    assert inf.status == "nonfinite" and inf.message.startswith("x is NaN/inf at step 1")
    assert inf.nit == 1 and inf.ngev == 1 and np.isnan(inf.values[1])  # f is not called at inf


def test_kink_stops_with_the_gradient_status():
    d = gradient_descent(lambda v: abs(v[0]), [0.25], lr=0.125, steps=10)  # lands on 0 exactly
    assert d.status == "gradient_failed" and not d.success and d.nit == 2
    assert d.grad_status is Status.NOT_SMOOTH and "kink" in d.message
    np.testing.assert_array_equal(d.path[:, 0], [0.25, 0.125, 0.0])
    o = gradient_descent(lambda v: abs(v[0]), [0.55], lr=0.1, steps=21)  # steps over the kink
    assert o.status == "max_steps" and "oscillating" in o.message


def test_tol_converges_early_and_steps_zero():
    d = gradient_descent(quad, [0.0, 0.0], lr=0.1, steps=1000, tol=1e-8, grad=quad_grad)
    assert d.status == "converged" and d.success and d.nit < 1000
    assert d.grad_norms[-1] <= 1e-8 < d.grad_norms[-2]
    n = gradient_descent(quad, [0.0, 0.0], lr=0.1, steps=5, tol=1e-8, grad=quad_grad)
    assert n.status == "max_steps" and not n.success and "tol" in n.message
    z = gradient_descent(quad, [0.0, 0.0], steps=0)
    assert z.status == "max_steps" and z.nit == 0 and z.path.shape == (1, 2)
    np.testing.assert_array_equal(z.x, [0, 0])
    assert z.values[0] == 13.0 and z.grad_norms[0] == pytest.approx(np.hypot(2, 12))


def test_roundoff_near_the_minimum_is_convergence_not_failure():
    d = gradient_descent(lambda v: quad(v) + 1.0, [0.0, 0.0], lr=0.25, steps=300)
    assert d.status == "converged" and d.success and d.nit < 100
    assert "round-off" in d.message and "stationary" in d.message
    np.testing.assert_allclose(d.x, [1, -2], atol=1e-10)
    big = gradient_descent(lambda v: 1e12 + (v[0] - 1) ** 2, [3.0], lr=0.25, steps=12)
    assert big.status == "max_steps" and abs(big.x[0] - 1) < 0.01  # ROUNDOFF values are used


def test_callback_sees_every_iterate_and_can_stop():
    seen = []

    def cb(k, x, fx, g):
        seen.append((k, x.copy(), fx, g.copy()))
        x[:] = 99  # a copy: the descent must not see this
        return k == 3

    d = gradient_descent(quad, [0.0, 0.0], lr=0.1, steps=10, grad=quad_grad, callback=cb)
    assert d.status == "stopped" and d.success and d.nit == 3
    assert [s[0] for s in seen] == [0, 1, 2, 3]
    np.testing.assert_allclose(d.path, closed_form(3), atol=1e-14)
    assert seen[1][2] == d.values[1] and np.array_equal(seen[1][3], quad_grad(d.path[1]))


def test_matrix_float32_and_x0_untouched():
    x0 = np.array([[0.0, 1.0], [2.0, 3.0]])
    keep = x0.copy()
    target = np.array([[1.0, -1.0], [0.5, 2.0]])
    d = gradient_descent(lambda m: np.sum((m - target) ** 2), x0, lr=0.25, steps=8)
    assert d.path.shape == (9, 2, 2) and d.x.shape == (2, 2)
    np.testing.assert_allclose(d.path[1], (x0 + target) / 2, atol=1e-10)  # 1 - 2 lr = 1/2
    np.testing.assert_array_equal(x0, keep)
    f32 = np.array([0.0, 0.0], dtype=np.float32)
    s = gradient_descent(quad, f32, lr=0.1, steps=10)
    assert s.x.dtype == s.path.dtype == np.float32
    np.testing.assert_allclose(s.path, closed_form(10), atol=1e-5)
    i = gradient_descent(quad, [0, 0], lr=0.1, steps=2, grad=quad_grad)  # ints: float64
    assert i.path.dtype == np.float64
    c = gradient_descent(lambda t: (t - 3) ** 2, 0.0, lr=0.25, steps=4, grad=lambda t: 2 * (t - 3))
    assert c.path.shape == (5,) and c.x == 3 - 3 * 0.5 ** 4  # 0-d x0: a scalar


@pytest.mark.parametrize("kw, exc, match", [
    ({"lr": 0}, InputError, "lr must be a positive"),
    ({"lr": -0.1}, InputError, "lr must be a positive"),
    ({"lr": float("inf")}, InputError, "lr must be a positive"),
    ({"lr": "0.1"}, InputTypeError, "lr must be a real number"),
    ({"steps": -1}, InputError, "steps must be an integer >= 0"),
    ({"steps": 2.5}, InputTypeError, "steps must be an integer"),
    ({"tol": -1e-8}, InputError, "tol must be a non-negative"),
    ({"tol": float("nan")}, InputError, "tol must be a non-negative"),
    ({"grad": 3}, InputTypeError, "grad must be callable"),
    ({"callback": "print"}, InputTypeError, "callback must be callable"),
    ({"grad": quad_grad, "method": "jax"}, InputError, "pass one of them"),
    ({"method": "sideways"}, InputError, "method must be one of"),
])
def test_bad_options_are_refused(kw, exc, match):
    with pytest.raises(exc, match=match):
        gradient_descent(quad, [0.0, 0.0], **kw)


def test_bad_inputs_are_refused():
    with pytest.raises(InputError, match="x0 must be finite"):
        gradient_descent(quad, [0.0, np.nan])
    with pytest.raises(InputError, match="misses 'y'"):
        gradient_descent(TEXT, {"x": 0})
    with pytest.raises(InputError, match="grad must return x's shape"):
        gradient_descent(quad, [0.0, 0.0], grad=lambda v: np.zeros(3))
    with pytest.raises(InputError, match="f must return a scalar"):
        gradient_descent(lambda v: v, [0.0, 0.0], grad=quad_grad)


def test_rosenbrock_decreases_monotonically():
    def rosen(v):
        return (1 - v[0]) ** 2 + 100 * (v[1] - v[0] ** 2) ** 2

    def rosen_grad(v):
        return np.array([-2 * (1 - v[0]) - 400 * v[0] * (v[1] - v[0] ** 2),
                         200 * (v[1] - v[0] ** 2)])

    d = gradient_descent(rosen, [-1.2, 1.0], lr=1e-3, steps=5000, grad=rosen_grad)
    assert d.status == "max_steps" and d.path.shape == (5001, 2)
    assert np.all(np.diff(d.values) <= 0) and d.values[-1] < 0.1 * d.values[0]
    n = gradient_descent(rosen, [-1.2, 1.0], lr=1e-3, steps=30)  # the numeric gradient agrees
    np.testing.assert_allclose(n.path, d.path[:31], rtol=0, atol=1e-9)


def test_report_html_and_dict():
    d = gradient_descent(TEXT, {"x": 0, "y": 0}, lr=0.1, steps=200, tol=1e-3)
    text = str(d)
    assert repr(d) == text and text.startswith("gradient descent: converged after")
    assert "x = 1, y = -2" in text.replace("0.9999999", "1").split("\n")[1] or \
        "y = -2" in text
    assert "<b>gradient descent: converged" in d._repr_html_()
    data = json.loads(json.dumps(d.to_dict()))
    assert data["status"] == "converged" and data["success"] and data["variables"] == ["x", "y"]
    assert len(data["path"]) == d.nit + 1 == len(data["values"])
    assert isinstance(d, Descent) and "gradient_descent" in derivlab.__all__
