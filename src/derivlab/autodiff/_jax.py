"""The JAX backend of :func:`derivlab.autodiff.differentiate` (JAX is imported by :func:`load`)."""

from __future__ import annotations

import contextlib
from functools import lru_cache

import numpy as np

from .._errors import InputError

__all__ = ["load"]


def load():
    """The backend; ImportError when JAX is not installed."""
    import jax
    import jax.numpy  # noqa: F401 - the submodules used below
    import jax.scipy.special  # noqa: F401

    return _Jax(jax)


class _Jax:
    """JAX's transforms, conversions and formulas, as ``_common`` uses them."""

    written = "jax.numpy (jnp.sin, not np.sin or math.sin)"

    def __init__(self, jax):
        self.jax, self.jnp = jax, jax.numpy
        self.vmap, self.grad, self.jvp = jax.vmap, jax.grad, jax.jvp
        self.jacfwd, self.jacrev, self.hessian = jax.jacfwd, jax.jacrev, jax.hessian

    def context(self, dtype):
        """64-bit types for a float64 x (32-bit for float32), for this call only where JAX
        has a scoped switch."""
        want = dtype == np.float64
        scoped = getattr(self.jax, "enable_x64", None)
        if scoped is not None:
            return scoped(want)
        experimental = getattr(self.jax.experimental, "enable_x64", None)
        if experimental is not None:
            return experimental(want)
        if want:  # an old JAX without a scoped switch
            self.jax.config.update("jax_enable_x64", True)
        return contextlib.nullcontext()

    def array(self, a):
        return self.jnp.asarray(a)

    @staticmethod
    def numpy(a):
        return np.array(a)

    @staticmethod
    def arguments(args):
        return args  # jax.numpy reads numpy arrays as they are

    def output(self, out, p):
        """f's output as a float array of p's kind (numbers and lists of arrays accepted)."""
        try:
            a = self.jnp.asarray(out)
        except (TypeError, ValueError) as exc:
            if isinstance(exc, self.jax.errors.JAXTypeError):
                raise
            raise InputError(f"method='jax' needs f to return a jax array, got "
                             f"{type(out).__name__}") from None
        if not self.jnp.issubdtype(a.dtype, self.jnp.inexact):
            a = a.astype(p.dtype)  # an integer (or boolean) f: piecewise constant
        return a

    def broadcast(self, out, shape, p):
        a = self.jnp.asarray(out)
        if a.dtype != p.dtype:
            a = a.astype(p.dtype)
        return self.jnp.broadcast_to(a, shape)

    def stack(self, outs):
        return self.jnp.stack(outs, axis=-1)

    def output_of(self, fn, *inputs):
        """The shape of ``fn(*inputs)`` and whether it is complex, traced without computing."""
        out = self.jax.eval_shape(fn, *inputs)
        return tuple(out.shape), self.jnp.issubdtype(out.dtype, self.jnp.complexfloating)

    def compile(self, fn):
        """One XLA program for the whole computation: JAX compiles every operation separately
        outside jit (seconds for a Hessian), a jitted one in about 0.1 s."""
        return self.jax.jit(fn)

    def untraceable(self, exc):
        """Whether JAX refused f while tracing it (numpy on a tracer, ``float(x)``, ``if``)."""
        errors = self.jax.errors
        return isinstance(exc, (errors.JAXTypeError, errors.JAXIndexError))

    @staticmethod
    def lambdify(formula):
        return _lambdified(formula)


@lru_cache(maxsize=256)
def _lambdified(formula):
    """The formula as a function of jax arrays (erf and gamma from jax.scipy.special: SymPy's
    jax module would take them from math)."""
    import jax.scipy.special as special
    import sympy as sp

    extra = {"erf": special.erf, "gamma": special.gamma}
    return sp.lambdify(formula.symbols, formula.expr, modules=[extra, "jax"], dummify=True)
