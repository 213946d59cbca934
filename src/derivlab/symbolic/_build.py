"""Building the SymPy expression of a checked syntax tree, with every cost bounded.

SymPy objects are made node by node from the whitelist's own tables (never ``eval``,
``exec``, ``sympify`` or ``parse_expr`` of the text), with checks that keep every exact
number small before SymPy computes it, and a deadline for what SymPy's own simplification
may cost.
"""

from __future__ import annotations

import ast
import math
import threading
import time

from .._errors import InputError
from ._text import CONSTANTS, FUNCTIONS, _at, _Refusal, _short, check_tree, prescan, syntax_tree

#: Largest magnitude of a constant exponent (``x**1000`` is fine, ``x**1001`` is refused).
MAX_EXPONENT = 1_000
#: Most digits of an exact number SymPy may compute (float64 ends near 1.8e308).
MAX_CONSTANT_DIGITS = 310
#: Time allowed to build the SymPy expression (ordinary formulas take milliseconds; see
#: ``_within_deadline`` for what can take longer).
MAX_SECONDS = 1.0


class Builder:
    """Build the SymPy expression of a checked tree (see :func:`check_tree`)."""

    def __init__(self, sp, line, cols):
        self.sp, self.line, self.cols = sp, line, cols
        self.deadline = time.perf_counter() + MAX_SECONDS
        self.digits = {}
        self.bad = (sp.zoo, sp.nan, sp.oo, -sp.oo)

    def build(self, node):
        if time.perf_counter() > self.deadline:
            raise _OutOfTime
        out = self._node(node)
        if out in self.bad:
            raise self._error(node, f"not a finite number ({out}: a division by zero, or "
                                    "a function outside its domain)")
        return out

    def _error(self, node, message):
        return _at(self.line, self.cols, _Refusal(message, node.col_offset, node.end_col_offset))

    def _node(self, node):
        sp = self.sp
        if isinstance(node, ast.Constant):
            return sp.Integer(node.value) if isinstance(node.value, int) else sp.Float(node.value)
        if isinstance(node, ast.Name):
            if node.id in CONSTANTS:
                return CONSTANTS[node.id](sp)
            return sp.Symbol(node.id, real=True)
        if isinstance(node, ast.UnaryOp):
            inner = self.build(node.operand)
            return -inner if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.Call):
            return self._call(node)
        op = type(node.op)
        if op in (ast.Add, ast.Sub):
            return sp.Add(*[t if o is ast.Add else -t for o, t in self._chain(node, ast.Add, ast.Sub)])
        if op in (ast.Mult, ast.Div):
            return self._product(node)
        return self._power(node)

    def _chain(self, node, first, second):
        """The operands of a left-leaning chain a op b op c ... as (op, expression) pairs,
        walked without recursion."""
        right = []
        while isinstance(node, ast.BinOp) and isinstance(node.op, (first, second)):
            right.append((type(node.op), node.right))
            node = node.left
        return [(first, self.build(node))] + [(o, self.build(r)) for o, r in reversed(right)]

    def _product(self, node):
        sp = self.sp
        factors = []
        for o, f in self._chain(node, ast.Mult, ast.Div):
            if o is ast.Div and f == 0:
                raise self._error(node, "division by zero")
            factors.append(f if o is ast.Mult else sp.Pow(f, -1))
        size = sum(self._digits(f, True) for f in factors)
        if size > MAX_CONSTANT_DIGITS:
            raise self._error(node, self._too_big(size))
        return sp.Mul(*factors)

    def _power(self, node):
        base, exp = self.build(node.left), self.build(node.right)
        if exp.is_Number:
            if abs(exp) > MAX_EXPONENT:
                raise self._error(node.right, f"exponent {_short(str(exp))} is too large (its "
                                              f"magnitude may be at most {MAX_EXPONENT})")
            if exp.is_Rational:
                size = abs(float(exp)) * self._digits(base, False)
                if size > MAX_CONSTANT_DIGITS:
                    raise self._error(node, self._too_big(size))
            if base == 0 and exp.is_negative:
                raise self._error(node, "division by zero (0 to a negative power)")
        return self.sp.Pow(base, exp)

    def _call(self, node):
        name = node.func.id
        args = [self.build(a) for a in node.args]
        if name == "gamma" and args[0].is_Rational and args[0] > 1 \
                and math.lgamma(float(args[0])) / math.log(10) > MAX_CONSTANT_DIGITS:
            raise self._error(node, f"gamma({args[0]}) is an exact number of more than "
                                    f"{MAX_CONSTANT_DIGITS} digits (float64 ends near 1.8e308)")
        return FUNCTIONS[name][0](self.sp)(*args)

    def _too_big(self, size):
        return (f"this would be an exact number of about {size:.0f} digits; the limit is "
                f"{MAX_CONSTANT_DIGITS} (float64 ends near 1.8e308): write a decimal such as "
                "2.0**1000 for an approximate value")

    def _digits(self, e, through_add):
        """Upper bound on the digits of the exact numbers SymPy computes when ``e`` is
        multiplied (``through_add``: a number times a sum is distributed) or raised to a
        power."""
        key = (e, through_add)
        if key not in self.digits:
            if e.is_Rational:
                d = math.log10(max(abs(e.p), e.q, 1))
            elif e.is_Mul:
                d = sum(self._digits(a, through_add) for a in e.args)
            elif e.is_Pow and e.exp.is_Rational:
                d = abs(float(e.exp)) * self._digits(e.base, through_add)
            elif through_add and e.is_Add:
                d = max(self._digits(a, through_add) for a in e.args)
            else:
                d = 0.0
            self.digits[key] = d
        return self.digits[key]


