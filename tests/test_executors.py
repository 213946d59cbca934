"""Evaluation in parallel (``executor=``, ``workers=``): the same Result as serial evaluation,
bit for bit, through a process pool, a thread pool, ``workers=2`` and a Dask cluster.

Functions sent to a process pool are defined at module level (they pickle by reference)."""

from __future__ import annotations

import math
import multiprocessing
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

import derivlab
from derivlab import DerivlabError, InputError

FIELDS = ("value", "error", "step", "nfev", "status")


# -- functions for the workers (module level: they pickle) -------------------------------------
def f_scalar(x):
    """Not vectorizable (math): one call per point."""
    return math.exp(math.sin(x)) * x


def df_scalar(x):
    return math.exp(math.sin(x)) * (1 + x * math.cos(x))


def f_raises(x):
    if x > 1.5:
        raise ValueError(f"no value above 1.5 (x={x:.3f})")
    return math.cos(x) * x


def g_scalar(v):
    return float(math.sin(v[0]) * v[1] ** 2 + math.exp(v[2]) * v[0])


def dg_scalar(v):
    return np.array([math.cos(v[0]) * v[1] ** 2 + math.exp(v[2]), 2 * math.sin(v[0]) * v[1],
                     math.exp(v[2]) * v[0]])


def h_scalar(v):
    c, s = math.cos(v[0]), math.sin(v[0])
    e = math.exp(v[2])
    return np.array([[-s * v[1] ** 2, 2 * c * v[1], e],
                     [2 * c * v[1], 2 * s, 0.0],
                     [e, 0.0, e * v[0]]])


def F_vector(v):
    return np.array([v[0] * v[1], math.sin(v[1]) + v[2] ** 3])


def J_vector(v):
    return np.array([[v[1], v[0], 0.0], [0.0, math.cos(v[1]), 3 * v[2] ** 2]])


def f_batch(x):
    """Vectorized, basic arithmetic only (correctly rounded: no batch-size effects)."""
    return x * x * x - 2.0 * x + 1.0


def f_kills_its_worker(x):
    if x > 0.5:
        os.kill(os.getpid(), signal.SIGKILL)
    return x * x


def f_interrupted(x):
    if x > 0.5:
        raise KeyboardInterrupt
    return x * x


X1 = np.linspace(0.1, 2.0, 25)
X3 = np.array([0.3, 1.2, -0.4])
V3 = np.array([1.0, -2.0, 0.5])

#: name -> (call(f options), exact value or None, function used)
OPERATIONS = {
    "derivative": lambda **kw: derivlab.derivative(f_scalar, X1, **kw),
    "gradient": lambda **kw: derivlab.gradient(g_scalar, X3, **kw),
    "jacobian": lambda **kw: derivlab.jacobian(F_vector, X3, **kw),
    "hessian": lambda **kw: derivlab.hessian(g_scalar, X3, **kw),
    "jvp": lambda **kw: derivlab.jvp(F_vector, X3, V3, **kw),
    "hvp": lambda **kw: derivlab.hvp(g_scalar, X3, V3, **kw),
}
EXACT = {
    "derivative": lambda: np.array([df_scalar(x) for x in X1]),
    "gradient": lambda: dg_scalar(X3),
    "jacobian": lambda: J_vector(X3),
    "hessian": lambda: h_scalar(X3),
    "jvp": lambda: J_vector(X3) @ V3,
    "hvp": lambda: h_scalar(X3) @ V3,
}


# -- executors -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def process_pool():
    with ProcessPoolExecutor(max_workers=2) as pool:
        yield pool


@pytest.fixture(scope="module")
def thread_pool():
    with ThreadPoolExecutor(max_workers=2) as pool:
        yield pool


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")
    import cloudpickle

    # the workers are new processes: send this module's functions by value
    module = sys.modules[__name__]
    cloudpickle.register_pickle_by_value(module)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()
        cloudpickle.unregister_pickle_by_value(module)


