"""Finite-difference stencils as values: offsets and exact rational weights."""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache
from numbers import Integral

import numpy as np

from ._errors import InputError, InputTypeError

__all__ = ["Stencil"]


def _check_int(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise InputTypeError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise InputError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


@lru_cache(maxsize=256)
def _solve_weights(offsets: tuple[Fraction, ...], order: int) -> tuple[Fraction, ...]:
    """Solve sum_k w_k c_k^j = j! [j == order], j < len(offsets), exactly (Gauss-Jordan)."""
    n = len(offsets)
    rows = [[c**j for c in offsets] + [Fraction(math.factorial(order) if j == order else 0)]
            for j in range(n)]
    for col in range(n):
        pivot = next(r for r in range(col, n) if rows[r][col] != 0)
        rows[col], rows[pivot] = rows[pivot], rows[col]
        p = rows[col][col]
        rows[col] = [v / p for v in rows[col]]
        for r in range(n):
            if r != col and rows[r][col] != 0:
                factor = rows[r][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col])]
    return tuple(row[-1] for row in rows)


def _log10(c):
    return math.log10(abs(c.numerator)) - math.log10(c.denominator)


def _accuracy_of(offsets, weights, order):
    """Order of the leading error term h**a of a stencil (computed, not assumed)."""
    j = len(offsets)
    while any(w != 0 for w in weights):
        moment = sum(w * c**j for c, w in zip(offsets, weights))
        if moment != 0:
            return j - order
        j += 1
        if j > len(offsets) + 4:  # only a symmetric cancellation can push it further
            break
    return j - order


