"""The ``derivlab`` command (also ``python -m derivlab``): a thin typer + rich layer.

Formulas are parsed by :func:`derivlab.parse` (never evaluated as Python); points are
``x=1,y=2`` (or ``1,2`` in the formula's variable order; values may be constant formulas
such as ``pi/4``). Input errors print one line and exit 2; a computation that does not
succeed prints its status and exits 1; nothing prints a traceback.
"""

from __future__ import annotations

import functools
import json
import sys
from typing import List, Optional

import numpy as np
import typer

import derivlab
from derivlab._errors import DerivlabError
from derivlab.symbolic.formulas import _natural

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Derivatives you can trust: numeric (adaptive finite differences with "
                       "error bars), symbolic (SymPy) and automatic (JAX, PyTorch).")

_AT = typer.Option(..., "--at", help="The point: x=2, or x=1,y=2 (or 1,2 in variable order).")
_METHOD = typer.Option("central", "--method", "-m",
                       help="central, forward, backward, complex, symbolic, jax or torch.")
_JSON = typer.Option(False, "--json", help="Print machine-readable JSON.")
_TRACE = typer.Option(False, "--trace", help="Show every evaluation of f as a table.")
_STEP = typer.Option(None, "--step", help="A fixed step h (default: chosen adaptively).")
_ACC = typer.Option(None, "--accuracy", help="Order of accuracy of the stencil (even for central).")
_WORKERS = typer.Option(None, "--workers",
                        help="Evaluate f in N worker processes (finite differences; the same "
                             "numbers as without).")


class _Exit(Exception):
    def __init__(self, code):
        self.code = code


def _guarded(fn):
    """Library input errors: one line, exit 2; anything else f raised: one line, exit 1."""
    @functools.wraps(fn)
    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except _Exit as e:
            raise typer.Exit(e.code) from None
        except DerivlabError as e:
            _err(f"error: {_one_line(e)}")
            raise typer.Exit(2) from None
        except (KeyboardInterrupt, typer.Exit):
            raise
        except Exception as e:  # noqa: BLE001 - f itself failed: say so, no traceback
            _err(f"error: {type(e).__name__}: {_one_line(e)}")
            raise typer.Exit(1) from None
    return run


def _one_line(e):
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__


def _console(stderr=False):
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # (not a terminal: wide enough that 16-digit numbers are never cut)
    return Console(stderr=stderr, highlight=False, soft_wrap=True,
                   width=None if stream.isatty() else 160)


def _err(text):
    _console(stderr=True).print(text, markup=False)


# -- points ------------------------------------------------------------------------------------

def _number(text):
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    value = derivlab.parse(text)
    if value.variables:
        raise derivlab.InputError(f"a value in --at must be a number or a constant formula, got "
                                  f"{text!r} (it has the variable(s) {', '.join(value.variables)})")
    return float(value())


def _point(text, variables):
    """``--at`` as a mapping over the formula's variables (or a number for one variable)."""
    parts = [p for p in text.replace(";", ",").split(",") if p.strip()]
    if not parts:
        raise derivlab.InputError("--at is empty: give the point as x=2 or x=1,y=2")
    named = [p for p in parts if "=" in p]
    if named and len(named) != len(parts):
        raise derivlab.InputError(f"--at mixes named and unnamed values: {text!r} (write x=1,y=2)")
    if named:
        out = {}
        for p in parts:
            name, value = (s.strip() for s in p.split("=", 1))
            if name in out:
                raise derivlab.InputError(f"--at gives {name!r} twice: {text!r}")
            out[name] = _number(value)
        missing = [v for v in variables if v not in out]
        extra = [n for n in out if n not in variables]
        if missing or extra:
            what = "; ".join(([f"misses {', '.join(missing)}"] if missing else [])
                             + ([f"has {', '.join(extra)}, not a variable"] if extra else []))
            raise derivlab.InputError(f"--at {what} (the variables: {', '.join(variables) or 'none'})")
        return out
    values = [_number(p) for p in parts]
    if len(values) != len(variables):
        raise derivlab.InputError(f"--at has {len(values)} value(s) for the {len(variables)} "
                                  f"variable(s) ({', '.join(variables) or 'none'}); write them "
                                  f"as {','.join(v + '=...' for v in variables[:3])}")
    return dict(zip(variables, values))


