"""Every number the seed notebooks (/work/shared/seeds) print, reproduced with derivlab.

With ``step=`` derivlab performs the seeds' own fixed-step arithmetic, so their
full-precision floats must come back bit for bit. The seeds' ``numer_deriv(f,
x, h, method="center")`` uses ``x +- h/2`` and divides by ``h``: that is
derivlab's central stencil with ``step=h/2``. The adaptive default must instead
give the *true* derivatives (the numbers the seeds print from SymPy or torch).
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy

import derivlab
from derivlab import Status
from _truth import exact_partial, rel_err

H = 1e-4  # the seeds' delta_x


# -- seed 000 / 002: central differences with delta_x = 1e-4 -----------------------------------

def test_square_at_3_fixed_step():
    res = derivlab.derivative(lambda x: x**2, 3, step=H)
    assert res.value == 6.000000000012662
    assert res.status == Status.FIXED_STEP
    assert np.isnan(res.error)


def test_3x_exp_x_at_2_fixed_step():
    res = derivlab.derivative(lambda x: 3 * x * np.exp(x), 2, step=H)
    assert res.value == 66.50150507518049


def test_forward_square_at_2_step_1e5():
    # seed 001 In[2]: (f(x + h) - f(x)) / h with h = 1e-5
    res = derivlab.derivative(lambda x: x**2, 2.0, step=1e-5, method="forward")
    assert res.value == 4.000010000027032


def test_gradient_one_variable_debug4():
    res = derivlab.gradient(lambda v: v[0] ** 2, np.array([3.0]), step=H)
    assert res.value.shape == (1,)
    assert res.value[0] == 6.000000000012662


def _f_2x_3xy_y3(v):
    x, y = v[0], v[1]
    return 2 * x + 3 * x * y + np.power(y, 3)


def test_gradient_two_variables_debug4():
    res = derivlab.gradient(_f_2x_3xy_y3, np.array([1.0, 2.0]), step=H)
    assert res.value[0] == 7.999999999990237
    assert res.value[1] == 15.000000010019221
    assert (res.status == Status.FIXED_STEP).all()


def _f_wxyz(m):
    w, x, y, z = m[0, 0], m[0, 1], m[1, 0], m[1, 1]
    return w * x + x * y * z + 3 * w + z * np.power(y, 2)


SEED_2X2 = np.array([[1.0, 2.0], [3.0, 4.0]])
DEBUG4_2X2 = [5.000000000023874, 13.00000000000523, 32.00000000006753, 15.000000000000568]


def test_gradient_2x2_matrix_debug4():
    res = derivlab.gradient(_f_wxyz, SEED_2X2.copy(), step=H)
    assert res.value.shape == (2, 2)
    assert res.value.ravel().tolist() == DEBUG4_2X2


def test_trace_2x2_visits_elements_in_seed_order():
    x = SEED_2X2.copy()
    res = derivlab.gradient(_f_wxyz, x, step=H, trace=True)
    recs = list(res.trace)
    assert len(recs) == 8  # two evaluations per element, as in the seed's loop
    order = [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert [tuple(r.element) for r in recs] == [e for e in order for _ in range(2)]
    for k, elem in enumerate(order):
        pair = recs[2 * k:2 * k + 2]
        xs = sorted(r.x for r in pair)
        assert xs == [x[elem] - H, x[elem] + H]
        assert sorted(r.offset for r in pair) == [-H, H]
        for r in pair:
            assert r.step == H
            assert r.estimate == DEBUG4_2X2[k]
            # the recorded f(x) is f at the perturbed point, independently recomputed
            moved = x.copy()
            moved[elem] = r.x
            assert r.fx == _f_wxyz(moved)
    assert str(res.trace).count("\n") >= 8


# -- seed 001: the true values (SymPy and torch prints) ----------------------------------------

def _f_xy(v):
    return (v[0] * v[0] + 2 * v[0]) * np.log(v[1])


@pytest.mark.parametrize("x", [np.array([1, 2]), np.array([1.0, 2.0]), [1, 2]])
def test_f_xy_true_gradient(x):
    res = derivlab.gradient(_f_xy, x)
    assert res.success
    # (2x + 2) ln y and (x^2 + 2x) / y at (1, 2); torch printed 2.7726 and 1.5000
    exact = [4 * mpmath.log(2), mpmath.mpf(3) / 2]
    for v, e, err in zip(res.value, exact, res.error):
        assert rel_err(v, e) < 1e-12
        assert err >= abs(float(v) - float(e))
    assert np.round(res.value, 4).tolist() == [2.7726, 1.5]


def test_torch_single_variable_print():
    # torch: f = (x^2 + 2x) ln x at 1 has gradient tensor([3.])
    res = derivlab.derivative(lambda x: (x**2 + 2 * x) * np.log(x), 1.0)
    assert res.success
    assert abs(res.value - 3.0) < 1e-12


@pytest.mark.parametrize("x0", [-2.0, 0.0, 0.5, 3.0])
def test_sympy_cubic_derivative(x0):
    # seed prints g'(x) = 9*x**2 - 5 for g = 3x^3 - 5x + 4
    res = derivlab.derivative(lambda x: 3 * x**3 - 5 * x + 4, x0)
    assert res.success
    assert abs(res.value - (9 * x0**2 - 5)) <= 1e-12 * max(1.0, abs(9 * x0**2 - 5))


XS, YS, ZS = sympy.symbols("x y z")
F_XYZ = (XS**3 + 4 * XS) * sympy.exp(YS) * sympy.sin(ZS)
SEED_XYZ = [6494.0391, 9990.8294, 6415.0378]  # printed with "{:.4f}"


def _f_xyz(v):
    return (v[0] ** 3 + v[0] * 4) * np.exp(v[1]) * np.sin(v[2])


def _check_xyz(res):
    assert res.success
    assert res.value.shape == (3,)
    for i, sym in enumerate((XS, YS, ZS)):
        exact = exact_partial(F_XYZ, (XS, YS, ZS), (4, 5, 1), sym)
        assert rel_err(res.value[i], exact) < 1e-10
        assert res.error[i] >= abs(float(res.value[i]) - float(exact))
        assert abs(res.value[i] - SEED_XYZ[i]) <= 5e-5  # the printed 4 decimals


def test_xyz_gradient_float_input():
    _check_xyz(derivlab.gradient(_f_xyz, np.array([4.0, 5.0, 1.0])))


def test_xyz_gradient_int_input_is_not_cast_to_float32():
    # the seed cast x to float32 and printed [6502.8585877, 10004.79455543, 6411.66329297]
    res = derivlab.gradient(_f_xyz, np.array([4, 5, 1]))
    _check_xyz(res)
    assert res.value.dtype == np.float64
    assert abs(res.value[0] - 6502.8585877) > 8


def test_xyz_gradient_unpack_lambdify():
    f_np = sympy.lambdify((XS, YS, ZS), F_XYZ, "numpy")
    _check_xyz(derivlab.gradient(f_np, np.array([4.0, 5.0, 1.0]), unpack=True))
    _check_xyz(derivlab.gradient(f_np, [4, 5, 1], unpack=True))


def test_xy_partials_printed_by_sympy():
    # (x^3 + 4x) e^y at (4, 5): 7717.4843 and 11873.0527
    f = lambda v: (v[0] ** 3 + 4 * v[0]) * np.exp(v[1])  # noqa: E731
    res = derivlab.gradient(f, [4.0, 5.0])
    assert res.success
    assert np.all(np.abs(res.value - [7717.4843, 11873.0527]) <= 5e-5)
    # an earlier cell printed 2*x and 4*y, i.e. 8.0000 and 20.0000 at (4, 5)
    res = derivlab.gradient(lambda v: v[0] ** 2 + 2 * v[1] ** 2, [4.0, 5.0])
    assert res.success
    assert np.all(np.abs(res.value - [8.0, 20.0]) <= 1e-10)


def test_torch_float32_print_of_xyz_variant():
    # torch (float32): (x^3 + 3x) e^y sin z at (3, 7, 2) -> 29914.9727, 35897.9648, -16428.9746
    f = lambda v: (v[0] ** 3 + 3 * v[0]) * np.exp(v[1]) * np.sin(v[2])  # noqa: E731
    res = derivlab.gradient(f, [3.0, 7.0, 2.0])
    assert res.success
    printed = np.array([29914.9727, 35897.9648, -16428.9746])
    assert np.all(np.abs(res.value - printed) <= 2e-7 * np.abs(printed))  # float32 resolution
    expr = (XS**3 + 3 * XS) * sympy.exp(YS) * sympy.sin(ZS)
    for i, sym in enumerate((XS, YS, ZS)):
        assert rel_err(res.value[i], exact_partial(expr, (XS, YS, ZS), (3, 7, 2), sym)) < 1e-10


# -- seed 003 / 004: f(x0, x1) = x0^2 + x1^2 ------------------------------------------------

def _function_2(x):
    return np.sum(x**2) if x.ndim == 1 else np.sum(x**2, axis=1)


@pytest.mark.parametrize("point, grad", [([3.0, 4.0], [6.0, 8.0]), ([0.0, 2.0], [0.0, 4.0]),
                                         ([3.0, 0.0], [6.0, 0.0])])
def test_function_2_gradients(point, grad):
    res = derivlab.gradient(_function_2, np.array(point))
    assert res.success
    assert np.all(np.abs(res.value - grad) <= 1e-12 * np.maximum(1.0, np.abs(grad)))
    assert np.all(res.error >= np.abs(res.value - grad))


def test_function_2_partial_equals_one_variable_derivative():
    # the seed compares numerical_gradient(function_2, [3, 4])[0] with numerical_diff of x^2 + 16
    g = derivlab.gradient(_function_2, np.array([3.0, 4.0]), step=H).value[0]
    d = derivlab.derivative(lambda x: x**2 + 4.0**2, 3.0, step=H).value
    assert g == d
    assert g == (((3.0 + H) ** 2 + 16.0) - ((3.0 - H) ** 2 + 16.0)) / (2 * H)


def test_quiver_grid_gradient_batch():
    x0 = np.arange(-2, 2.5, 0.25)
    X, Y = np.meshgrid(x0, x0)
    pts = np.array([X.flatten(), Y.flatten()]).T
    assert pts.shape == (324, 2)
    res = derivlab.gradient(_function_2, pts, batch=True)
    assert res.success
    assert res.value.shape == (324, 2)
    # quarter-integer grid: the exact gradient 2x is representable; allow a few ulps
    assert np.all(np.abs(res.value - 2 * pts) <= 1e-12)


def test_tangent_line_slopes_of_function_1():
    # seed 003 differentiates 0.01 x^2 + 0.1 x on np.arange(0, 20, 0.1) and at 5
    x = np.arange(0.0, 20.0, 0.1)
    res = derivlab.derivative(lambda t: 0.01 * t**2 + 0.1 * t, x)
    assert res.success
    assert np.all(np.abs(res.value - (0.02 * x + 0.1)) <= 1e-12)
    assert abs(derivlab.derivative(lambda t: 0.01 * t**2 + 0.1 * t, 5).value - 0.2) <= 1e-13