@pytest.fixture(params=["process", "thread", "workers", "dask"])
def parallel(request):
    """The options of one way to evaluate in parallel."""
    if request.param == "process":
        return {"executor": request.getfixturevalue("process_pool")}
    if request.param == "thread":
        return {"executor": request.getfixturevalue("thread_pool")}
    if request.param == "workers":
        return {"workers": 2}
    return {"executor": request.getfixturevalue("dask_client")}


def assert_same(a, b):
    for name in FIELDS:
        x = np.asarray(getattr(a, name), dtype=float)
        y = np.asarray(getattr(b, name), dtype=float)
        assert np.array_equal(x, y, equal_nan=True), name
    assert a.message == b.message
    assert a.ncalls == b.ncalls


# -- the same results ------------------------------------------------------------------------
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_parallel_equals_serial_and_is_right(operation, parallel):
    serial = OPERATIONS[operation](vectorized=False)
    par = OPERATIONS[operation](**parallel)  # vectorized=None: one call per point, no probe
    assert_same(serial, par)
    assert par.success, par.message
    np.testing.assert_allclose(par.value, EXACT[operation](), rtol=1e-8, atol=1e-9)


def test_vectorized_batches_equal_serial(parallel):
    serial = derivlab.derivative(f_batch, X1, vectorized=True)
    par = derivlab.derivative(f_batch, X1, vectorized=True, **parallel)
    for name in FIELDS:
        assert np.array_equal(getattr(serial, name), getattr(par, name)), name
    np.testing.assert_allclose(par.value, 3 * X1**2 - 2, rtol=1e-10)
    assert par.ncalls > serial.ncalls  # one batch per task, not one per level


def test_f_raising_at_some_points_is_reported_as_serially(parallel):
    serial = derivlab.derivative(f_raises, X1, vectorized=False)
    par = derivlab.derivative(f_raises, X1, **parallel)
    assert_same(serial, par)
    assert not par.success and np.isnan(par.value[-1]) and np.isfinite(par.value[0])
    assert "f raised ValueError: no value above 1.5" in par.message


def test_f_failing_at_x_is_reported_as_serially(parallel):
    serial = derivlab.derivative(f_raises, [1.6, 1.7], vectorized=False)
    par = derivlab.derivative(f_raises, [1.6, 1.7], **parallel)
    assert_same(serial, par)
    assert par.message.startswith("f could not be evaluated at x: ValueError: no value above")


def test_progress_bar_with_an_executor(capsys, thread_pool):
    pytest.importorskip("rich")
    r = derivlab.gradient(g_scalar, np.tile(X3, (4, 1)), batch=True, progress=True,
                          executor=thread_pool)
    err = capsys.readouterr().err
    assert r.success and "derivlab: derivatives" in err and "12/12" in err


# -- what each kind of executor accepts ------------------------------------------------------
def test_unpicklable_f_refused_for_processes_with_advice(process_pool):
    advice = "define f at module level (lambdas and closures cannot be sent to processes)"
    calls = []

    def closure(x):
        calls.append(x)
        return x * x

    with pytest.raises(InputError, match=r"f cannot be sent to the worker processes of "
                                         r"workers=2: pickling it failed") as info:
        derivlab.derivative(lambda x: x * x, 1.0, workers=2)
    assert advice in str(info.value) and "ThreadPoolExecutor" in str(info.value)
    with pytest.raises(InputError, match="executor=ProcessPoolExecutor"):
        derivlab.gradient(closure, [1.0, 2.0], executor=process_pool)
    with pytest.raises(InputError, match="args cannot be sent"):
        derivlab.derivative(np.sin, 1.0, args=(lambda: 0,), workers=2)
    assert calls == []


def test_lambdas_run_in_threads_and_on_dask(thread_pool, dask_client):
    for ex in (thread_pool, dask_client):
        r = derivlab.gradient(lambda v: v[0] ** 2 * v[1], [1.0, 3.0], executor=ex)
        np.testing.assert_allclose(r.value, [6.0, 1.0], rtol=1e-10)


