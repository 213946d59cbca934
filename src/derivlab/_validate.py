"""Input checks, run before f is first called. Each message names the parameter and the rule."""

from __future__ import annotations

import inspect
import pickle
import sys
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np

from ._errors import InputError, InputTypeError
from .stencils import Stencil
from .stencils import _check_int as check_int  # noqa: F401 - one rule for integer options

METHODS = ("central", "forward", "backward", "complex")


def suggest(word, *choices):
    """The choice closest to a misspelt ``word`` (difflib), from the first list that has one
    close enough; None when none is."""
    import difflib

    for names in choices:
        near = difflib.get_close_matches(word, list(names), n=1, cutoff=0.6)
        if near:
            return near[0]
    return None


def check_callable(f):
    if not callable(f):
        raise InputTypeError(f"f must be callable (a function of x), got {type(f).__name__}")


def check_bool(name, value, allow_none=False):
    if value is None and allow_none:
        return None
    if not isinstance(value, (bool, np.bool_)):
        allowed = "True, False or None" if allow_none else "True or False"
        raise InputTypeError(f"{name} must be {allowed}, got {value!r}")
    return bool(value)


def check_x(x, name="x"):
    """x as a real floating array (a copy: the user's array is never touched)."""
    if isinstance(x, (str, bytes)):
        raise InputTypeError(f"{name} must be a number or an array of numbers, got a string {x!r}")
    arr = _to_array(x, name)
    if arr.dtype.kind == "O":
        arr = _python_numbers(arr, x, name)
    if arr.dtype.kind == "c":
        raise InputTypeError(f"{name} must be real; for the complex-step method pass a real x "
                             "and method='complex'")
    if arr.dtype.kind not in "biuf":
        raise InputTypeError(f"{name} must be a number or an array of numbers, got dtype "
                             f"{arr.dtype} ({_show(x)})")
    if arr.dtype.kind == "b":  # (a mask passed by mistake: True is not a point to differentiate at)
        raise InputTypeError(f"{name} must be a number or an array of numbers, got booleans "
                             f"({_show(x)}); pass floats")
    if arr.size == 0:
        raise InputError(f"{name} must not be empty, got shape {arr.shape}")
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0]) if arr.ndim else ()
        raise InputError(f"{name} must be finite, got {arr[bad] if arr.ndim else arr[()]} "
                         f"at index {bad}")
    return arr


def _to_array(x, name):
    """np.array(x); a tensor numpy cannot read (torch with requires_grad, or on a GPU) is
    detached and moved to the CPU first, if it has ``detach`` (duck-typed: torch is not imported)."""
    try:
        return np.array(x)
    except (TypeError, ValueError, RuntimeError) as exc:
        if not callable(getattr(x, "detach", None)):
            if "inhomogeneous" in str(exc):  # ([1.0, [2.0, 3.0]]: pieces of different shapes)
                raise InputTypeError(
                    f"{name} is ragged: its pieces have different shapes ({_show(x)}); pass one "
                    f"array of numbers (np.concatenate the pieces, or np.ravel each)") from None
            raise InputTypeError(f"{name} must be a number or an array of numbers: {exc}") from None
        first = exc
    try:
        t = x.detach()
        return np.array(t.cpu() if callable(getattr(t, "cpu", None)) else t)
    except Exception:  # noqa: BLE001 - any failure: tell the user what to pass
        raise InputTypeError(f"{name} is a tensor numpy cannot read ({type(first).__name__}: "
                             f"{first}); pass {name}.detach().cpu().numpy() "
                             f"(or {name}.detach().numpy())") from None


def _python_numbers(arr, x, name):
    """Real numbers numpy keeps as objects (Python ints too large for int64, Fractions,
    Decimals), alone or with other numbers, as float64; anything else is left to the dtype
    check."""
    from decimal import Decimal

    items = list(arr.flat)
    if not all(isinstance(e, (Real, np.number, Decimal)) and not isinstance(e, (bool, np.bool_))
               for e in items):
        return arr
    try:
        out = arr.astype(np.float64)
        if any(isinstance(e, Decimal) and e.is_finite() for e in items) and np.isinf(out).any():
            raise OverflowError  # (a Decimal beyond float64 rounds to inf, silently)
        return out
    except OverflowError:
        raise InputError(f"{name}={_show(x)} is too large for float64 (at most about "
                         "1.8e308)") from None