class Stencil:
    """A finite-difference rule: ``f^(order)(x) ~ sum_k w_k f(x + c_k h) / h**order``.

    Weights are solved exactly in rational arithmetic and cached; the stencil
    is immutable and hashable.

    Parameters
    ----------
    offsets : sequence of int, Fraction or float
        Distinct offsets ``c_k`` in units of the step ``h``.
    order : int
        Derivative order, at least 1 and less than ``len(offsets)``.

    Attributes
    ----------
    offsets, weights : tuple of Fraction
        Offsets with non-zero weight and their exact weights.
    order : int
        Derivative order.
    accuracy : int
        Order of the leading truncation error ``O(h**accuracy)``.
    kind : str
        ``"central"``, ``"forward"``, ``"backward"`` or ``"custom"``.

    Examples
    --------
    >>> from derivlab import Stencil
    >>> s = Stencil.central(1, accuracy=2)
    >>> s.weights
    (Fraction(-1, 2), Fraction(1, 2))
    >>> float(s.apply([1.0, 4.0, 9.0][::2], 1.0))  # f(1), f(3) of x**2 at 2, h = 1
    4.0
    """

    __slots__ = ("offsets", "weights", "order", "accuracy", "kind")

    def __init__(self, offsets, order, *, kind="custom"):
        order = _check_int("order", order, 1)
        try:
            offs = tuple(Fraction(c.item() if isinstance(c, np.generic) else c) for c in offsets)
        except (TypeError, ValueError, OverflowError):  # OverflowError: Fraction(inf)
            raise InputTypeError(f"offsets must be a sequence of numbers, got {offsets!r}") from None
        if len(set(offs)) != len(offs):
            raise InputError(f"offsets must be distinct, got {list(map(str, offs))}")
        if len(offs) <= order:
            raise InputError(
                f"a stencil for order {order} needs at least {order + 1} offsets, got {len(offs)}")
        offs = tuple(sorted(offs))
        weights = _solve_weights(offs, order)
        try:  # the weights must be usable in floating point
            usable = all(np.isfinite(float(w)) for w in weights) and \
                all(np.isfinite(float(c)) and (c == 0 or float(c) != 0) for c in offs)
        except OverflowError:
            usable = False
        if not usable:
            shown = ", ".join(str(c) if len(str(c)) < 20 else f"~1e{_log10(c):.0f}" for c in offs)
            raise InputError("offsets are too close together or too far apart for floating-point "
                             f"weights: [{shown}]")
        acc = _accuracy_of(offs, weights, order)
        kept = [(c, w) for c, w in zip(offs, weights) if w != 0]
        self.offsets = tuple(c for c, _ in kept)
        self.weights = tuple(w for _, w in kept)
        self.order = order
        self.accuracy = acc
        self.kind = kind

    def __setattr__(self, name, value):
        if hasattr(self, "kind"):
            raise AttributeError("Stencil is immutable")
        object.__setattr__(self, name, value)

    def __delattr__(self, name):  # constructors share cached instances: never let one be emptied
        raise AttributeError("Stencil is immutable")

    # -- constructors (validated, then cached: a Stencil is immutable) ----------------
    @classmethod
    def central(cls, order=1, accuracy=2):
        """Symmetric stencil on ``-m..m`` with an even ``accuracy``.

        >>> Stencil.central(2, 2).weights
        (Fraction(1, 1), Fraction(-2, 1), Fraction(1, 1))
        """
        order = _check_int("order", order, 1)
        accuracy = _check_int("accuracy", accuracy, 1)
        if accuracy % 2:
            raise InputError(f"accuracy must be even for central differences, got {accuracy}")
        return _cached("central", order, accuracy)

    @classmethod
    def forward(cls, order=1, accuracy=1):
        """One-sided stencil on ``0..order+accuracy-1`` (points at and above x).

        >>> Stencil.forward(1, 1).weights
        (Fraction(-1, 1), Fraction(1, 1))
        """
        order = _check_int("order", order, 1)
        accuracy = _check_int("accuracy", accuracy, 1)
        return _cached("forward", order, accuracy)

    @classmethod
    def backward(cls, order=1, accuracy=1):
        """One-sided stencil on ``-(order+accuracy-1)..0`` (points at and below x)."""
        order = _check_int("order", order, 1)
        accuracy = _check_int("accuracy", accuracy, 1)
        return _cached("backward", order, accuracy)

    @classmethod
    def from_offsets(cls, offsets, order=1):
        """Stencil on user-given offsets (in units of the step).

        >>> Stencil.from_offsets([-1, 0, 2], 1).accuracy
        2
        """
        return cls(offsets, order)

    # -- use ------------------------------------------------------------------
    @property
    def symmetric(self):
        """True when the error expansion has only even (or only odd) powers of h."""
        pairs = dict(zip(self.offsets, self.weights))
        sign = (-1) ** self.order
        return all(pairs.get(-c, 0) == sign * w for c, w in pairs.items())

    def coefficients(self, dtype=float):
        """Offsets and weights as two numpy arrays."""
        return (np.array([float(c) for c in self.offsets], dtype=dtype),
                np.array([float(w) for w in self.weights], dtype=dtype))

    def apply(self, values, step):
        """Combine ``values[k] = f(x + offsets[k] * step)`` into the derivative estimate."""
        c, w = self.coefficients()
        values = np.asarray(values)
        if values.dtype.kind not in "biufc":
            raise InputTypeError(f"values must be numbers, got dtype {values.dtype}")
        if values.shape[:1] != c.shape:
            raise InputError(f"values must have {len(c)} rows (one per offset), got shape {values.shape}")
        return np.tensordot(w, values, axes=1) / step**self.order

    # -- value object -----------------------------------------------------------
    def _key(self):
        return (self.offsets, self.weights, self.order)

    def __eq__(self, other):
        return isinstance(other, Stencil) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        offs = ", ".join(str(c) for c in self.offsets)
        return (f"Stencil(kind={self.kind!r}, order={self.order}, accuracy={self.accuracy}, "
                f"offsets=[{offs}])")

    def __str__(self):
        body = ""
        for c, w in zip(self.offsets, self.weights):
            shift = "x" if c == 0 else f"x{'+' if c > 0 else '-'}{abs(c)}h"
            sign = ("-" if w < 0 else "") if not body else (" - " if w < 0 else " + ")
            body += f"{sign}{abs(w)}*f({shift})"
        return (f"f^({self.order})(x) ~ [{body}] / h^{self.order}"
                f"   ({self.kind}, error O(h^{self.accuracy}))")


@lru_cache(maxsize=128)
def _cached(kind, order, accuracy):
    if kind == "central":
        m = (order + 1) // 2 - 1 + accuracy // 2
        offsets = range(-m, m + 1)
    elif kind == "forward":
        offsets = range(order + accuracy)
    else:
        offsets = range(-(order + accuracy) + 1, 1)
    return Stencil(offsets, order, kind=kind)
