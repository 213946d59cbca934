"""Result objects: value, error estimate, evaluation count, status and trace."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import groupby
from enum import IntEnum

import numpy as np

from ._namespace import to_numpy

__all__ = ["Result", "Status", "Trace", "TraceRecord", "LevelRecord"]


class Status(IntEnum):
    """Per-element outcome. Non-negative values are successes."""

    OK = 0            #: converged; ``error`` bounds the true error
    FIXED_STEP = 1    #: a user-fixed step: no error estimate
    ONE_SIDED = 2     #: converged with a one-sided stencil (domain edge)
    NONFINITE = -1    #: f returned NaN/inf or raised wherever it was needed
    NOT_CONVERGED = -2  #: the estimates did not settle
    ROUNDOFF = -3     #: round-off error swamps the derivative
    NOT_SMOOTH = -4   #: one-sided slopes disagree: f has a kink at x
    NOT_ANALYTIC = -5  #: complex step impossible or inconsistent
    NOISY = -6        #: f is noisy: differences stop shrinking like h**p above round-off
    WRONG_PATTERN = -7  #: jacobian(sparsity=...): J has nonzeros the pattern leaves out

    @property
    def reason(self) -> str:
        return _REASONS[self]


def _as_status(codes):
    """Integer codes as a :class:`Status` (0-d) or an object ndarray of Status members."""
    codes = np.asarray(codes, dtype=int)
    if codes.ndim == 0:
        return Status(int(codes))
    table = np.empty(len(_CODES), dtype=object)
    for i, code in enumerate(_CODES):  # element by element: a list would become ints
        table[i] = Status(code)
    return table[codes - _CODES[0]]


_REASONS = {
    Status.OK: "converged",
    Status.FIXED_STEP: "fixed step: no error estimate (leave step=None for an adaptive, estimated result)",
    Status.ONE_SIDED: "converged with a one-sided stencil at a domain edge (f was NaN/inf or "
                      "raised on the other side, or domain= said so)",
    Status.NONFINITE: "f returned NaN/inf or raised at the points needed",
    Status.NOT_CONVERGED: "the estimates did not settle as the step shrank: f may be discontinuous, "
                          "or oscillate or vary faster than the smallest usable step",
    Status.ROUNDOFF: "round-off dominates: f's values are too large (or too noisy) for their "
                     "differences at any usable step",
    Status.NOT_SMOOTH: "the slopes from the left and from the right differ: f is not differentiable "
                       "at x (a kink)",
    Status.NOT_ANALYTIC: "the complex-step derivative is unusable: f does not accept complex input "
                         "or is not analytic (abs, real, conj, comparisons ...)",
    Status.NOISY: "f is noisy: its differences stop shrinking with the step well above "
                  "floating-point round-off; the value is the best difference at the step where "
                  "truncation and noise balance",
    Status.WRONG_PATTERN: "the sparsity pattern leaves out nonzeros of J: an output changed "
                          "along a colour group where the pattern has no entry, so entries "
                          "may read as 0 or mix columns",
}

_CODES = list(range(min(Status), max(Status) + 1))


@dataclass(frozen=True)
class _Eval:
    """One evaluation as the engine records it (internal units); api turns it into a TraceRecord."""

    base: int          #: index of the base point
    axes: tuple        #: directions perturbed (axis of x, or n + j for direction vector j)
    level: int         #: step level
    step: float        #: h times the scale of the first direction
    offsets: tuple     #: displacement along each direction
    fx: object         #: f there, a row (Fd,)
    estimate: object   #: the level's difference quotient, a row (Fd,)
    component: int     #: the component this evaluation served
    extrapolated: object = np.nan  #: best extrapolated value after this level
    error: object = np.nan         #: its error estimate
    checks: tuple = ()             #: what the level showed, in words

    def concluded(self, extrapolated, error):
        """A copy carrying what the level's tableau row concluded."""
        return replace(self, extrapolated=extrapolated, error=error)

    def tagged(self, words):
        """A copy with ``words`` added to its checks."""
        return replace(self, checks=self.checks + tuple(w for w in words if w not in self.checks))


