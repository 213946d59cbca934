"""Invalid input raises InputError (ValueError) / InputTypeError (TypeError) with an exact
message, before f is ever called."""

from __future__ import annotations

import re

import numpy as np
import pytest

import derivlab
from derivlab import DerivlabError, InputError, InputTypeError, Stencil


class Counting:
    """A scalar test function that counts its calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self, x, *args):
        self.calls += 1
        return np.sum(np.asarray(x) ** 2)


D, G, J, H = derivlab.derivative, derivlab.gradient, derivlab.jacobian, derivlab.hessian

#: (id, call(f), exception, exact message)
PURE_INPUT_ERRORS = [
    ("f-int", lambda f: D(3, 1.0), InputTypeError, "f must be callable (a function of x), got int"),
    ("f-str", lambda f: G("np.sin", [1.0]), InputError,  # a str is a formula, read safely
     "attribute access '.sin' is not allowed: write sin(...) without 'np.' (at column 3)\n"
     "  np.sin\n    ^^^^"),
    ("f-bytes", lambda f: G(b"x", [1.0]), InputTypeError,
     "f must be callable (a function of x), got bytes"),
    ("f-list-not-formulas", lambda f: J([f, f], [1.0]), InputTypeError,
     "f must be callable (a function of x), got list"),
    ("x-empty", lambda f: D(f, []), InputError, "x must not be empty, got shape (0,)"),
    ("x-empty-2d", lambda f: G(f, np.zeros((0, 3))), InputError,
     "x must not be empty, got shape (0, 3)"),
    ("x-string", lambda f: D(f, "1.0"), InputTypeError,
     "x must be a number or an array of numbers, got a string '1.0'"),
    ("x-bytes", lambda f: G(f, b"12"), InputTypeError,
     "x must be a number or an array of numbers, got a string b'12'"),
    ("x-bool", lambda f: D(f, True), InputTypeError,
     "x must be a number or an array of numbers, got booleans (True); pass floats"),
    ("x-bool-array", lambda f: G(f, np.array([True, False])), InputTypeError,
     "x must be a number or an array of numbers, got booleans (array([ True, False])); pass floats"),
    ("x-None", lambda f: D(f, None), InputTypeError,
     "x must be a number or an array of numbers, got dtype object (None)"),
    ("x-object", lambda f: G(f, [1, None]), InputTypeError,
     "x must be a number or an array of numbers, got dtype object ([1, None])"),
    ("x-object-array", lambda f: H(f, np.array([1.0, "2"], dtype=object)), InputTypeError,
     "x must be a number or an array of numbers, got dtype object (array([1.0, '2'], dtype=object))"),
    ("x-complex", lambda f: D(f, 1 + 2j), InputTypeError,
     "x must be real; for the complex-step method pass a real x and method='complex'"),
    ("x-complex-array", lambda f: G(f, np.array([1.0, 2.0], dtype=complex), method="complex"),
     InputTypeError, "x must be real; for the complex-step method pass a real x and method='complex'"),
    ("x-nan", lambda f: D(f, np.nan), InputError, "x must be finite, got nan at index ()"),
    ("x-inf", lambda f: G(f, [1.0, np.inf]), InputError, "x must be finite, got inf at index (1,)"),
    ("x-neg-inf-2d", lambda f: H(f, [[1.0, 2.0], [3.0, -np.inf]]), InputError,
     "x must be finite, got -inf at index (1, 1)"),
    ("method", lambda f: D(f, 1.0, method="centre"), InputError,
     "method must be one of 'central', 'forward', 'backward', 'complex', 'symbolic', 'jax', "
     "'torch' or a Stencil, got 'centre'; did you mean 'central'?"),
    ("method-case", lambda f: D(f, 1.0, method="Forward"), InputError,
     "method must be one of 'central', 'forward', 'backward', 'complex', 'symbolic', 'jax', "
     "'torch' or a Stencil, got 'Forward'; did you mean 'forward'?"),
    ("method-None", lambda f: G(f, [1.0], method=None), InputError,
     "method must be one of 'central', 'forward', 'backward', 'complex', 'symbolic', 'jax', "
     "'torch' or a Stencil, got None"),
    ("method-stencil-order", lambda f: D(f, 1.0, order=2, method=Stencil.central(1, 2)), InputError,
     "method is a Stencil of order 1, but order=2"),
    ("order-0", lambda f: D(f, 1.0, order=0), InputError, "order must be an integer >= 1, got 0"),
    ("order-1.5", lambda f: D(f, 1.0, order=1.5), InputTypeError,
     "order must be an integer >= 1, got 1.5"),
    ("order-True", lambda f: D(f, 1.0, order=True), InputTypeError,
     "order must be an integer >= 1, got True"),
    ("order-str", lambda f: D(f, 1.0, order="2"), InputTypeError,
     "order must be an integer >= 1, got '2'"),
    ("accuracy-odd", lambda f: D(f, 1.0, accuracy=3), InputError,
     "accuracy must be even for central differences, got 3"),
    ("accuracy-odd-gradient", lambda f: G(f, [1.0, 2.0], accuracy=1), InputError,
     "accuracy must be even for central differences, got 1"),
    ("accuracy-0", lambda f: D(f, 1.0, method="forward", accuracy=0), InputError,
     "accuracy must be an integer >= 1, got 0"),
    ("accuracy-float", lambda f: J(f, [1.0], accuracy=2.0), InputTypeError,
     "accuracy must be an integer >= 1, got 2.0"),
    ("step-0", lambda f: D(f, 1.0, step=0), InputError, "step must be positive and finite, got 0"),
    ("step-negative", lambda f: G(f, [1.0, 2.0], step=-1e-3), InputError,
     "step must be positive and finite, got -0.001"),
    ("step-nan", lambda f: D(f, 1.0, step=np.nan), InputError,
     "step must be positive and finite, got nan"),
    ("step-inf", lambda f: D(f, 1.0, step=np.inf), InputError,
     "step must be positive and finite, got inf"),
    ("step-one-bad", lambda f: G(f, [1.0, 2.0], step=[1e-3, 0.0]), InputError,
     "step must be positive and finite, got [0.001, 0.0]"),
    ("step-str", lambda f: D(f, 1.0, step="small"), InputTypeError,
     "step must be a positive number or array, got 'small'"),
    ("step-shape", lambda f: G(f, [1.0, 2.0], step=[1e-3, 1e-3, 1e-3]), InputError,
     "step must broadcast to x's shape (2,), got shape (3,)"),
    ("batch-0d", lambda f: G(f, 1.0, batch=True), InputError,
     "batch=True needs x with a first axis of points, got shape ()"),
    ("unpack-2d", lambda f: G(f, np.ones((2, 2)), unpack=True), InputError,
     "unpack=True needs x to be a 1-D vector of f's arguments (2-D with batch=True), got shape (2, 2)"),
    ("unpack-0d", lambda f: J(f, 1.0, unpack=True), InputError,
     "unpack=True needs x to be a 1-D vector of f's arguments (2-D with batch=True), got shape ()"),
    ("unpack-batch-3d", lambda f: G(f, np.ones((2, 2, 2)), unpack=True, batch=True), InputError,
     "unpack=True needs x to be a 1-D vector of f's arguments (2-D with batch=True), "
     "got shape (2, 2, 2)"),
    ("domain-outside", lambda f: D(f, 5.0, domain=(0, 1)), InputError,
     "x must lie inside domain=(0, 1)"),
    ("domain-outside-vector", lambda f: G(f, [0.5, -1.0], domain=(0, np.inf)), InputError,
     "x must lie inside domain=(0, inf)"),
    ("domain-reversed", lambda f: D(f, 0.5, domain=(1, 0)), InputError,
     "domain must be (lo, hi) with lo < hi, got (1, 0)"),
    ("domain-not-pair", lambda f: D(f, 0.5, domain=3), InputError,
     "domain must be a pair (lo, hi) broadcastable to x's shape (), got 3"),
    ("vectorized-yes", lambda f: D(f, 1.0, vectorized="yes"), InputTypeError,
     "vectorized must be True, False or None, got 'yes'"),
    ("vectorized-1", lambda f: G(f, [1.0], vectorized=1), InputTypeError,
     "vectorized must be True, False or None, got 1"),
    ("batch-str", lambda f: G(f, [1.0], batch="yes"), InputTypeError,
     "batch must be True or False, got 'yes'"),
    ("unpack-None", lambda f: G(f, [1.0], unpack=None), InputTypeError,
     "unpack must be True or False, got None"),
    ("trace-1", lambda f: D(f, 1.0, trace=1), InputTypeError, "trace must be True or False, got 1"),
    ("adaptive-None", lambda f: D(f, 1.0, adaptive=None), InputTypeError,
     "adaptive must be True or False, got None"),
    ("args-list", lambda f: D(f, 1.0, args=[1]), InputTypeError,
     "args must be a tuple of extra arguments for f, got list"),
    ("rtol-0", lambda f: D(f, 1.0, rtol=0), InputError, "rtol must be positive, got 0"),
    ("rtol-negative", lambda f: G(f, [1.0], rtol=-1e-6), InputError,
     "rtol must be positive, got -1e-06"),
    ("rtol-nan", lambda f: D(f, 1.0, rtol=np.nan), InputError, "rtol must be positive, got nan"),
    ("rtol-str", lambda f: H(f, [1.0], rtol="1e-6"), InputTypeError,
     "rtol must be a real number, got '1e-6'"),
    ("rtol-bool", lambda f: J(f, [1.0], rtol=True), InputTypeError,
     "rtol must be a real number, got True"),
    ("complex-order-2", lambda f: D(f, 1.0, order=2, method="complex"), InputError,
     "method='complex' gives first derivatives only; got order=2"),
    ("complex-hessian", lambda f: H(f, [1.0, 2.0], method="complex"), InputError,
     "method='complex' gives first derivatives only; hessian needs order 2"),
    ("complex-step", lambda f: D(f, 1.0, method="complex", step=1e-3), InputError,
     "step and adaptive=False cannot be used with method='complex' "
     "(its step is tiny and fixed; it is verified adaptively)"),
    ("complex-fixed", lambda f: D(f, 1.0, method="complex", adaptive=False), InputError,
     "step and adaptive=False cannot be used with method='complex' "
     "(its step is tiny and fixed; it is verified adaptively)"),
    ("complex-accuracy", lambda f: D(f, 1.0, method="complex", accuracy=4), InputError,
     "accuracy cannot be set with method='complex' (it has no stencil)"),
]


@pytest.mark.parametrize("call, exc, message", [p[1:] for p in PURE_INPUT_ERRORS],
                         ids=[p[0] for p in PURE_INPUT_ERRORS])
def test_input_error_message_and_no_call(call, exc, message):
    f = Counting()
    with pytest.raises(exc, match=f"^{re.escape(message)}$") as info:
        call(f)
    assert f.calls == 0, "f was called before the input was rejected"
    assert isinstance(info.value, DerivlabError)
    assert isinstance(info.value, ValueError if exc is InputError else TypeError)


def test_ragged_x_is_a_type_error():
    f = Counting()
    with pytest.raises(InputTypeError, match="^" + re.escape(
            "x is ragged: its pieces have different shapes ([[1.0, 2.0], [3.0]]); pass one "
            "array of numbers (np.concatenate the pieces, or np.ravel each)")):
        D(f, [[1.0, 2.0], [3.0]])
    with pytest.raises(InputTypeError, match="^x is ragged"):
        G(f, (1.0, np.array([2.0, 3.0])))
    assert f.calls == 0


def _vector_f(v):
    return np.array([v[0], v[1] ** 2])


@pytest.mark.parametrize("fn", [G, H], ids=["gradient", "hessian"])
def test_scalar_only_operators_reject_vector_f(fn):
    name = fn.__name__
    with pytest.raises(InputError, match="^" + re.escape(
            f"{name} needs f to return a scalar, but f returned shape (2,): for one {name} "
            "per point (rows of x) use batch=True; for a vector-valued f use jacobian") + "$"):
        fn(_vector_f, [1.0, 2.0])
    # and jacobian is the right tool
    assert derivlab.jacobian(_vector_f, [1.0, 2.0]).value.shape == (2, 2)


@pytest.mark.parametrize("ret", ["a", None, object()], ids=["str", "None", "object"])
def test_f_returning_non_numbers(ret):
    with pytest.raises(InputTypeError, match="^" + re.escape(
            "f must return numbers (a float or an array of floats), got ") + type(ret).__name__):
        D(lambda x: ret, 1.0)


def test_vectorized_true_with_non_vectorized_f():
    # f(points) must return one value per point; this f returns one value per coordinate
    f = lambda v: v[0] * v[1]  # noqa: E731
    with pytest.raises(InputError, match="^" + re.escape(
            "f returned shape (2,) for a batch of 4 points of shape (2,); "
            "with vectorized=True it must return (4,)") + "$"):
        G(f, [1.0, 2.0], vectorized=True)


def test_exception_classes():
    assert issubclass(InputError, ValueError) and issubclass(InputError, DerivlabError)
    assert issubclass(InputTypeError, TypeError) and issubclass(InputTypeError, DerivlabError)
    assert not issubclass(InputError, TypeError)