def test_formulas_run_in_processes():
    r = derivlab.gradient("x^2*y", [1.0, 3.0], workers=2)
    np.testing.assert_allclose(r.value, [6.0, 1.0], rtol=1e-10)


def test_executor_and_workers_together_refused(thread_pool):
    with pytest.raises(InputError, match="give executor or workers, not both"):
        derivlab.derivative(f_scalar, 1.0, executor=thread_pool, workers=2)


@pytest.mark.parametrize("workers", [0, -1, 2.5, "2", True])
def test_bad_workers_refused(workers):
    with pytest.raises(InputError, match=r"workers must be an integer >= 1 \(the number of "
                                         rf"worker processes\), got {workers!r}"):
        derivlab.gradient(g_scalar, X3, workers=workers)


@pytest.mark.parametrize("executor", ["pool", 4])
def test_bad_executor_refused(executor):
    with pytest.raises(InputError, match="executor must be a concurrent.futures.Executor"):
        derivlab.derivative(f_scalar, 1.0, executor=executor)
    with pytest.raises(InputError, match=r"executor must be an executor, not the class "
                                         r"ProcessPoolExecutor \(for example Process"):
        derivlab.derivative(f_scalar, 1.0, executor=ProcessPoolExecutor)


def test_users_executor_still_usable(process_pool, thread_pool):
    for ex in (process_pool, thread_pool):
        derivlab.derivative(f_scalar, 1.0, executor=ex)
        assert ex.submit(pow, 2, 10).result() == 1024


def test_no_child_processes_left_after_workers():
    before = set(multiprocessing.active_children())
    derivlab.hessian(g_scalar, X3, workers=2)
    with pytest.raises(InputError):  # refused after the pool was made: it is shut down too
        derivlab.derivative(lambda x: x, 1.0, workers=2)
    assert set(multiprocessing.active_children()) - before == set()


def test_interrupt_shuts_the_pool_down():
    before = set(multiprocessing.active_children())
    with pytest.raises(KeyboardInterrupt):
        derivlab.derivative(f_interrupted, X1, workers=2)
    assert set(multiprocessing.active_children()) - before == set()


def test_broken_pool_is_an_error_not_a_hang():
    with ProcessPoolExecutor(max_workers=2) as pool:
        with pytest.raises(DerivlabError, match=r"the executor \(ProcessPoolExecutor\) broke "
                                                r"while evaluating f: a worker process died"):
            derivlab.derivative(f_kills_its_worker, X1, executor=pool)
    before = set(multiprocessing.active_children())
    with pytest.raises(DerivlabError, match="broke while evaluating f"):
        derivlab.derivative(f_kills_its_worker, X1, workers=2)
    assert set(multiprocessing.active_children()) - before == set()


def test_shut_down_executor_is_an_error():
    pool = ThreadPoolExecutor(1)
    pool.shutdown()
    with pytest.raises(DerivlabError, match=r"evaluating f with the executor \(ThreadPoolExecutor"
                                            r"\) failed: RuntimeError: cannot schedule"):
        derivlab.derivative(f_scalar, 1.0, executor=pool)


@pytest.mark.parametrize("options", [{"workers": 2}, {"executor": "thread"}])
def test_exact_methods_refuse_executors(options, thread_pool):
    pytest.importorskip("sympy")
    if options.get("executor") == "thread":
        options = {"executor": thread_pool}
    name = next(iter(options))
    with pytest.raises(InputError, match=rf"{name}=.* applies to finite differences; "
                                         rf"method='symbolic' has no {name}"):
        derivlab.gradient("x^2*y", [1.0, 2.0], method="symbolic", **options)
    with pytest.raises(InputError, match=rf"method='symbolic' has no {name}"):
        derivlab.hvp("x^2*y", [1.0, 2.0], [1.0, 0.0], method="symbolic", **options)
