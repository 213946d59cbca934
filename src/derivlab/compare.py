"""``derivlab.compare``: every applicable method on one function at one point, in one table."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ._errors import DerivlabError, InputError
from .result import Status
from ._validate import checked_options

__all__ = ["compare", "Comparison"]

#: The seeds' fixed step.
SEEDS_STEP = 1e-4

_ROWS: tuple = (  # (name, keyword arguments of the entry point)
    ("forward h=1e-4", {"method": "forward", "step": SEEDS_STEP}),
    ("backward h=1e-4", {"method": "backward", "step": SEEDS_STEP}),
    ("central h=1e-4", {"method": "central", "step": SEEDS_STEP}),
    ("adaptive (default)", {}),
    ("complex step", {"method": "complex"}),
    ("symbolic", {"method": "symbolic"}),
    ("jax", {"method": "jax"}),
    ("torch", {"method": "torch"}),
)


@dataclass(frozen=True)
class Comparison:
    """The outcome of :func:`compare`.

    Attributes
    ----------
    rows : list of dict
        One per method: ``method``, ``value``, ``error`` (largest absolute difference from
        the reference), ``estimate`` (the method's own error estimate; NaN: none),
        ``nfev``, ``seconds``, ``status`` (name) and ``note`` (why it is off, or why it
        could not run).
    reference : str
        What the errors are measured against.
    operation : str
        ``"derivative"`` or ``"gradient"``.
    """

    rows: list
    reference: str
    operation: str
    x: object = None
    notes: list = field(default_factory=list)

    def to_dict(self):
        """Plain data (lists and floats), for JSON."""
        def plain(v):
            return np.asarray(v).tolist() if isinstance(v, np.ndarray) else v
        return {"operation": self.operation, "x": plain(self.x), "reference": self.reference,
                "rows": [{k: plain(v) for k, v in r.items()} for r in self.rows],
                "notes": list(self.notes)}

    def _cells(self):
        head = ["method", "value", "error vs reference", "own estimate", "evals", "ms"]
        body = []
        for r in self.rows:
            if r["value"] is None:
                body.append([r["method"], "n/a", "", "", "", ""])
                continue
            body.append([r["method"], _fmt_value(r["value"]), _fmt(r["error"]),
                         _fmt(r["estimate"]), str(r["nfev"]), f"{1e3 * r['seconds']:.2f}"])
        return head, body

    def __str__(self):
        head, body = self._cells()
        widths = [max(len(c) for c in col) for col in zip(head, *body)]
        line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()
        out = [f"{self.operation} at x = {_fmt_value(self.x)}; errors against {self.reference}",
               line(head), line(["-" * w for w in widths])] + [line(b) for b in body]
        return "\n".join(out + [f"- {r['method']}: {r['note']}" for r in self.rows if r["note"]]
                         + [f"- {n}" for n in self.notes])

    def __repr__(self):
        return str(self)

    def _repr_html_(self):
        import html

        from .result import _html_table

        head, body = self._cells()
        notes = "".join(f"<li><b>{html.escape(r['method'])}</b>: {html.escape(r['note'])}</li>"
                        for r in self.rows if r["note"]) + \
            "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return (f"<p>{html.escape(self.operation)} at x = {html.escape(_fmt_value(self.x))}; "
                f"errors against {html.escape(self.reference)}</p>" + _html_table(head, body)
                + (f"<ul>{notes}</ul>" if notes else ""))

    def __rich__(self):
        from rich.table import Table

        head, body = self._cells()
        table = Table(title=f"{self.operation} at x = {_fmt_value(self.x)}",
                      caption=f"errors against {self.reference}")
        for h in head:
            table.add_column(h, justify="left" if h in ("method", "value") else "right")
        for b in body:
            table.add_row(*b)
        return table


@checked_options
def compare(f, at, *, order: int = 1, methods=None, vectorized=None, executor=None,
            workers=None) -> Comparison:
    """Differentiate f at one point every applicable way, side by side.

    The seeds' fixed-step forward, backward and central differences (h = 1e-4), the
    adaptive default, the complex step, SymPy's exact derivative, JAX and PyTorch
    (where installed, and where f is a formula or written for them). Errors are measured
    against the exact symbolic value when there is one, else against the value on which
    independent methods agree within their error bars; a method that is off is named with
    its likely cause.

    Parameters
    ----------
    f : callable, str, Formula or sympy.Expr
        A formula, or a callable of one number (a derivative) or of a vector (a gradient).
    at : float, array_like or mapping
        The point: a number (a derivative), or one value per variable (a gradient;
        ``{"x": 4, "y": 5}`` for a formula).
    order : int, optional
        Derivative order (a number ``at`` only); the complex step is skipped beyond 1.
    methods : sequence of str, optional
        Names of the rows to run (default all of them: see :data:`_ROWS`).
    vectorized : bool or None, optional
        For the finite-difference rows, as in :func:`derivlab.derivative`. None: True for
        a formula (a numpy function of arrays), else detected (taken as False with an
        executor).
    executor : concurrent.futures.Executor or distributed.Client, optional
        Evaluate f in parallel there for the finite-difference rows (fixed steps, adaptive,
        complex step), as in :func:`derivlab.derivative`; the exact rows (symbolic, jax,
        torch) run here. Their values, errors, estimates, ``nfev``, statuses and notes are
        those of a serial run with the same ``vectorized``, bit for bit (``seconds`` are
        not). A process pool needs a picklable f (defined at module level, or a formula).
        Your executor is not shut down.
    workers : int, optional
        Shortcut for ``executor``: one ``ProcessPoolExecutor(max_workers=workers)`` for
        all the rows, shut down when compare ends (on an error or Ctrl-C too).

    Returns
    -------
    Comparison

    Examples
    --------
    >>> import derivlab
    >>> c = derivlab.compare("3*x*exp(x)", 2.0, methods=["central h=1e-4", "adaptive (default)",
    ...                                                  "symbolic"])
    >>> [r["method"] for r in c.rows], c.reference
    (['central h=1e-4', 'adaptive (default)', 'symbolic'], 'symbolic (exact)')
    >>> c.rows[1]["error"] < 1e-11 < c.rows[0]["error"]
    True
    """
    from . import api
    from .symbolic.adapter import formulas_of

    from . import _validate as V
    from .methods import is_exact

    rows_wanted = _pick(methods)
    formula = formulas_of(f) is not None
    operation, entry, x = _operation(f, at, formula)
    if operation == "gradient" and order != 1:
        raise InputError(f"compare takes order={order} for one variable only; at has "
                         f"{np.size(x)} values (a gradient)")
    vectorized = V.check_bool("vectorized", vectorized, allow_none=True)
    numeric = {"vectorized": vectorized}
    results = []
    with V.evaluation_pool(executor, workers, f) as ex:  # workers=N: one pool for every row
        numeric["executor"] = ex
        for name, kw in rows_wanted:
            if order != 1 and name == "complex step":
                results.append((name, None, 0.0, "first derivatives only"))
                continue
            call = getattr(api, entry)
            kw = dict(kw, **({"order": order} if operation == "derivative" else {}))
            if not is_exact(kw.get("method")):
                kw.update(numeric)
            t0 = time.perf_counter()
            try:
                with np.errstate(all="ignore"):
                    res = call(f, x, **kw)
            except DerivlabError as exc:
                results.append((name, None, 0.0, _first_sentence(str(exc))))
                continue
            results.append((name, res, time.perf_counter() - t0, ""))
    ref, label = _reference(results)
    rows = [_row(name, res, secs, note, ref) for name, res, secs, note in results]
    for r, (name, res, _, _) in zip(rows, results):
        if res is not None and not r["note"]:
            r["note"] = _cause(name, res, r, ref, x)
    shown = at if isinstance(at, dict) else np.asarray(x, dtype=float).tolist()
    return Comparison(rows, label, operation, shown, _general_notes(x))


def _pick(methods):
    if methods is None:
        return list(_ROWS)
    names = dict(_ROWS)
    if isinstance(methods, str):
        methods = [methods]
    unknown = [m for m in methods if m not in names]
    if unknown:
        from ._validate import suggest

        def near(m):  # ('central' -> 'central h=1e-4', 'symblic' -> 'symbolic')
            if not isinstance(m, str):
                return None
            starts = [n for n in names if n.split()[0] == m.lower()]
            return starts[0] if starts else suggest(m.lower(), names)

        hints = {m: near(m) for m in unknown}
        meant = [f"{m!r} -> {n!r}" for m, n in hints.items() if n]
        raise InputError(f"unknown method row(s) {unknown}"
                         + (f" (did you mean {', '.join(meant)}?)" if meant else "")
                         + f"; the rows are {', '.join(repr(n) for n, _ in _ROWS)}")
    return [(m, names[m]) for m in methods]


def _operation(f, at, formula):
    """("derivative" | "gradient", the entry point's name, the point)."""
    if isinstance(at, dict):
        from .symbolic.adapter import as_callable

        kind = "derivative" if len(at) == 1 and formula else "gradient"
        as_callable(f, kind, at)  # a mapping's names must be the formula's (InputError)
        return kind, kind, next(iter(at.values())) if kind == "derivative" else at
    x = np.asarray(at)
    if x.dtype.kind not in "biuf":
        raise InputError(f"at must be a number, an array of numbers or a mapping, got {at!r}")
    if x.ndim == 0:
        return "derivative", "derivative", at
    return "gradient", "gradient", at


def _reference(results):
    """The exact symbolic value; else the adaptive value confirmed by an independent method."""
    by = {name: res for name, res, _, _ in results if res is not None}
    if any(np.any(np.asarray(r.status) == Status.NOT_SMOOTH) for n, r in by.items()
           if n in ("symbolic", "adaptive (default)")):
        return None, "nothing: f has a kink here, no derivative exists"
    sym = by.get("symbolic")
    if sym is not None and sym.success:
        return np.asarray(sym.value, dtype=float), "symbolic (exact)"
    names = [n for n in ("adaptive (default)", "complex step", "jax", "torch")
             if n in by and by[n].success]
    bars = {n: np.nan_to_num(np.asarray(by[n].error, dtype=float), nan=0.0) for n in names}
    names.sort(key=lambda n: (n in ("jax", "torch"), float(np.max(bars[n], initial=0))))
    for n in names:  # the smallest bar that an independent method confirms
        value = np.asarray(by[n].value, dtype=float)
        for other in names:
            o = np.asarray(by[other].value, dtype=float)
            if other != n and np.all(np.abs(o - value) <= bars[n] + bars[other]
                                     + 1e-13 * np.abs(value)):
                return value, f"{n}, confirmed by {other}"
    if names:
        n = names[0]
        return np.asarray(by[n].value, dtype=float), f"{n} (no independent method confirms it)"
    return None, "nothing (no method succeeded)"


def _row(name, res, secs, note, ref):
    if res is None:
        return {"method": name, "value": None, "error": np.nan, "estimate": np.nan, "nfev": 0,
                "seconds": secs, "status": None, "note": note}
    value = np.asarray(res.value, dtype=float)
    err = np.nan if ref is None else float(np.max(np.abs(value - ref))) if value.size else 0.0
    est = np.asarray(res.error, dtype=float)
    estimate = float(np.max(est)) if est.size and not np.all(np.isnan(est)) else np.nan
    status = np.asarray(res.status).reshape(-1)
    worst = min(status, key=int) if status.size else Status.OK
    return {"method": name, "value": value.item() if value.ndim == 0 else value, "error": err,
            "estimate": estimate, "nfev": int(res.nfev), "seconds": secs,
            "status": Status(worst).name, "note": note}


def _cause(name, res, row, ref, x):
    """Why a method is off: its status, or what its error against the reference says."""
    if not res.success:
        status = Status[row["status"]]
        return {Status.NOT_SMOOTH: "kink: f has no derivative here (one-sided slopes differ)",
                Status.NOT_ANALYTIC: "not analytic: the complex step needs an f that accepts "
                                     "complex numbers and is analytic (no abs, conj, comparisons)",
                Status.NOISY: "noise in f: differences stop shrinking with the step",
                Status.ROUNDOFF: "round-off: f's values swamp their differences",
                Status.NONFINITE: "f is NaN/inf or raises at the points needed"}.get(
            status, res.message)
    if ref is None and name in ("jax", "torch"):
        return "autodiff returns a subgradient where no derivative exists"
    if ref is None and name.endswith("h=1e-4"):
        return "a fixed step returns a number even where no derivative exists"
    if ref is None or not np.isfinite(row["error"]):
        return ""
    scale = max(float(np.max(np.abs(ref))), 1e-300)
    est = row["estimate"]
    if np.isfinite(est) and row["error"] <= est * 1.0001 + 4e-16 * scale:
        return ""
    if not np.isfinite(est) and row["error"] <= 1e-12 * scale:
        return ""
    if name.endswith("h=1e-4"):
        rel = row["error"] / scale
        eps = np.finfo(np.float32 if np.asarray(x).dtype == np.float32 else np.float64).eps
        rounding = 2 * eps * float(np.max(np.abs(np.asarray(res.fx, dtype=float)))) / SEEDS_STEP
        if row["error"] <= 10 * rounding:
            return (f"round-off: f's rounding divided by h = 1e-4 (relative error {rel:.1e}); "
                    "a larger step, or the adaptive default, does better")
        kind = "O(h)" if name.split()[0] in ("forward", "backward") else "O(h^2)"
        return (f"fixed step too large: {kind} truncation error at h = 1e-4 loses digits "
                f"(relative error {rel:.1e}); the adaptive default chooses the step")
    if np.asarray(x).dtype == np.float32:
        return "float32 input: values carry float32 round-off (about 1e-7 relative)"
    return (f"off by {row['error']:.1e}, beyond its own estimate {est:.1e}: a kink or "
            "subgradient (autodiff), or round-off in f")


def _general_notes(x):
    if np.asarray(x).dtype == np.float32:
        return ["x is float32: every method works in float32 precision (about 1e-7)"]
    return []


def _first_sentence(text):
    text = text.split("\n")[0]
    for cut in ("; f raised", "; JAX said", "; PyTorch said"):
        text = text.split(cut)[0]
    return text


def _fmt(v):
    return "" if v is None or not np.isfinite(v) else f"{v:.1e}"


def _fmt_value(v):
    if v is None:
        return "n/a"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}={_fmt_value(val)}" for k, val in v.items()) + "}"
    a = np.asarray(v, dtype=float)
    if a.ndim == 0:
        return f"{float(a):.15g}"
    return "[" + ", ".join(f"{t:.15g}" for t in a.reshape(-1)) + "]"