@dataclass(frozen=True)
class TraceRecord:
    """One evaluation of f: where, what came out, and the estimate it fed."""

    point: int        #: index of the base point (batch/many points)
    element: tuple    #: multi-index of the perturbed element(s) of x
    level: int        #: step level (0 = largest step tried)
    step: float       #: the step h of this level, in x's units
    offset: float     #: displacement of the perturbed element from its value
    x: float          #: the perturbed element's value
    fx: object        #: f at the perturbed point (a float or an array)
    estimate: object  #: the partial derivative this level produced for ``element``
    extrapolated: object = np.nan  #: the best extrapolated value after this level (NaN early on)
    error: object = np.nan         #: its error estimate (truncation + round-off)
    checks: tuple = ()             #: what this level showed: "value kept", "jump seen", "stop: ..."

    def as_dict(self) -> dict:
        return {k: _plain(getattr(self, k)) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class LevelRecord:
    """One level of one element's ladder: its step, points, estimate, conclusion and checks."""

    point: int          #: index of the base point
    element: tuple      #: multi-index of the perturbed element(s)
    level: int          #: step level (0 = largest step tried)
    step: float         #: the step h, in x's units
    x: tuple            #: the perturbed element's value at each point of the level
    fx: tuple           #: f at each point
    estimate: object    #: this level's difference quotient
    extrapolated: object  #: the best extrapolated value after this level (NaN early on)
    error: object       #: its error estimate
    checks: tuple       #: what the level showed (see TraceRecord.checks)

    def as_dict(self) -> dict:
        return {k: _plain(getattr(self, k)) for k in self.__dataclass_fields__}


def _plain(v):
    if isinstance(v, (tuple, list)):  # elements like ((0,), "v") of a Hessian-vector product
        return [_plain(i) for i in v]
    if np.iscomplexobj(v):  # JSON has no complex numbers
        return {"real": _plain(np.real(v)), "imag": _plain(np.imag(v))}
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, np.generic):
        return v.item()
    return v


@dataclass
class Trace:
    """Every evaluation of f made for one result, in order (the seeds' "debug" prints as data)."""

    records: list = field(default_factory=list)

    def __len__(self):
        return len(self.records)

    def __iter__(self):
        return iter(self.records)

    def __getitem__(self, i):
        return self.records[i]

    def as_dicts(self) -> list:
        """The records as a list of plain dicts (JSON-ready)."""
        return [r.as_dict() for r in self.records]

    @property
    def levels(self) -> list:
        """One :class:`LevelRecord` per level of each element's ladder (consecutive
        evaluations of one element at one level), in order."""
        runs = groupby(self.records, key=lambda r: (r.point, r.element, r.level))
        return [_level(list(run)) for _, run in runs]

    def levels_table(self) -> str:
        """The levels as a printed table: step, estimate, conclusion and checks per level."""
        return _table(f"{'pt':>3} {'element':<10} {'lvl':>3} {'step':>10} {'pts':>3} "
                      f"{'estimate':>24} {'extrapolated':>24} {'error':>9}  checks",
                      (f"{r.point:>3} {str(r.element):<10} {r.level:>3} {r.step:>10.3g} "
                       f"{len(r.x):>3} {_fmt(r.estimate):>24} {_fmt(r.extrapolated):>24} "
                       f"{_err(r.error)}  {'; '.join(r.checks)}" for r in self.levels))

    def _repr_html_(self):
        """Every evaluation as an HTML table (Jupyter)."""
        head = ("point", "element", "level", "step", "x[element]", "f(x)", "estimate", "error",
                "checks")
        rows = [(r.point, r.element, r.level, f"{r.step:.3g}", _fmt(r.x), _fmt(r.fx),
                 _fmt(r.estimate), _err(r.error).strip(), "; ".join(r.checks)) for r in self.records]
        return _html_table(head, rows, f"{len(self.records)} evaluations of f")

    def __str__(self):
        return _table(f"{'pt':>3} {'element':<10} {'lvl':>3} {'step':>10} {'x[elem]':>22} "
                      f"{'f(x)':>24} {'estimate':>24} {'error':>9}",
                      (f"{r.point:>3} {str(r.element):<10} {r.level:>3} {r.step:>10.3g} "
                       f"{_fmt(r.x):>22} {_fmt(r.fx):>24} {_fmt(r.estimate):>24} "
                       f"{_err(r.error)}" for r in self.records))


def _entries(a):
    """Rows, columns and values of a scipy.sparse CSR array, in the order of its data."""
    return np.repeat(np.arange(a.shape[0]), np.diff(a.indptr)), a.indices, a.data


def _html_table(head, rows, caption=""):
    import html

    cells = lambda row, tag: "".join(f"<{tag}>{html.escape(str(c))}</{tag}>" for c in row)  # noqa: E731
    body = "".join(f"<tr>{cells(r, 'td')}</tr>" for r in rows)
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{cells(head, 'th')}</tr></thead><tbody>{body}</tbody></table>"


def _table(head, rows):
    """A header, a rule under it, and the rows."""
    return "\n".join([head, "-" * len(head), *rows])


def _err(e):
    err = np.asarray(e, dtype=float)
    return f"{float(err.max()):9.2g}" if err.size and np.isfinite(err).all() else " " * 9