def _formula(text):
    return derivlab.parse(text)


# -- output ------------------------------------------------------------------------------------

def _plain(v):
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    return v


def _status_names(res):
    if isinstance(res.status, derivlab.Status):
        return res.status.name
    return [s.name for s in np.asarray(res.status).reshape(-1)]


def _emit(res, exact, names, as_json, trace, title):
    """Print a result (with the exact value beside it), or its JSON; exit 1 if it failed."""
    if as_json:
        out = {"operation": res.operation, "variables": list(names), "value": _plain(res.value),
               "error": _plain(res.error), "success": res.success, "status": _status_names(res),
               "nfev": res.nfev, "method": res.method, "message": res.message,
               "exact": None if exact is None else _plain(exact)}
        if trace and res.trace is not None:
            out["trace"] = res.trace.as_dicts()
        print(json.dumps(out, default=_plain))
    else:
        con = _console()
        if trace and res.trace is not None:
            con.print(_trace_table(res.trace))
        con.print(_result_table(res, exact, names, title))
        con.print(f"{res.nfev} evaluations ({res.method}): {res.message}", markup=False)
    if not res.success:
        raise _Exit(1)


def _result_table(res, exact, names, title):
    from rich.table import Table

    table = Table(title=title)
    for col in ("", "value", "error estimate", "exact (SymPy)", "true error", "status"):
        table.add_column(col, justify="left" if col in ("", "status") else "right")
    value, err = np.atleast_1d(res.value), np.atleast_1d(res.error)
    ex = None if exact is None else np.atleast_1d(np.asarray(exact, dtype=float))
    status = np.atleast_1d(np.asarray(res.status, dtype=object))
    labels = _labels(res.operation, value.shape, names)
    for k, idx in enumerate(np.ndindex(value.shape)):
        v, e = float(value[idx]), float(err[idx])
        t = None if ex is None else float(ex[idx])
        table.add_row(labels[k], f"{v:.16g}", f"{e:.1e}", "" if t is None else f"{t:.16g}",
                      "" if t is None else f"{abs(v - t):.1e}", status[idx].name)
    return table


def _labels(operation, shape, names):
    """A row label per entry: d/dx, d2/dx dy, d f1/dx ..."""
    if operation == "gradient" and shape == (len(names),):
        return [f"d/d{n}" for n in names]
    if operation == "hessian" and shape == (len(names),) * 2:
        return [f"d2/d{a} d{b}" for a in names for b in names]
    if operation == "jacobian" and len(shape) == 2 and shape[1] == len(names):
        return [f"d f{i}/d{n}" for i in range(shape[0]) for n in names]
    if operation == "jacobian" and shape == (len(names),):
        return [f"d/d{n}" for n in names]
    return [str(i) if len(i) > 1 else (str(i[0]) if shape[0] > 1 else "") for i in np.ndindex(shape)]


def _trace_table(trace):
    from rich.table import Table

    table = Table(title="every evaluation of f")
    cols = ("pt", "element", "level", "step", "x[elem]", "f(x)", "estimate", "error", "checks")
    for c in cols:
        table.add_column(c, justify="left" if c in ("element", "checks") else "right")
    for r in trace:
        table.add_row(str(r.point), str(r.element), str(r.level), f"{r.step:.3g}", _fmt(r.x),
                      _fmt(r.fx), _fmt(r.estimate), _fmt(r.error, 2), "; ".join(r.checks))
    return table


def _fmt(v, digits=16):
    a = np.asarray(v)
    if a.ndim:
        return "[" + ", ".join(_fmt(t, digits) for t in a.reshape(-1)) + "]"
    if np.iscomplexobj(a):
        return f"{complex(a):.{digits}g}"
    return "" if np.isnan(float(a)) else f"{float(a):.{digits}g}"


def _exact(op, f, at, **kw):
    """The symbolic value beside a numeric one (None if SymPy cannot give it)."""
    try:
        res = getattr(derivlab, op)(f, at, method="symbolic", **kw)
    except DerivlabError:
        return None
    return res.value if res.success else None


