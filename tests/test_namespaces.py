"""x of another array-API library (PyTorch, JAX, array-api-strict): f is called with points
of that library on x's device, and the Result's arrays come back in it.

Every f is written once against a module ``m`` (torch, jax.numpy, array_api_strict, or numpy
for the reference) and checks each argument it gets: its library, device and dtype. The
numbers must equal those of the same computation with numpy x and the numpy version of f.
"""

import subprocess
import sys

import numpy as np
import pytest

import derivlab
from derivlab import InputError

pytest.importorskip("array_api_compat", reason="array-api-compat is not installed")


class Lib:
    """One library: its module for f, how to make an x, and what f must be given."""

    def __init__(self, name, m, make, owns, device):
        self.name, self.m, self._make, self._owns, self.device = name, m, make, owns, device
        self.wrong = []  # arguments f was given that were not of the library or device

    def x(self, values, dtype="float64"):
        return self._make(np.asarray(values, dtype=dtype))

    def owns(self, a):
        return self._owns(a)

    def f(self, make, dtype="float64"):
        """f = make(m), checking every argument it is called with."""
        g = make(self.m)

        def f(*args):
            for a in args:
                if not self.owns(a) or str(a.dtype).split(".")[-1] != dtype:
                    self.wrong.append(a)
            return g(*args)
        return f


def _torch():
    torch = pytest.importorskip("torch")
    dev = torch.device("cpu")
    return Lib("torch", torch, lambda a: torch.tensor(a, device=dev),
               lambda a: isinstance(a, torch.Tensor) and a.device == dev, dev)


def _strict():
    xp = pytest.importorskip("array_api_strict", reason="array-api-strict is not installed")
    dev = xp.Device("device1")  # not the default device: f checks that it is kept
    array = type(xp.asarray(0.0))
    return Lib("array_api_strict", xp, lambda a: xp.asarray(a, device=dev),
               lambda a: isinstance(a, array) and a.device == dev, dev)


def _jax():
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    dev = jax.devices("cpu")[0]
    return Lib("jax", jnp, lambda a: jax.device_put(jnp.asarray(a, dtype=a.dtype), dev),
               lambda a: isinstance(a, jax.Array) and a.devices() == {dev}, dev)


@pytest.fixture(params=["torch", "array_api_strict", "jax"])
def lib(request):
    made = {"torch": _torch, "array_api_strict": _strict, "jax": _jax}[request.param]()
    if made.name == "jax":  # float64 arrays need JAX's 64-bit types
        import jax

        with jax.enable_x64(True):
            yield made
    else:
        yield made
    assert not made.wrong, f"f was given {made.wrong[0]!r}"


def as_np(a):
    from derivlab._namespace import to_numpy

    return np.asarray(to_numpy(a))


def same(res, ref, lib, fields=("value", "error", "x", "fx")):
    """res's arrays are of lib, on its device, and equal ref's (numpy x, numpy f)."""
    for name in fields:
        a, b = getattr(res, name), getattr(ref, name)
        assert lib.owns(a), (name, type(a))
        assert np.array_equal(as_np(a), np.asarray(b), equal_nan=True), (name, a, b)
    assert (res.nfev, res.ncalls, res.message) == (ref.nfev, ref.ncalls, ref.message)


def rel(a, b):
    a, b = as_np(a), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


# f of exactly rounded arithmetic (+, *, /, sqrt): every library gives numpy's numbers
def poly(m):
    return lambda v: (v[0] * v[1] + 1 / v[0]) * m.sqrt(v[1])


def poly_grad(p):
    x, y = p
    return [(y - 1 / x**2) * np.sqrt(y), x * np.sqrt(y) + (x * y + 1 / x) / (2 * np.sqrt(y))]


P = [0.7, 2.0]


