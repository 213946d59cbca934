"""Automatic differentiation with JAX or PyTorch: exact derivatives of code, not estimates.

:func:`differentiate` computes derivatives, gradients, Jacobians, Hessians and the products
``J @ v`` and ``H @ v`` of a function written with ``jax.numpy`` or ``torch`` (or of
formulas, turned into such a function by ``sympy.lambdify``), in the shapes of derivlab's
numeric entry points. Neither library is imported with this package: each is imported when
first used, and a missing one raises :class:`~derivlab.InputError` naming the extra to
install (``pip install 'derivlab[jax]'`` or ``'derivlab[torch]'``).
"""

from ._common import LIBRARIES, OPERATIONS, differentiate

__all__ = ["differentiate", "LIBRARIES", "OPERATIONS"]