def to_sympy(text):
    """The SymPy expression of formula ``text`` (checked, then built; see the module doc), and
    the variable names the text uses (also those that cancel out, as in ``x*0 + 1``)."""
    line = prescan(text)
    root, cols = syntax_tree(line)
    check_tree(root, line, cols)
    import sympy  # only now: everything refused so far was refused without it

    names = {n.id for n in ast.walk(root) if isinstance(n, ast.Name) and n.id not in CONSTANTS
             and n.id not in FUNCTIONS}
    try:
        return _within_deadline(lambda: (Builder(sympy, line, cols).build(root), names), sympy)
    except (ArithmeticError, TypeError, ValueError, RecursionError) as exc:  # SymPy's own limits
        if isinstance(exc, InputError):
            raise
        raise InputError(f"SymPy could not build this formula ({type(exc).__name__}: "
                         f"{_short(str(exc))})") from None


class _OutOfTime(BaseException):
    """Raised in the building thread when it takes too long (a BaseException: SymPy's
    ``except Exception`` clauses let it through)."""


def _within_deadline(build, sympy):
    """``build()``, stopped after MAX_SECONDS even inside one long SymPy call.

    SymPy simplifies as it builds, asking questions of each part (its sign, whether it is
    real) that recurse through nested functions at a cost growing steeply with the nesting:
    ``atan2`` nested 50 deep takes minutes, some 10-deep mixtures of functions seconds. The
    limits above cannot bound that, so a timer raises ``_OutOfTime`` in this thread
    (``PyThreadState_SetAsyncExc``; it lands between two bytecodes, at no cost until then).
    An interrupted question may leave "unknown" in SymPy's caches: they are cleared then.
    """
    import ctypes

    me, lock, state = threading.get_ident(), threading.Lock(), {"done": False, "fired": False}

    def fire():
        with lock:
            if not state["done"]:
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(me),
                                                           ctypes.py_object(_OutOfTime))

    timer = threading.Timer(MAX_SECONDS, fire)
    timer.daemon = True
    try:
        try:
            timer.start()
            return build()
        finally:
            with lock:
                state["done"] = True
                if state["fired"]:  # not delivered yet: withdrawn
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(me), None)
            timer.cancel()
    except _OutOfTime:
        sympy.core.cache.clear_cache()
        raise InputError(f"formula took more than {MAX_SECONDS:g} s to build (SymPy's "
                         "simplification of nested functions grows steeply with the nesting): "
                         "simplify it or split it") from None