def _level(run):
    last = run[-1]
    return LevelRecord(last.point, last.element, last.level, last.step,
                       tuple(r.x for r in run), tuple(r.fx for r in run), last.estimate,
                       last.extrapolated, last.error, last.checks)


def _fmt(v):
    v = np.asarray(v)
    if v.ndim == 0:
        return repr(v.item())
    return np.array2string(v, precision=6, separator=",")


def _error_text(e):
    """An error bar in two significant digits (``%.2g``): 0.004, 3.6e-05, never a bare 0."""
    return f"{float(e):.2g}"


@dataclass
class Result:
    """The outcome of a derivative computation.

    Attributes
    ----------
    value : float or ndarray
        The derivative (shape documented by each function); a ``scipy.sparse.csr_array``
        for ``jacobian(..., sparsity=..., sparse=True)``. When x was an array of
        another array-API library (torch, JAX, ...), ``value``, ``error``, ``x`` and
        ``fx`` are arrays of that library on x's device (0-d rather than floats).
    error : float or ndarray
        Estimated absolute error of ``value``, same shape (and kind); NaN where none can be
        given.
    nfev : int
        Number of points at which f was evaluated.
    step : float or ndarray
        The step (in x's units) of the estimate chosen for each element.
    method : str
        What was done, e.g. ``"central, adaptive"``.
    status : Status or ndarray of Status
        The :class:`Status` of a scalar ``value``; for an array ``value``, an ndarray
        (dtype object, ``value``'s shape) holding a Status per element. Compare with
        ``==`` or ``>= 0`` (success).
    message : str
        A sentence a person can read: what happened and, on failure, why and where.
    trace : Trace or None
        Every evaluation, when ``trace=True`` was passed.
    ncalls : int
        Number of calls made to f (a vectorized call evaluates many points).
    x : float or ndarray or None
        The point (a copy, in the shape the user passed; floating point).
    fx : float or ndarray or None
        f at ``x`` (for many points, at each; NaN where f was not evaluated there or
        raised), or None if f never returned a value.
    operation : str or None
        ``"derivative"``, ``"gradient"``, ``"jacobian"``, ``"hessian"``, ``"jvp"`` or ``"hvp"``.
    expression : Formula or sympy.Array or None
        With ``method="symbolic"``: the exact derivative (a :class:`~derivlab.Formula` for
        one derivative of a scalar f, else a SymPy array in ``value``'s layout per point);
        print it, or ``sympy.latex`` it.
    """

    value: object
    error: object
    nfev: int
    step: object
    method: str
    status: object
    message: str
    trace: Trace | None = None
    ncalls: int = 0
    x: object = None
    fx: object = None
    operation: str | None = None
    expression: object = None

    @property
    def success(self) -> bool:
        """True when every element has a trustworthy value (status >= 0)."""
        return bool(np.all(np.asarray(self.status) >= 0))

    def __float__(self):
        return float(np.asarray(to_numpy(self.value)))  # (to_numpy: a tensor on a GPU too)

    def __array__(self, dtype=None, copy=None):
        value = to_numpy(self.value)
        if copy is None:  # numpy may share memory with value
            return np.asarray(value, dtype=dtype)
        return np.array(value, dtype=dtype, copy=copy)  # np.array(res) must not alias value

    def _repr_html_(self):
        """value, error and status per element as an HTML table (Jupyter), then the message."""
        import html

        value, error = np.atleast_1d(to_numpy(self.value)), np.atleast_1d(to_numpy(self.error))
        status = np.atleast_1d(np.asarray(self.status, dtype=object))
        rows = [("" if value.size == 1 else str(i if len(i) > 1 else i[0]), repr(float(value[i])),
                 _error_text(error[i]), Status(int(status[i])).name)
                for i in np.ndindex(value.shape)] if not hasattr(self.value, "tocoo") else \
            [(str((int(i), int(j))), repr(float(v)), _error_text(e), Status(int(s)).name)  # sparse
             for i, j, v, e, s in zip(*_entries(self.value), self.error.data, status)]
        head = ("element", "value", "error", "status")
        cap = f"{self.operation or 'result'}: {self.method}, {self.nfev} evaluations"
        return _html_table(head, rows, cap) + f"<p>{html.escape(self.message)}</p>"

    def __repr__(self):
        def show(v):
            return np.array2string(np.asarray(v), precision=16, separator=", ") \
                if np.ndim(v) else repr(np.asarray(v).item())
        value, error = to_numpy(self.value), to_numpy(self.error)
        err = np.array2string(np.asarray(error), separator=" ",
                              formatter={"float_kind": _error_text}) if np.ndim(error) \
            else _error_text(error)
        return (f"Result(value={show(value)}, error={err}, success={self.success}, "
                f"nfev={self.nfev}, method={self.method!r},\n       message={self.message!r})")