def _numeric_options(method, step, accuracy, trace, workers=None):
    """The finite-difference options (formulas are evaluated vectorized, with or without
    ``--workers``: the numbers, nfev included, are those of a serial run)."""
    opts = {} if workers is None else {"workers": workers}  # (an exact method refuses it)
    if method in ("symbolic", "jax", "torch"):
        return opts
    opts.update(step=step, trace=trace)
    if accuracy is not None:
        opts["accuracy"] = accuracy
    return opts


# -- commands ----------------------------------------------------------------------------------

@app.command()
@_guarded
def diff(formula: str = typer.Argument(..., help='f of one variable, e.g. "3*x*exp(x)".'),
         at: str = _AT, order: int = typer.Option(1, "--order", "-n", help="Derivative order."),
         method: str = _METHOD, step: Optional[float] = _STEP, accuracy: Optional[int] = _ACC,
         trace: bool = _TRACE, workers: Optional[int] = _WORKERS, as_json: bool = _JSON):
    """The derivative of a formula of one variable at a point.

    Example: derivlab diff "3*x*exp(x)" --at x=2
    """
    f = _formula(formula)
    point = _point(at, f.variables)
    x = next(iter(point.values())) if point else 0.0
    if len(point) > 1:
        raise derivlab.InputError(f"diff needs one variable; {formula!r} has "
                                  f"{', '.join(f.variables)}: use grad")
    res = derivlab.derivative(f, point if f.variables else x, order=order, method=method,
                              **_numeric_options(method, step, accuracy, trace, workers))
    exact = None if method == "symbolic" else _exact("derivative", f, point or x, order=order)
    _emit(res, exact, f.variables, as_json, trace, f"d{'^' + str(order) if order > 1 else ''}/dx "
          f"{f.text} at {at}")


def _multi(op, formulas, at, method, step, accuracy, trace, as_json, workers=None):
    f = [_formula(t) for t in formulas] if len(formulas) > 1 else _formula(formulas[0])
    variables = sorted({v for p in (f if isinstance(f, list) else [f]) for v in p.variables},
                       key=_natural)
    point = _point(at, variables)
    res = getattr(derivlab, op)(f, point, method=method,
                                **_numeric_options(method, step, None if op == "hessian" else accuracy,
                                                   trace, workers))
    exact = None if method == "symbolic" else _exact(op, f, point)
    _emit(res, exact, variables, as_json, trace, f"{op} of {', '.join(formulas)} at {at}")


@app.command()
@_guarded
def grad(formula: str = typer.Argument(..., help='A scalar f, e.g. "2*x + 3*x*y + y^3".'),
         at: str = _AT, method: str = _METHOD, step: Optional[float] = _STEP,
         accuracy: Optional[int] = _ACC, trace: bool = _TRACE,
         workers: Optional[int] = _WORKERS, as_json: bool = _JSON):
    """The gradient of a formula at a point.

    Example: derivlab grad "2*x + 3*x*y + y^3" --at x=1,y=2
    """
    _multi("gradient", [formula], at, method, step, accuracy, trace, as_json, workers)


@app.command()
@_guarded
def jacobian(formulas: List[str] = typer.Argument(..., help='Components, e.g. "x*y" "sin(x)".'),
             at: str = _AT, method: str = _METHOD, step: Optional[float] = _STEP,
             accuracy: Optional[int] = _ACC, trace: bool = _TRACE,
             workers: Optional[int] = _WORKERS, as_json: bool = _JSON):
    """The Jacobian of a vector of formulas (one argument each) at a point.

    Example: derivlab jacobian "x*y" "sin(x)" --at x=1,y=2
    """
    _multi("jacobian", formulas, at, method, step, accuracy, trace, as_json, workers)


@app.command()
@_guarded
def hessian(formula: str = typer.Argument(..., help='A scalar f, e.g. "x^2*y + exp(y)".'),
            at: str = _AT, method: str = _METHOD, step: Optional[float] = _STEP,
            trace: bool = _TRACE, workers: Optional[int] = _WORKERS, as_json: bool = _JSON):
    """The Hessian of a formula at a point.

    Example: derivlab hessian "x^2*y + exp(y)" --at x=1,y=0
    """
    _multi("hessian", [formula], at, method, step, None, trace, as_json, workers)


