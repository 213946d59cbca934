"""executor= and workers= through the higher-level entry points (check_grad, gradient_descent,
compare, the CLI's --workers), and a torch/JAX x for check_grad: the same results as serial
runs, bit for bit; one pool per call, shut down after; bad values refused.

Functions sent to a process pool are defined at module level (they pickle by reference)."""

from __future__ import annotations

import json
import math
import multiprocessing
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import derivlab
from derivlab import InputError, InputTypeError


# -- functions for the workers (module level: they pickle) -------------------------------------
def loss(v):
    return float(math.sin(v[0]) * v[1] ** 2 + math.exp(0.5 * v[2]) * v[0])


def loss_grad(v):
    return np.array([math.cos(v[0]) * v[1] ** 2 + math.exp(0.5 * v[2]), 2 * math.sin(v[0]) * v[1],
                     0.5 * math.exp(0.5 * v[2]) * v[0]])


def loss_grad_wrong(v):
    g = loss_grad(v)
    g[1] *= -1
    return g


def loss_named(p):
    return float(np.sum(p["w"] ** 3) + p["b"] * p["w"][0])


def loss_named_grad(p):
    return {"w": 3 * p["w"] ** 2 + np.array([p["b"], 0.0]), "b": p["w"][0]}


def bowl(v):
    return float((v[0] - 1.0) ** 2 + 3.0 * (v[1] + 2.0) ** 2 + 0.1 * math.sin(v[0] * v[1]))


def one(t):
    return math.exp(math.sin(t)) * t


def f_interrupted(v):
    raise KeyboardInterrupt


X3 = np.array([0.3, 1.2, -0.4])
NAMED = {"w": np.array([1.0, -2.0]), "b": 0.5}


@pytest.fixture(scope="module")
def thread_pool():
    with ThreadPoolExecutor(max_workers=2) as pool:
        yield pool


@pytest.fixture(params=["thread", "workers"])
def parallel(request):
    if request.param == "thread":
        return {"executor": request.getfixturevalue("thread_pool")}
    return {"workers": 2}


@pytest.fixture
def no_children_left():
    before = set(multiprocessing.active_children())
    yield
    assert set(multiprocessing.active_children()) - before == set()


def same_arrays(a, b):
    assert np.array_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float), equal_nan=True)


def same_result(a, b):
    for name in ("value", "error", "step", "nfev", "status"):
        same_arrays(np.asarray(getattr(a, name), dtype=float),
                    np.asarray(getattr(b, name), dtype=float))
    assert a.message == b.message


# -- check_grad -------------------------------------------------------------------------------
@pytest.mark.parametrize("f, grad, x", [
    (loss, loss_grad, X3),
    (loss, loss_grad_wrong, X3),
    (loss_named, loss_named_grad, NAMED),
    ("x^2*y + exp(y)", lambda p: {"x": 2 * p["x"] * p["y"], "y": p["x"] ** 2 + math.exp(p["y"])},
     {"x": 1.0, "y": 0.5}),
], ids=["right", "wrong", "named", "formula"])
def test_check_grad_in_parallel_equals_serial(f, grad, x, parallel, no_children_left):
    serial = derivlab.check_grad(f, grad, x)
    par = derivlab.check_grad(f, grad, x, **parallel)
    assert par.to_dict() == serial.to_dict()
    assert str(par) == str(serial) and par.ok == serial.ok
    same_result(par.result, serial.result)


def test_check_grad_makes_one_pool_for_the_check(monkeypatch, no_children_left):
    import concurrent.futures

    made = []
    real = concurrent.futures.ProcessPoolExecutor

    class Counting(real):
        def __init__(self, *a, **kw):
            made.append(self)
            super().__init__(*a, **kw)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Counting)
    assert derivlab.check_grad(loss, loss_grad, X3, workers=2).ok
    assert derivlab.gradient_descent(bowl, [0.0, 0.0], steps=3, workers=2).nit == 3
    derivlab.compare(one, 0.7, methods=["central h=1e-4", "adaptive (default)"], workers=2)
    assert len(made) == 3 and all(p._shutdown_thread for p in made)


def test_check_grad_refuses_bad_executors_before_calling_anything():
    calls = []

    def grad(v):
        calls.append(v)
        return loss_grad(v)

    with pytest.raises(InputError, match="workers must be an integer >= 1"):
        derivlab.check_grad(loss, grad, X3, workers=0)
    with pytest.raises(InputError, match="give executor or workers, not both"):
        derivlab.check_grad(loss, grad, X3, workers=2, executor=ThreadPoolExecutor(1))
    with pytest.raises(InputError, match="executor must be a concurrent.futures.Executor"):
        derivlab.check_grad(loss, grad, X3, executor="pool")
    assert calls == []


def test_check_grad_refuses_a_lambda_for_processes(no_children_left):
    with pytest.raises(InputError, match=r"f cannot be sent to the worker processes of workers=2"):
        derivlab.check_grad(lambda v: loss(v), loss_grad, X3, workers=2)
    ok = derivlab.check_grad(lambda v: loss(v), loss_grad, X3, executor=ThreadPoolExecutor(2))
    assert ok.ok  # a thread pool takes any f


