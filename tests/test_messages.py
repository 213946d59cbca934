"""Messages a new user meets: each names the likely mistake and the fix."""

import inspect
import re

import numpy as np
import pytest

import derivlab
from derivlab import InputError, InputTypeError, Status


class _Calls:
    """Counts calls to f; keeps f's signature."""

    def __init__(self, f):
        self.f, self.calls = f, 0
        try:
            self.__signature__ = inspect.signature(f)
        except (TypeError, ValueError):
            pass

    def __call__(self, *a):
        self.calls += 1
        return self.f(*a)


@pytest.mark.parametrize("op", ["gradient", "jacobian", "hessian"])
def test_two_argument_f_without_unpack_is_caught_before_any_call(op):
    f = _Calls(lambda x, y: x * y)
    with pytest.raises(InputTypeError, match=re.escape("did you mean unpack=True?")):
        getattr(derivlab, op)(f, [1.0, 2.0])
    assert f.calls == 0
    with pytest.raises(InputTypeError, match="f takes 3 positional arguments .* f\\(x, \\*args\\)"):
        derivlab.gradient(lambda x, y, a: a * x * y, [1.0, 2.0], args=(3.0,))
    res = getattr(derivlab, op)(lambda x, y: x * y, [1.0, 2.0], unpack=True)
    assert res.success


def test_defaults_and_args_are_not_mistakes():
    assert derivlab.gradient(lambda v, a=2.0: a * v @ v, [1.0, 2.0]).success
    assert derivlab.gradient(lambda v, a: a * v @ v, [1.0, 2.0], args=(2.0,)).success


class _NoSignature:
    """A callable whose signature says nothing (*args), like some C functions."""

    def __call__(self, *a):
        if len(a) != 2:
            raise TypeError(f"f() missing {2 - len(a)} required positional argument: 'y'")
        return a[0] * a[1]


def test_two_argument_f_without_signature_gets_the_hint_at_the_first_call():
    res = derivlab.gradient(_NoSignature(), [1.0, 2.0])
    assert not res.success and np.isnan(res.value).all()
    assert "TypeError" in res.message and "did you mean unpack=True?" in res.message
    assert derivlab.gradient(_NoSignature(), [1.0, 2.0], unpack=True).success


@pytest.mark.parametrize("op", ["gradient", "hessian"])
def test_vector_valued_f_names_jacobian_and_batch(op):
    with pytest.raises(InputError, match=r"f returned shape \(3,\): .*batch=True.*jacobian"):
        getattr(derivlab, op)(lambda v: np.array([v[0], v[1], v[0] * v[1]]), [1.0, 2.0])
    # one scalar per row of a stack of points: batch=True is the fix
    rows = lambda x: np.sum(x ** 2, axis=-1)  # noqa: E731
    with pytest.raises(InputError, match="batch=True"):
        getattr(derivlab, op)(rows, np.ones((3, 2)))
    assert getattr(derivlab, op)(rows, np.ones((3, 2)), batch=True).success


def test_derivative_of_a_function_of_a_vector_names_gradient_jacobian_and_batch():
    res = derivlab.derivative(lambda v: np.array([v[0] * v[1], v[1]]), [1.0, 2.0])
    assert not res.success
    for words in ("jacobian", "batch=True", "gradient", "one number at a time"):
        assert words in res.message
    # a vector-valued f of one variable is fine: one row of f' per point
    ok = derivlab.derivative(lambda t: np.array([t, t ** 2, np.sin(t)]), 1.0)
    assert ok.success and np.allclose(ok.value, [1, 2, np.cos(1)], rtol=1e-12)


class _GradTensor:
    """Like a torch tensor with requires_grad=True: numpy cannot read it, detach() can."""

    def __init__(self, data, detachable=True):
        self.data, self.detachable = np.asarray(data, dtype=float), detachable

    def __array__(self, dtype=None, copy=None):
        raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                           "Use tensor.detach().numpy() instead.")

    def detach(self):
        return _Plain(self.data) if self.detachable else self


class _Plain:
    def __init__(self, data):
        self.data = data

    def __array__(self, dtype=None, copy=None):
        return np.array(self.data, dtype=dtype)


def test_tensor_requiring_grad_is_detached():
    res = derivlab.gradient(lambda v: v @ v, _GradTensor([1.0, 2.0]))
    assert res.success and np.allclose(res.value, [2.0, 4.0], rtol=1e-12)
    assert isinstance(res.x, np.ndarray)


def test_tensor_that_cannot_be_read_names_the_fix():
    f = _Calls(np.sin)
    with pytest.raises(InputTypeError, match=re.escape("pass x.detach().cpu().numpy()")):
        derivlab.derivative(f, _GradTensor([1.0], detachable=False))
    with pytest.raises(InputTypeError, match="requires grad"):
        derivlab.derivative(f, _GradTensor([1.0], detachable=False))
    with pytest.raises(InputTypeError, match=re.escape("v.detach()")):
        derivlab.jvp(f, [1.0], _GradTensor([1.0], detachable=False))
    assert f.calls == 0