@app.command()
@_guarded
def compare(formula: str = typer.Argument(..., help='f, e.g. "(x**3 + 4*x)*exp(y)*sin(z)".'),
            at: str = _AT, order: int = typer.Option(1, "--order", "-n"),
            workers: Optional[int] = _WORKERS, as_json: bool = _JSON):
    """Every method side by side (fixed steps, adaptive, complex step, SymPy, JAX, PyTorch).

    Example: derivlab compare "(x**3 + 4*x)*exp(y)*sin(z)" --at x=4,y=5,z=1
    """
    f = _formula(formula)
    point = _point(at, f.variables)
    at_ = next(iter(point.values())) if len(f.variables) == 1 else point
    c = derivlab.compare(f, at_, order=order, workers=workers)
    if as_json:
        print(json.dumps(c.to_dict(), default=_plain))
    else:
        _console().print(c, markup=False)


@app.command()
@_guarded
def check(formula: str = typer.Argument(..., help='A scalar f, e.g. "x^2*y".'),
          grad_: List[str] = typer.Option(..., "--grad", "-g",
                                          help='Your gradient, one formula per variable in '
                                               'order, e.g. -g "2*x*y" -g "x^2".'),
          at: str = _AT, workers: Optional[int] = _WORKERS, as_json: bool = _JSON):
    """Check a hand-derived gradient against derivlab's numeric one: where is it wrong, and why.

    Example: derivlab check "x^2*y" -g "2*x*y" -g "x^2" --at x=1,y=2
    """
    f = _formula(formula)
    point = _point(at, f.variables)
    if len(grad_) != len(f.variables):
        raise derivlab.InputError(f"--grad gives {len(grad_)} formula(s) for the {len(f.variables)} "
                                  f"variable(s) of {formula!r} ({', '.join(f.variables)})")
    names = f.variables
    parts = [derivlab.parse(g, variables=names) for g in grad_]
    def grad(p):  # the user's formulas at the named point
        return {n: float(g(*[p[m] for m in names])) for n, g in zip(names, parts)}

    report = derivlab.check_grad(_ByName(f, names), grad,
                                 {n: np.float64(point[n]) for n in names}, workers=workers)
    if as_json:
        print(json.dumps(report.to_dict(), default=_plain))
    else:
        _console().print(str(report), markup=False)
    if not report.ok:
        raise _Exit(1)


class _ByName:
    """The formula f of the named point ``p`` (a dict), for check_grad; module level: it
    pickles (a formula does), for ``--workers``."""

    def __init__(self, f, names):
        self.f, self.names = f, names

    def __call__(self, p):
        return self.f(*[p[n] for n in self.names])


def _interval(text, name):
    """``a,b`` (numbers or constant formulas) as a pair, or None."""
    if text is None:
        return None
    parts = [p for p in text.split(",") if p.strip()]
    if len(parts) != 2:
        raise derivlab.InputError(f"{name} must be two values a,b (like -2,2), got {text!r}")
    return tuple(_number(p) for p in parts)


def _save(ax, out):
    import matplotlib.pyplot as plt

    if not str(out).lower().endswith((".png", ".svg", ".pdf")):
        raise derivlab.InputError(f"-o must name a .png, .svg or .pdf file, got {out!r}")
    fig = ax.get_figure()
    fig.savefig(out, dpi=100, bbox_inches="tight")
    plt.close(fig)
    _console().print(f"wrote {out}", markup=False)


_KINDS = ("tangent", "surface", "contour", "field", "error-vs-step")