def test_derivative_of_one_point_and_of_many(lib):
    f = lib.f(lambda m: lambda t: m.sin(t) * m.exp(t))
    res = derivlab.derivative(f, lib.x(0.7))
    assert lib.owns(res.value) and res.value.shape == () and lib.owns(res.x)
    assert rel(res.value, (np.sin(0.7) + np.cos(0.7)) * np.exp(0.7)) < 1e-10 and res.success
    t = np.array([0.1, 0.5, 1.3])
    res = derivlab.derivative(f, lib.x(t))
    assert lib.owns(res.value) and res.value.shape == (3,)
    assert rel(res.value, (np.sin(t) + np.cos(t)) * np.exp(t)) < 1e-10
    g = lib.f(lambda m: lambda t: t * m.sqrt(t) + 1 / t)
    ref = derivlab.derivative(lambda t: t * np.sqrt(t) + 1 / t, t)
    same(derivlab.derivative(g, lib.x(t)), ref, lib)
    same(derivlab.derivative(g, lib.x(t), order=2), derivlab.derivative(
        lambda t: t * np.sqrt(t) + 1 / t, t, order=2), lib)


def test_gradient_plain_unpack_and_batch(lib):
    res = derivlab.gradient(lib.f(poly), lib.x(P))
    assert rel(res.value, poly_grad(P)) < 1e-10 and res.success
    same(res, derivlab.gradient(poly(np), np.array(P)), lib)
    f = lib.f(lambda m: lambda a, b: m.exp(a) * m.sin(b))
    res = derivlab.gradient(f, lib.x(P), unpack=True)
    assert rel(res.value, [np.exp(0.7) * np.sin(2), np.exp(0.7) * np.cos(2)]) < 1e-10
    two = lib.f(lambda m: lambda a, b: (a * b + 1 / a) * m.sqrt(b))
    same(derivlab.gradient(two, lib.x(P), unpack=True),
         derivlab.gradient(lambda a, b: (a * b + 1 / a) * np.sqrt(b), np.array(P), unpack=True), lib)
    rows = np.array([P, [1.5, 0.25], [2.0, 3.0]])
    res = derivlab.gradient(lib.f(poly), lib.x(rows), batch=True)
    assert res.value.shape == (3, 2) and rel(res.value, [poly_grad(p) for p in rows]) < 1e-10
    same(res, derivlab.gradient(poly(np), rows, batch=True), lib)
    cols = lib.f(lambda m: lambda a, b: (a * b + 1 / a) * m.sqrt(b))  # vectorized: 1-d columns
    same(derivlab.gradient(cols, lib.x(rows), batch=True, unpack=True),
         derivlab.gradient(lambda a, b: (a * b + 1 / a) * np.sqrt(b), rows, batch=True,
                           unpack=True), lib)


def test_jacobian_and_hessian(lib):
    f = lib.f(lambda m: lambda v: m.stack([v[0] * v[1], m.sin(v[0])]))
    res = derivlab.jacobian(f, lib.x(P))
    assert lib.owns(res.value) and res.value.shape == (2, 2)
    assert np.allclose(as_np(res.value), [[2.0, 0.7], [np.cos(0.7), 0.0]], rtol=1e-10, atol=1e-14)
    g = lib.f(lambda m: lambda v: m.stack([v[0] * v[1], v[0] / v[1]]))
    same(derivlab.jacobian(g, lib.x(P)),
         derivlab.jacobian(lambda v: np.stack([v[0] * v[1], v[0] / v[1]]), np.array(P)), lib)
    h = lib.f(lambda m: lambda v: m.exp(v[0]) * v[1] ** 3)
    res = derivlab.hessian(h, lib.x(P))
    e = np.exp(0.7)
    assert lib.owns(res.value) and rel(res.value, [[8 * e, 12 * e], [12 * e, 12 * e]]) < 1e-7
    same(derivlab.hessian(lib.f(poly), lib.x(P)), derivlab.hessian(poly(np), np.array(P)), lib)


