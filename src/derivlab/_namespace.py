"""Arrays of other array-API libraries (PyTorch, JAX, CuPy, array-api-strict, ...) as x.

The engine works in numpy. When x is an array of another library, f is called with points
of that library, of the engine's dtype, on x's device; f's outputs come back to numpy for
the engine; the Result's arrays go back to x's library and device. ``array_api_compat`` is
imported only when x is neither a numpy array nor a Python number (and without it such an
x is read by numpy, as before).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from numbers import Number

import numpy as np

from ._errors import InputError

__all__ = ["Namespace", "namespace_of", "to_numpy"]

_PLAIN = (np.ndarray, np.generic, Number, str, bytes, list, tuple, Mapping, type(None))
_LOWER = {"float64": "float32", "complex128": "complex64"}


def _compat(a):
    """array_api_compat when ``a`` is an array of a library other than numpy, else None."""
    if isinstance(a, _PLAIN):
        return None
    try:
        import array_api_compat as compat
    except ImportError:
        return None
    if not compat.is_array_api_obj(a) or compat.is_numpy_array(a):
        return None
    return compat


def namespace_of(x):
    """The :class:`Namespace` of ``x``, or None for numpy, Python numbers and the like."""
    compat = _compat(x)
    if compat is None:
        return None
    try:
        return Namespace(compat.array_namespace(x), compat.device(x), compat)
    except TypeError:  # not a library array_api_compat knows how to handle
        return None


def to_numpy(a):
    """``a`` as a numpy array when it is an array of another library (from any device,
    detached from autograd), else ``a`` itself; lists and tuples element by element."""
    if isinstance(a, (list, tuple)):
        return type(a)(to_numpy(e) for e in a)
    compat = _compat(a)
    if compat is None:
        return a
    if compat.is_torch_array(a):
        return a.detach().cpu().resolve_conj().resolve_neg().numpy()
    for read in (np.asarray, np.from_dlpack):  # on the CPU (or JAX anywhere); by DLPack
        try:
            return read(a)
        except Exception:  # noqa: BLE001 - try the next way
            pass
    return np.asarray(compat.to_device(a, "cpu"))  # CuPy and others: to the host first


class Namespace:
    """How to make arrays of x's library on x's device, and read them back.

    Parameters
    ----------
    xp : module
        The array-API namespace of x (``array_api_compat.array_namespace(x)``).
    device : object
        x's device (``array_api_compat.device(x)``).
    compat : module
        ``array_api_compat``.
    """

    def __init__(self, xp, device, compat):
        self.xp, self.device, self.compat = xp, device, compat
        self._dtypes = None

    def __repr__(self):
        return f"Namespace({self.xp.__name__}, device={self.device!r})"

    def __reduce__(self):  # modules do not pickle: a process pool's workers import them again
        return _rebuild, (self.xp.__name__, self.device)

    @property
    def name(self):
        return self.xp.__name__.replace("array_api_compat.", "")

    def dtypes(self):
        """The floating dtypes x's device supports, by name."""
        if self._dtypes is None:
            kinds = ("real floating", "complex floating")
            try:
                info = self.xp.__array_namespace_info__()
                self._dtypes = dict(info.dtypes(device=self.device, kind=kinds))
            except Exception:  # noqa: BLE001 - an older library: what the namespace has
                names = ("float32", "float64", "complex64", "complex128")
                self._dtypes = {n: getattr(self.xp, n) for n in names if hasattr(self.xp, n)}
        return self._dtypes

    def dtype(self, dtype):
        """The library's dtype for a numpy floating ``dtype``, or the next lower precision
        of its kind where the device lacks it (float64 without 64-bit types)."""
        name = np.dtype(dtype).name
        have = self.dtypes()
        if name not in have and _LOWER.get(name) in have:
            name = _LOWER[name]
        if name not in have:
            raise InputError(f"x is an array of {self.name} on device {self.device}, which has "
                             f"no {np.dtype(dtype).name} for the points and results")
        return have[name]

    def check_complex(self, dtype):
        """InputError unless the device has the complex dtype of a real ``dtype`` (method='complex')."""
        name = np.result_type(dtype, np.complex64).name
        if name not in self.dtypes():
            raise InputError(f"method='complex' needs {name} points, but x is an array of "
                             f"{self.name} on device {self.device}, which has no {name}: "
                             "use method='central'")

    def asarray(self, a):
        """A numpy array (or number) as a new array of x's library on x's device."""
        a = np.asarray(a)
        if a.dtype.kind not in "fc":
            a = a.astype(np.float64)
        return self.xp.asarray(a, dtype=self.dtype(a.dtype), device=self.device, copy=True)

    def result(self, res):
        """``res`` with value, error, x and fx as arrays of x's library on x's device."""
        def back(a):  # (a scipy.sparse result of jacobian(..., sparse=True) stays one)
            return a if a is None or hasattr(a, "tocsr") else self.asarray(to_numpy(a))
        return replace(res, value=back(res.value), error=back(res.error), x=back(res.x),
                       fx=back(res.fx))


def _rebuild(name, device):
    import importlib

    return Namespace(importlib.import_module(name), device, importlib.import_module("array_api_compat"))


def calls_with(namespace, f):
    """The Namespace to call ``f`` with: None (numpy points) for a formula's numpy function."""
    from .symbolic.adapter import _Numeric

    return None if namespace is None or isinstance(f, _Numeric) else namespace