@app.command()
@_guarded
def plot(kind: str = typer.Argument(..., help="tangent, surface, contour, field or error-vs-step."),
         formula: str = typer.Argument(..., help='f, e.g. "3*x*exp(x)" or "x^2 + 3*y^2".'),
         at: Optional[str] = typer.Option(None, "--at", help="The point (tangent, error-vs-step)."),
         xlim: Optional[str] = typer.Option(None, "--xlim", help="The x range a,b."),
         ylim: Optional[str] = typer.Option(None, "--ylim", help="The y range a,b (two variables)."),
         out: str = typer.Option(..., "-o", "--output", help="The picture: a .png, .svg or .pdf."),
         workers: Optional[int] = _WORKERS):
    """Draw f: its tangent, surface, contours, -grad f field, or error against the step.

    Example: derivlab plot tangent "3*x*exp(x)" --at x=1 -o tangent.png
    """
    from derivlab import plot as plots

    if kind not in _KINDS:
        raise derivlab.InputError(f"unknown plot {kind!r}; the plots are {', '.join(_KINDS)}")
    f = _formula(formula)
    if kind in ("tangent", "error-vs-step"):
        if at is None:
            raise derivlab.InputError(f"the {kind} plot needs --at (the point)")
        x = next(iter(_point(at, f.variables).values()), 0.0)
        ax = plots.tangent(f, x, xlim=_interval(xlim, "--xlim"), workers=workers) \
            if kind == "tangent" else plots.error_vs_step(f, x, workers=workers)
    else:
        lims = [_interval(xlim, "--xlim") or (-2.0, 2.0), _interval(ylim, "--ylim") or (-2.0, 2.0)]
        ax = getattr(plots, kind)(f, *lims, workers=workers)
    _save(ax, out)


@app.command()
@_guarded
def descent(formula: str = typer.Argument(..., help='f to minimise, e.g. "(x-1)^2 + 3*(y+2)^2".'),
            at: str = typer.Option(..., "--at", help="The start x0, e.g. x=0,y=0."),
            lr: float = typer.Option(0.1, "--lr", help="Learning rate."),
            steps: int = typer.Option(100, "--steps", help="Most steps."),
            tol: Optional[float] = typer.Option(None, "--tol", help="Stop when |grad f| <= tol."),
            method: str = _METHOD, workers: Optional[int] = _WORKERS, as_json: bool = _JSON,
            out: Optional[str] = typer.Option(None, "-o", "--output",
                                              help="Also draw the path over the contours (2 variables).")):
    """Gradient descent from a start point: x <- x - lr * grad f(x).

    Example: derivlab descent "(x-1)^2 + 3*(y+2)^2" --at x=0,y=0 --tol 1e-8
    """
    f = _formula(formula)
    run = derivlab.gradient_descent(f, _point(at, f.variables), lr=lr, steps=steps, tol=tol,
                                    method=method, workers=workers)
    if as_json:
        print(json.dumps(run.to_dict(), default=_plain))
    else:
        _console().print(str(run), markup=False)
    if out is not None:
        from derivlab import plot as plots

        _save(plots.descent(f, run, workers=workers), out)
    if not run.success:
        raise _Exit(1)


@app.command()
@_guarded
def explore(formula: str = typer.Argument(..., help='f of one variable, e.g. "3*x*exp(x)".'),
            at: str = _AT,
            out: str = typer.Option("explorer.html", "-o", "--output", help="The page to write."),
            workers: Optional[int] = _WORKERS):
    """A page with sliders for x and h: secants becoming the tangent, and the error against h.

    Example: derivlab explore "3*x*exp(x)" --at x=1 -o page.html
    """
    f = _formula(formula)
    x = next(iter(_point(at, f.variables).values()), 0.0)
    if not str(out).lower().endswith((".html", ".htm")):
        raise derivlab.InputError(f"-o must name an .html file, got {out!r}")
    derivlab.explore(f, x, workers=workers).write_html(out)
    _console().print(f"wrote {out}", markup=False)


@app.command()
def tour():
    """The seed notebooks' examples, redone with error estimates."""
    from derivlab._tour import main as run

    run()


def _version(value: bool):
    if value:
        print(f"derivlab {derivlab.__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")):
    """derivlab: derivatives you can trust."""


def main(argv=None):
    """Run the command line (``argv``: the arguments, default ``sys.argv[1:]``)."""
    try:
        app(args=argv, prog_name="derivlab")
    except SystemExit as e:
        return e.code
    return 0


if __name__ == "__main__":
    sys.exit(main())