def required_positional(f):
    """Number of positional parameters f requires, or None when its signature is unknown."""
    try:
        params = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):
        return None
    return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
               for p in params)


def check_unpack(f, args, unpack):
    """Without unpack, f is called as f(x, *args): a signature that needs more is a mistake."""
    need = None if unpack else required_positional(f)
    given = 1 + len(args)
    if need is not None and need > given:
        call = "f(x, *args)" if args else "f(x)"
        raise InputTypeError(f"f takes {need} positional arguments but is called as {call} with "
                             f"{given}; did you mean unpack=True? (f(*x, *args): one argument "
                             "per element of a 1-D x)")


def _show(x):
    text = repr(x)
    return text if len(text) < 60 else text[:57] + "..."


def check_method(method, order, accuracy):
    """A Stencil (user-given offsets) or a method name, plus the accuracy to use."""
    if isinstance(method, Stencil):
        if method.order != order:
            raise InputError(f"method is a Stencil of order {method.order}, but order={order}")
        return method.kind, method
    if not isinstance(method, str) or method not in METHODS:
        near = suggest(method.lower(), METHODS + ("symbolic", "jax", "torch")) \
            if isinstance(method, str) else None
        raise InputError(f"method must be one of {', '.join(map(repr, METHODS))}, 'symbolic', "
                         f"'jax', 'torch' or a Stencil, got {method!r}"
                         + (f"; did you mean {near!r}?" if near else ""))
    if method == "complex":
        if order != 1:
            raise InputError(f"method='complex' gives first derivatives only; got order={order}")
        if accuracy is not None:
            raise InputError("accuracy cannot be set with method='complex' (it has no stencil)")
        return method, None
    if accuracy is None:
        accuracy = 2 if method == "central" else 1
    accuracy = check_int("accuracy", accuracy, 1)
    if method == "central" and accuracy % 2:
        raise InputError(f"accuracy must be even for central differences, got {accuracy}")
    return method, getattr(Stencil, method)(order, accuracy)