def test_check_grad_interrupted_leaves_no_children(no_children_left):
    with pytest.raises(KeyboardInterrupt):
        derivlab.check_grad(f_interrupted, loss_grad, X3, workers=2)


# -- check_grad with an x of another library --------------------------------------------------
def test_check_grad_with_a_torch_x():
    pytest.importorskip("array_api_compat")
    torch = pytest.importorskip("torch")
    seen = set()

    def f(v):
        seen.add(type(v))
        return torch.sin(v[0]) * v[1] ** 2 + torch.exp(0.5 * v[2]) * v[0]

    def grad(v):
        seen.add(type(v))
        return torch.stack([torch.cos(v[0]) * v[1] ** 2 + torch.exp(0.5 * v[2]),
                            2 * torch.sin(v[0]) * v[1], 0.5 * torch.exp(0.5 * v[2]) * v[0]])

    x = torch.tensor(X3, dtype=torch.float64, requires_grad=True)
    rep = derivlab.check_grad(f, grad, x)
    ref = derivlab.check_grad(loss, loss_grad, X3)
    assert rep.ok and seen == {torch.Tensor} and x.grad is None
    assert type(rep.numeric) is np.ndarray and type(rep.result.value) is np.ndarray
    np.testing.assert_allclose(rep.numeric, ref.numeric, rtol=1e-12)
    bad = derivlab.check_grad(f, lambda v: -grad(v), x)
    assert not bad.ok and "sign flipped" in str(bad)
    # named parameters of torch (a plain number beside them), in a thread pool
    p = {"w": torch.tensor([1.0, -2.0], dtype=torch.float64), "b": 0.5}
    named = derivlab.check_grad(lambda q: torch.sum(q["w"] ** 3) + q["b"] * q["w"][0],
                                lambda q: {"w": 3 * q["w"] ** 2 + torch.stack([q["b"], 0 * q["b"]]),
                                           "b": q["w"][0]}, p, executor=ThreadPoolExecutor(2))
    assert named.ok and named.to_dict() == derivlab.check_grad(loss_named, loss_named_grad,
                                                               NAMED).to_dict()


def test_check_grad_with_a_jax_x():
    pytest.importorskip("array_api_compat")
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    with jax.enable_x64(True):
        x = jnp.asarray(X3)
        rep = derivlab.check_grad(lambda v: jnp.sin(v[0]) * v[1] ** 2 + jnp.exp(0.5 * v[2]) * v[0],
                                  lambda v: jnp.asarray(loss_grad(np.asarray(v))), x)
        assert rep.ok and type(rep.numeric) is np.ndarray


def test_check_grad_refuses_mixed_libraries():
    pytest.importorskip("array_api_compat")
    torch = pytest.importorskip("torch")
    xp = pytest.importorskip("array_api_strict")
    x = {"a": torch.tensor([1.0]), "b": xp.asarray([2.0])}
    with pytest.raises(InputError, match="arrays of different libraries or devices"):
        derivlab.check_grad(lambda p: p["a"][0] * p["b"][0], lambda p: p, x)


# -- gradient_descent -------------------------------------------------------------------------
@pytest.mark.parametrize("f, x0", [(bowl, [0.0, 0.0]), ("(x-1)^2 + 3*(y+2)^2", {"x": 0, "y": 0})],
                         ids=["callable", "formula"])
def test_descent_in_parallel_equals_serial(f, x0, parallel, no_children_left):
    serial = derivlab.gradient_descent(f, x0, steps=25, vectorized=False if callable(f) else None)
    par = derivlab.gradient_descent(f, x0, steps=25, **parallel)
    assert par.to_dict() == serial.to_dict()
    same_arrays(par.path, serial.path)
    assert par.nit == 25 and par.nfev == serial.nfev


def test_descent_pool_shut_down_when_the_callback_raises(no_children_left):
    def callback(k, x, fx, g):
        if k == 2:
            raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        derivlab.gradient_descent(bowl, [0.0, 0.0], steps=10, callback=callback, workers=2)
    with pytest.raises(KeyboardInterrupt):
        derivlab.gradient_descent(f_interrupted, [0.0, 0.0], steps=3, workers=2)


def test_descent_refuses_bad_options(thread_pool, no_children_left):
    with pytest.raises(InputError, match="workers must be an integer >= 1"):
        derivlab.gradient_descent(bowl, [0.0, 0.0], workers=-1)
    with pytest.raises(InputError, match="give executor or workers, not both"):
        derivlab.gradient_descent(bowl, [0.0, 0.0], workers=2, executor=thread_pool)
    with pytest.raises(InputError, match=r"workers= evaluates f .* but grad= gives yours"):
        derivlab.gradient_descent(bowl, [0.0, 0.0], grad=loss_grad, workers=2)
    with pytest.raises(InputError, match=r"executor= .* method='symbolic' is exact"):
        derivlab.gradient_descent("x^2", {"x": 1.0}, method="symbolic", executor=thread_pool)
    with pytest.raises(InputError, match="f cannot be sent to the worker processes"):
        derivlab.gradient_descent(lambda v: bowl(v), [0.0, 0.0], workers=2)
    with pytest.raises(InputTypeError, match="vectorized must be True, False or None"):
        derivlab.gradient_descent(bowl, [0.0, 0.0], vectorized="yes")


