"""The PyTorch backend of :func:`derivlab.autodiff.differentiate` (torch is imported by
:func:`load`): ``torch.func`` transforms on CPU tensors of x's dtype."""

from __future__ import annotations

import contextlib
import math
from functools import lru_cache
from numbers import Number

import numpy as np

from .._errors import InputError

__all__ = ["load"]

#: Messages of torch's refusals of an f it cannot transform (numpy or math on a tensor,
#: ``float(x)``, ``.item()``, Python ``if`` on a value under vmap).
_REFUSALS = ("vmap:", "data pointer", "numpy()", "data-dependent")


def load():
    """The backend; ImportError when PyTorch is not installed."""
    import torch
    import torch.func  # noqa: F401

    return _Torch(torch)


class _Torch:
    """torch.func's transforms, conversions and formulas, as ``_common`` uses them."""

    written = "torch functions (torch.sin, not np.sin or math.sin)"

    def __init__(self, torch):
        self.torch = torch
        fn = torch.func
        self.vmap, self.grad, self.jvp = fn.vmap, fn.grad, fn.jvp
        self.jacfwd, self.jacrev, self.hessian = fn.jacfwd, fn.jacrev, fn.hessian

    @contextlib.contextmanager
    def context(self, dtype):
        """Tensors f creates get x's dtype (the default dtype, restored afterwards)."""
        torch = self.torch
        before = torch.get_default_dtype()
        torch.set_default_dtype(torch.float32 if dtype == np.float32 else torch.float64)
        try:
            yield
        finally:
            torch.set_default_dtype(before)

    def array(self, a):
        return self.torch.from_numpy(np.array(a))

    @staticmethod
    def numpy(t):
        return np.array(t.detach().cpu().numpy())

    def arguments(self, args):
        """numpy arrays among f's extra arguments as tensors (copies)."""
        return tuple(self.torch.from_numpy(np.array(a)) if isinstance(a, np.ndarray) else a
                     for a in args)

    def output(self, out, p):
        """f's output as a float tensor (numbers and lists of tensors accepted)."""
        torch = self.torch
        if isinstance(out, torch.Tensor):
            if not (out.is_floating_point() or out.is_complex()):
                out = out.to(p.dtype)  # an integer (or boolean) f: piecewise constant
            return out
        if isinstance(out, (Number, np.number)) and not isinstance(out, complex):
            return torch.tensor(float(out), dtype=p.dtype)
        if isinstance(out, (list, tuple)) and out:
            parts = torch.broadcast_tensors(*(self.output(e, p) for e in out))
            return torch.stack(parts)
        raise InputError(f"method='torch' needs f to return a torch tensor, got {type(out).__name__}")

    def broadcast(self, out, shape, p):
        torch = self.torch
        t = out.to(p.dtype) if isinstance(out, torch.Tensor) else torch.tensor(float(out), dtype=p.dtype)
        return torch.broadcast_to(t, shape)

    def stack(self, outs):
        return self.torch.stack(outs, dim=-1)

    @staticmethod
    def output_of(fn, *inputs):
        """The shape of ``fn(*inputs)`` and whether it is complex (computed: torch is eager)."""
        out = fn(*inputs)
        return tuple(out.shape), out.is_complex()

    @staticmethod
    def compile(fn):
        return fn  # eager: torch.func runs each operation at once

    def untraceable(self, exc):
        """Whether torch.func refused f (see ``_REFUSALS``)."""
        text = str(exc)
        return isinstance(exc, (RuntimeError, ValueError)) and any(r in text for r in _REFUSALS)

    @staticmethod
    def lambdify(formula):
        return _lambdified(formula)


def _lifted(name, numeric):
    """The torch function ``name``, which also takes plain numbers (SymPy prints constants
    such as ``log(10)`` or ``sqrt(2)`` as calls; torch's functions want tensors)."""
    import torch

    tfn = getattr(torch, name)

    def fn(*a):
        ref = next((e for e in a if isinstance(e, torch.Tensor)), None)
        if ref is None:
            return float(numeric(*(float(e) for e in a)))
        if len(a) > 1 and name == "atan2":
            a = [e if isinstance(e, torch.Tensor) else torch.tensor(float(e), dtype=ref.dtype) for e in a]
        return tfn(*a)

    fn.__name__ = name
    return fn


def _gamma(t):
    """Gamma of a tensor: exp(lgamma) with the sign of Gamma (negative on (-1, 0), (-3, -2), ...)."""
    import torch

    if not isinstance(t, torch.Tensor):
        return math.gamma(float(t))
    one = torch.ones_like(t)
    sign = torch.where((t > 0) | (torch.remainder(torch.floor(t), 2) == 0), one, -one)
    return sign * torch.exp(torch.lgamma(t))


@lru_cache(maxsize=256)
def _lambdified(formula):
    """The formula as a function of tensors: SymPy's torch printer (``modules="torch"``), with
    functions that also take numbers and a ``gamma`` (torch has lgamma only)."""
    import sympy as sp

    try:
        from sympy.printing.pytorch import TorchPrinter
    except ImportError:
        raise InputError(f"formulas with method='torch' need SymPy 1.14 or later (its torch printer), "
                         f"found SymPy {sp.__version__}: pip install -U sympy") from None

    class Printer(TorchPrinter):
        def _print_gamma(self, expr):
            return f"gamma({self._print(expr.args[0])})"

    names = {"sin": np.sin, "cos": np.cos, "tan": np.tan, "asin": np.arcsin, "acos": np.arccos,
             "atan": np.arctan, "atan2": np.arctan2, "sinh": np.sinh, "cosh": np.cosh,
             "tanh": np.tanh, "asinh": np.arcsinh, "acosh": np.arccosh, "atanh": np.arctanh,
             "exp": np.exp, "log": np.log, "sqrt": np.sqrt, "pow": np.power, "abs": np.abs,
             "sign": np.sign, "erf": math.erf}
    namespace = {name: _lifted(name, numeric) for name, numeric in names.items()}
    namespace["gamma"] = _gamma
    printer = Printer({"fully_qualified_modules": False, "inline": True,  # lambdify's own settings
                       "allow_unknown_functions": True, "user_functions": {k: k for k in namespace}})
    recip = {sp.cot: sp.tan, sp.sec: sp.cos, sp.csc: sp.sin, sp.coth: sp.tanh, sp.sech: sp.cosh,
             sp.csch: sp.sinh}  # (torch has no cot, sec, csc, coth, sech, csch)
    expr = formula.expr.replace(lambda e: type(e) in recip, lambda e: 1 / recip[type(e)](e.args[0]))
    return sp.lambdify(formula.symbols, expr, modules=[namespace, "torch"], printer=printer,
                       dummify=True)