def check_step(step, shape):
    if step is None:
        return None
    kind = np.asarray(step).dtype.kind
    if kind not in "iuf":  # strings and booleans are typos, not steps
        raise InputTypeError(f"step must be a positive number or array, got {step!r}")
    try:
        arr = np.array(step, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputTypeError(f"step must be a positive number or array, got {step!r}") from None
    if not np.all(np.isfinite(arr) & (arr > 0)):
        raise InputError(f"step must be positive and finite, got {step!r}")
    try:
        return np.broadcast_to(arr, shape)
    except ValueError:
        raise InputError(f"step must broadcast to x's shape {shape}, got shape {arr.shape}") from None


def check_domain(domain, x):
    if domain is None:
        return None
    try:
        lo, hi = domain
        lo = np.broadcast_to(np.array(lo, dtype=float), x.shape)
        hi = np.broadcast_to(np.array(hi, dtype=float), x.shape)
    except (TypeError, ValueError):
        raise InputError(f"domain must be a pair (lo, hi) broadcastable to x's shape {x.shape}, "
                         f"got {domain!r}") from None
    if np.any(np.isnan(lo) | np.isnan(hi)) or np.any(lo >= hi):
        raise InputError(f"domain must be (lo, hi) with lo < hi, got {domain!r}")
    if np.any((x < lo) | (x > hi)):
        raise InputError(f"x must lie inside domain={domain!r}")
    return lo, hi


def check_args(args):
    if not isinstance(args, tuple):
        raise InputTypeError(f"args must be a tuple of extra arguments for f, got {type(args).__name__}")
    return args


def check_executor(executor, workers):
    """The executor to evaluate f with (None: here); ``workers`` is checked, its pool is the
    caller's to make."""
    if workers is not None:
        if executor is not None:
            raise InputError("give executor or workers, not both (workers=N makes a process "
                             "pool of N workers for the call; executor= is your own)")
        if isinstance(workers, bool) or not isinstance(workers, Integral) or workers < 1:
            raise InputError(f"workers must be an integer >= 1 (the number of worker "
                             f"processes), got {workers!r}")
        return None
    if isinstance(executor, type):
        raise InputError(f"executor must be an executor, not the class {executor.__name__} "
                         f"(for example {executor.__name__}(max_workers=2))")
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise InputError("executor must be a concurrent.futures.Executor (ProcessPoolExecutor, "
                         "ThreadPoolExecutor), a Dask distributed.Client, or anything with "
                         f"submit(fn, *args) returning a future; got {type(executor).__name__}")
    return executor


@contextmanager
def evaluation_pool(executor, workers, f=None, args=()):
    """The executor for a call that evaluates f many times (check_grad, gradient_descent,
    compare, the plots, the CLI): ``executor`` (checked, None: here), or for ``workers=N`` one
    ``ProcessPoolExecutor(max_workers=N)`` for the whole call, shut down when it ends: at
    once on an error or Ctrl-C (its worker processes terminated), after its tasks otherwise.
    With ``f``, f and ``args`` are checked to pickle for a process pool (check_picklable)."""
    executor = check_executor(executor, workers)
    if workers is None:
        if f is not None:
            check_picklable(executor, f, args)
        yield executor
        return
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=workers)
    try:
        if f is not None:
            check_picklable(pool, f, args, workers)
        yield pool
    except BaseException:
        for proc in list((getattr(pool, "_processes", None) or {}).values()):
            proc.terminate()  # tasks still running: stop them instead of waiting
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def check_picklable(executor, f, args, workers=None):
    """A process pool sends f and args to its workers by pickle: fail now, with advice."""
    process = sys.modules.get("concurrent.futures.process")  # not imported: no process pool
    if process is None or not isinstance(executor, process.ProcessPoolExecutor):
        return
    pool = f"workers={workers}" if workers is not None else "executor=ProcessPoolExecutor"
    for name, obj in (("f", f), ("args", args)):
        try:
            pickle.dumps(obj)
        except Exception as exc:  # noqa: BLE001 - any failure means "cannot be sent"
            raise InputError(
                f"{name} cannot be sent to the worker processes of {pool}: pickling it failed "
                f"({type(exc).__name__}: {exc}); define f at module level (lambdas and "
                "closures cannot be sent to processes), or use a ThreadPoolExecutor or a Dask "
                "distributed.Client (cloudpickle), which accept them") from None


def check_real(name, value):
    if isinstance(value, bool) or not isinstance(value, Real):
        raise InputTypeError(f"{name} must be a real number, got {value!r}")
    return float(value)


def checked_options(fn):
    """Wrap a public function so that a misspelt keyword (``methd="forward"``) or an option
    passed by position (``derivative(f, x, 2)``) is an :class:`InputTypeError` that names the
    option meant, not Python's bare ``TypeError``."""
    import functools

    params = inspect.signature(fn).parameters.values()
    names = [p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    positional = [p.name for p in params if p.kind == p.POSITIONAL_OR_KEYWORD]
    options = [n for n in names if n not in positional]
    by_position = ", ".join(positional[:-1]) + " and " + positional[-1] if len(positional) > 1 \
        else positional[0]
    name = fn.__name__

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        for key in kwargs:
            if key not in names:
                near = suggest(key, options, positional)
                hint = f"; did you mean {near}=?" if near else ""
                raise InputTypeError(f"{name}() has no option {key!r}{hint} (its options: "
                                     f"{', '.join(options)})")
        if len(args) > len(positional):
            raise InputTypeError(
                f"{name}() takes {by_position} by position and its options by name: got "
                f"{len(args)} positional arguments (write, e.g., "
                f"{name}({', '.join(positional)}, {options[0]}=...))")
        return fn(*args, **kwargs)

    return wrapper