def test_jvp_and_hvp_with_a_direction_of_the_library(lib):
    v = [1.0, -0.5]
    res = derivlab.jvp(lib.f(poly), lib.x(P), lib.x(v))
    assert lib.owns(res.value) and rel(res.value, np.dot(poly_grad(P), v)) < 1e-10
    same(res, derivlab.jvp(poly(np), np.array(P), np.array(v)), lib)
    res = derivlab.hvp(lib.f(poly), lib.x(P), lib.x(v))
    assert lib.owns(res.value) and res.value.shape == (2,)
    same(res, derivlab.hvp(poly(np), np.array(P), np.array(v)), lib)
    x, y = P
    fxy = np.sqrt(y) + (y - 1 / x**2) / (2 * np.sqrt(y))
    hess = [[2 / x**3 * np.sqrt(y), fxy], [fxy, x / np.sqrt(y) - (x * y + 1 / x) / (4 * y**1.5)]]
    assert rel(res.value, np.dot(hess, v)) < 1e-7
    same(derivlab.hvp(lib.f(poly), lib.x(P), np.array(v)),  # a numpy v with it: the same
         derivlab.hvp(poly(np), np.array(P), np.array(v)), lib)


def test_complex_step_in_the_library(lib):
    f = lib.f(lambda m: lambda v: m.exp(v[0]) * m.sin(v[1]), dtype="complex128")
    checked = lib.f(lambda m: lambda v: m.exp(v[0]) * m.sin(v[1]))
    calls = []

    def either(v):  # real points (the check), then complex ones
        calls.append(str(v.dtype))
        return (f if "complex" in str(v.dtype) else checked)(v)
    res = derivlab.gradient(either, lib.x(P), method="complex")
    assert res.success and "complex step" in res.method and any("complex" in c for c in calls)
    assert rel(res.value, [np.exp(0.7) * np.sin(2), np.exp(0.7) * np.cos(2)]) < 1e-14
    assert lib.owns(res.value)
    res = derivlab.jvp(either, lib.x(P), lib.x([1.0, 0.0]), method="complex")
    assert rel(res.value, np.exp(0.7) * np.sin(2)) < 1e-14 and lib.owns(res.value)


def test_x_is_not_mutated_and_results_are_new_arrays(lib):
    x = lib.x(P)
    before = as_np(x).copy()
    res = derivlab.gradient(lib.f(poly), x)
    assert np.array_equal(as_np(x), before) and res.x is not x


def test_exact_methods_take_an_x_of_the_library(lib):
    name = {"torch": "torch", "jax": "jax"}.get(lib.name)
    if name is None:
        pytest.skip("no automatic differentiation in array_api_strict")
    res = derivlab.gradient(poly(lib.m), lib.x(P), method=name)  # (f gets traced arrays)
    assert lib.owns(res.value) and lib.owns(res.x) and lib.owns(res.fx)
    assert rel(res.value, poly_grad(P)) < 1e-12


def test_formulas_evaluate_in_numpy_and_answer_in_the_library(lib):
    res = derivlab.gradient("x*y + sin(x)", lib.x(P))
    assert lib.owns(res.value) and rel(res.value, [2 + np.cos(0.7), 0.7]) < 1e-10


def test_float32_keeps_float32_points_and_numpy_semantics():
    torch = pytest.importorskip("torch")
    lib = _torch()
    f = lib.f(poly, dtype="float32")
    x = torch.tensor(P, dtype=torch.float32)
    res = derivlab.gradient(f, x)
    ref = derivlab.gradient(poly(np), np.array(P, dtype=np.float32))
    assert not lib.wrong and res.x.dtype == torch.float32 and str(ref.x.dtype) == "float32"
    assert res.value.dtype == getattr(torch, str(np.asarray(ref.value).dtype))
    same(res, ref, lib)
    exact = poly_grad(np.array(P, dtype=np.float32).astype(float))
    assert np.all(np.abs(as_np(res.value) - exact) <= as_np(res.error))


def test_a_device_without_float64_gets_float32_results():
    xp = pytest.importorskip("array_api_strict")
    dev = xp.Device("no_float64")
    f32 = []
    res = derivlab.gradient(lambda v: f32.append(v.dtype == xp.float32 and v.device == dev)
                            or xp.exp(v[0]) * v[1], xp.asarray(P, dtype=xp.float32, device=dev))
    assert all(f32) and res.value.dtype == xp.float32 and res.value.device == dev
    ref = derivlab.gradient(lambda v: np.exp(v[0]) * v[1], np.array(P, dtype=np.float32))
    assert np.array_equal(np.from_dlpack(res.value), np.asarray(ref.value, dtype=np.float32))
    from derivlab._namespace import namespace_of
    with pytest.raises(InputError, match="method='complex' needs complex128"):
        namespace_of(res.value).check_complex(np.float64)