# -- compare ----------------------------------------------------------------------------------
NUMERIC_ROWS = ["forward h=1e-4", "backward h=1e-4", "central h=1e-4", "adaptive (default)",
                "complex step"]


def _rows(c):
    return [{k: v for k, v in r.items() if k != "seconds"} for r in c.to_dict()["rows"]]


@pytest.mark.parametrize("f, at", [(one, 0.7), ("3*x*exp(x)", 2.0), (loss, X3)],
                         ids=["callable", "formula", "gradient"])
def test_compare_in_parallel_equals_serial(f, at, parallel, no_children_left):
    serial = derivlab.compare(f, at, methods=NUMERIC_ROWS,
                              vectorized=False if callable(f) else None)
    par = derivlab.compare(f, at, methods=NUMERIC_ROWS, **parallel)
    assert _rows(par) == _rows(serial) and par.reference == serial.reference


def test_compare_exact_rows_run_here(thread_pool):
    pytest.importorskip("sympy")
    c = derivlab.compare("3*x*exp(x)", 2.0, methods=["adaptive (default)", "symbolic"],
                         executor=thread_pool)
    assert c.reference == "symbolic (exact)" and all(r["value"] is not None for r in c.rows)


def test_compare_refuses_bad_options(thread_pool, no_children_left):
    with pytest.raises(InputError, match="workers must be an integer >= 1"):
        derivlab.compare(one, 0.7, workers=2.5)
    with pytest.raises(InputError, match="give executor or workers, not both"):
        derivlab.compare(one, 0.7, workers=2, executor=thread_pool)
    with pytest.raises(InputError, match="f cannot be sent to the worker processes of workers=2"):
        derivlab.compare(lambda t: t * t, 0.7, workers=2)


# -- the CLI ----------------------------------------------------------------------------------
def cli(*args):
    pytest.importorskip("typer")
    from typer.testing import CliRunner

    from derivlab.cli import app

    return CliRunner().invoke(app, list(args))


@pytest.mark.parametrize("args", [
    ["diff", "3*x*exp(x)", "--at", "x=2"],
    ["diff", "sin(x)", "--at", "x=1", "--order", "2", "--trace"],
    ["grad", "sin(x)*exp(y) + x^3*y", "--at", "x=0.7,y=1.3"],
    ["jacobian", "x*y", "sin(x)", "--at", "x=1,y=2"],
    ["hessian", "x^2*y + exp(y)", "--at", "x=1,y=0"],
    ["check", "x^2*y", "-g", "2*x*y", "-g", "x^2", "--at", "x=1,y=2"],
    ["check", "x^2*y", "-g", "2*x", "-g", "x^2", "--at", "x=1,y=2"],
    ["descent", "(x-1)^2 + 3*(y+2)^2", "--at", "x=0,y=0", "--steps", "15"],
    ["compare", "x^2*sin(y)", "--at", "x=1,y=2"],
], ids=["diff", "diff-trace", "grad", "jacobian", "hessian", "check", "check-wrong", "descent",
        "compare"])
def test_cli_workers_gives_the_serial_json(args, no_children_left):
    serial = cli(*args, "--json")
    par = cli(*args, "--json", "--workers", "2")
    assert par.exit_code == serial.exit_code and serial.exit_code in (0, 1)
    a, b = json.loads(par.stdout), json.loads(serial.stdout)
    if args[0] == "compare":  # (its rows carry their wall time)
        a, b = ([{k: v for k, v in r.items() if k != "seconds"} for r in d["rows"]] for d in (a, b))
    assert a == b


@pytest.mark.parametrize("args, message", [
    (["grad", "x*y", "--at", "x=1,y=2", "--workers", "0"], "workers must be an integer >= 1"),
    (["check", "x^2*y", "-g", "2*x*y", "-g", "x^2", "--at", "x=1,y=2", "--workers", "-3"],
     "workers must be an integer >= 1"),
    (["hessian", "x*y", "--at", "x=1,y=2", "--workers", "2", "-m", "symbolic"],
     "method='symbolic' has no workers"),
    (["descent", "x^2", "--at", "x=1", "--workers", "0"], "workers must be an integer >= 1"),
    (["compare", "x^2", "--at", "x=1", "--workers", "-1"], "workers must be an integer >= 1"),
])
def test_cli_bad_workers_exit_2_in_one_line(args, message):
    res = cli(*args)
    assert res.exit_code == 2
    assert res.stderr.strip() == res.stderr.strip().splitlines()[0]
    assert message in res.stderr and "Traceback" not in res.output


def test_cli_workers_not_a_number_is_a_usage_error():
    res = cli("diff", "x^2", "--at", "x=1", "--workers", "two")
    assert res.exit_code == 2 and "Traceback" not in res.output