def test_tensor_without_detach_still_gets_an_input_type_error():
    class Odd:
        def __array__(self, dtype=None, copy=None):
            raise RuntimeError("no")

    with pytest.raises(InputTypeError, match="x must be a number or an array of numbers"):
        derivlab.derivative(np.sin, Odd())


def test_huge_python_ints_become_floats():
    res = derivlab.derivative(lambda x: x ** 2, 10 ** 30)
    assert res.x == 1e30 and res.status in (Status.OK, Status.ROUNDOFF)
    assert abs(res.value - 2e30) <= 1e-6 * 2e30
    res = derivlab.gradient(lambda v: v[0] * v[1], [10 ** 30, 2])
    assert np.array_equal(res.x, [1e30, 2.0]) and np.allclose(res.value, [2.0, 1e30])


def test_ints_too_large_for_float64_are_an_input_error():
    f = _Calls(np.sin)
    with pytest.raises(InputError, match=r"^x=1000.* is too large for float64"):
        derivlab.derivative(f, 10 ** 400)
    with pytest.raises(InputError, match="too large for float64"):
        derivlab.gradient(f, [1, 10 ** 400])
    assert f.calls == 0


def test_jvp_failure_gets_no_derivative_hint():
    res = derivlab.jvp(lambda v: v["a"], [1.0, 2.0], [1.0, 0.0])
    assert not res.success and ("IndexError" in res.message or "TypeError" in res.message)
    assert "one number at a time" not in res.message and res.operation == "jvp"


_PUBLIC = ["derivative", "gradient", "jacobian", "hessian", "jvp", "hvp", "check_grad", "compare",
           "explore", "gradient_descent", "sparsity"]


@pytest.mark.parametrize("name", _PUBLIC)
def test_misspelt_option_names_the_option_meant_before_any_call(name):
    fn = getattr(derivlab, name)
    f = _Calls(np.sin)
    options = [p.name for p in inspect.signature(fn).parameters.values()
               if p.kind == p.KEYWORD_ONLY]
    typo = options[0][:-1] + "x" + options[0][-1]  # one letter wrong
    with pytest.raises(InputTypeError, match=rf"{name}\(\) has no option '{typo}'; did you mean "
                                              rf"{options[0]}=\?") as info:
        fn(f, 1.0, **{typo: 1})
    assert isinstance(info.value, TypeError)  # (still a TypeError, as Python's own)
    assert all(o in str(info.value) for o in options)
    assert f.calls == 0
    with pytest.raises(InputTypeError, match=r"has no option 'colour' \(its options"):
        fn(f, 1.0, colour="red")  # (nothing close: no guess)


@pytest.mark.parametrize("name, positional", [("derivative", "f and x"), ("jvp", "f, x and v"),
                                              ("check_grad", "f, grad and x")])
def test_options_passed_by_position_say_to_name_them(name, positional):
    fn = getattr(derivlab, name)
    n = len(positional.replace(" and ", ", ").split(", "))
    with pytest.raises(InputTypeError, match=rf"{name}\(\) takes {positional} by position and "
                                              rf"its options by name: got {n + 1} positional"):
        fn(*([np.sin] + [1.0] * n))


def test_plot_options_are_checked_too():
    pytest.importorskip("matplotlib")
    import derivlab.plot as plot

    with pytest.raises(InputTypeError, match=r"tangent\(\) has no option 'hh'; did you mean h=\?"):
        plot.tangent(np.sin, 1.0, hh=0.1)


def test_checked_functions_keep_their_signature_and_docs():
    for name in _PUBLIC:
        fn = getattr(derivlab, name)
        assert "f" in inspect.signature(fn).parameters and fn.__doc__
        assert fn.__name__ == name


def test_fractions_decimals_and_object_arrays_of_numbers_become_floats():
    from decimal import Decimal
    from fractions import Fraction

    truth = np.cos([1 / 3, 1.5, 0.25])
    for x in ([Fraction(1, 3), Decimal("1.5"), 0.25],
              np.array([Fraction(1, 3), 1.5, Decimal("0.25")], dtype=object)):
        kept = np.array(x, dtype=object).copy()
        res = derivlab.gradient(lambda v: np.sum(np.sin(v)), x)
        assert res.success and np.all(np.abs(res.value - truth) <= res.error)
        assert np.array_equal(res.x, [1 / 3, 1.5, 0.25])
        assert list(np.array(x, dtype=object)) == list(kept)  # (not converted in place)
    assert derivlab.derivative(np.sin, Fraction(1, 3)).x == 1 / 3
    with pytest.raises(InputError, match="too large for float64"):
        derivlab.derivative(np.sin, Decimal("1e400"))
    with pytest.raises(InputError, match="must be finite"):
        derivlab.derivative(np.sin, Decimal("NaN"))


def test_sympy_numbers_are_numbers_and_symbols_are_not():
    sympy = pytest.importorskip("sympy")
    assert derivlab.derivative(np.sin, sympy.Rational(1, 3)).x == 1 / 3
    with pytest.raises(InputTypeError, match="got dtype object"):
        derivlab.derivative(np.sin, sympy.Symbol("t"))