def test_torch_tensor_requiring_grad_and_f_of_parameters():
    torch = pytest.importorskip("torch")
    w = torch.tensor([2.0, -1.0], dtype=torch.float64, requires_grad=True)
    x = torch.tensor(P, dtype=torch.float64, requires_grad=True)
    res = derivlab.gradient(lambda v: torch.sin(v @ w), x)  # f's output requires grad too
    assert res.success and isinstance(res.value, torch.Tensor) and not res.value.requires_grad
    assert rel(res.value, np.cos(1.4 - 2.0) * np.array([2.0, -1.0])) < 1e-10
    assert x.grad is None and not res.x.requires_grad


def test_results_print_from_any_device():
    xp = pytest.importorskip("array_api_strict")
    res = derivlab.gradient(lambda v: xp.sum(v * v), xp.asarray(P, device=xp.Device("device1")))
    assert res.success
    assert "success=True" in repr(res) and "<table>" in res._repr_html_()
    assert np.allclose(np.asarray(res), [1.4, 4.0]) and res.value.device == xp.Device("device1")


def test_import_stays_numpy_only_and_numpy_input_is_unchanged():
    code = ("import sys, derivlab, numpy as np; r = derivlab.gradient(lambda v: v @ v, [1.0, 2.0]);"
            "derivlab.derivative(np.sin, 1.0); assert type(r.value) is np.ndarray;"
            "assert 'array_api_compat' not in sys.modules, 'array_api_compat imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
    res = derivlab.derivative(lambda t: t * t, 3.0)
    assert type(res.value) is float and type(res.x) is np.float64


def test_jax_without_64_bit_types_computes_and_answers_in_float32():
    jnp = pytest.importorskip("jax.numpy")
    import jax

    with jax.enable_x64(False):
        seen = []
        res = derivlab.gradient(lambda v: seen.append(str(v.dtype)) or poly(jnp)(v), jnp.asarray(P))
        ref = derivlab.gradient(poly(np), np.array(P, dtype=np.float32))
        assert set(seen) == {"float32"} and res.value.dtype == jnp.float32
        assert np.array_equal(np.asarray(res.value), np.asarray(ref.value, dtype=np.float32))


def test_complex_step_needs_complex_numbers_in_the_library(monkeypatch):
    torch = pytest.importorskip("torch")
    from derivlab._namespace import Namespace

    real = {"float32": torch.float32, "float64": torch.float64}
    monkeypatch.setattr(Namespace, "dtypes", lambda self: real)
    x = torch.tensor(P, dtype=torch.float64)
    for call in (lambda: derivlab.gradient(lambda v: torch.sum(v), x, method="complex"),
                 lambda: derivlab.jvp(lambda v: torch.sum(v), x, x, method="complex")):
        with pytest.raises(InputError, match="method='complex' needs complex128 points, but x "
                                             "is an array of torch on device cpu"):
            call()
    assert derivlab.gradient(lambda v: torch.sum(v), x).success  # real points: fine


def test_torch_f_with_numpy_x_says_pass_a_tensor():
    """torch.sin(a numpy value) raises: the message says what to pass instead."""
    torch = pytest.importorskip("torch")
    res = derivlab.derivative(torch.sin, 1.0)
    assert not res.success
    assert "pass x as a torch tensor" in res.message


def test_sparse_result_of_a_tensor_x_stays_scipy_sparse():
    torch = pytest.importorskip("torch")
    pytest.importorskip("scipy")
    x = torch.linspace(0.5, 1.5, 5, dtype=torch.float64)
    res = derivlab.jacobian(torch.sin, x, sparsity=np.eye(5), sparse=True)
    assert hasattr(res.value, "tocsr")
    np.testing.assert_allclose(res.value.toarray(), np.diag(np.cos(x.numpy())), rtol=1e-10)
