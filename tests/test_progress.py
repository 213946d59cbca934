"""Progress bars: on request (or on a terminal, for long work), silent otherwise."""

import numpy as np
import pytest

import derivlab
from derivlab import InputTypeError

pytest.importorskip("rich")


def test_silent_when_not_a_terminal(capsys):
    r = derivlab.gradient(lambda v: np.sum(v**2), np.ones((50, 3)), batch=True)
    assert r.success
    out = capsys.readouterr()
    assert out.err == "" and out.out == ""


def test_bar_on_request_counts_every_component(capsys):
    r = derivlab.gradient(lambda v: np.sum(np.sin(v)), np.ones((20, 2)), batch=True, progress=True)
    err = capsys.readouterr().err
    assert r.success and "derivlab: derivatives" in err and "40/40" in err


def test_descent_bar(capsys):
    run = derivlab.gradient_descent("x^2 + y^2", [1.0, 1.0], steps=5, progress=True)
    err = capsys.readouterr().err
    assert run.nit == 5 and "gradient descent steps" in err and "5/5" in err


def test_progress_false_is_silent_and_bad_values_refused(capsys):
    derivlab.derivative(np.sin, np.linspace(0, 1, 30), progress=False)
    assert capsys.readouterr().err == ""
    with pytest.raises(InputTypeError, match="progress must be True, False or None"):
        derivlab.derivative(np.sin, 1.0, progress="yes")


def test_bar_counts_evaluations_as_they_come(capsys):
    """The bar shows f's evaluations too, and ends at nfev."""
    r = derivlab.gradient(lambda v: float(np.sum(np.sin(v))), np.ones(6), vectorized=False,
                          progress=True)
    err = capsys.readouterr().err
    assert r.success and f"{r.nfev} evaluations of f" in err


@pytest.mark.parametrize("vectorized, pool", [(False, True), (True, True), (False, False)])
def test_evaluator_reports_counts_as_points_come_back(vectorized, pool):
    """Within one call: task by task with an executor, point by point in a serial loop."""
    from concurrent.futures import ThreadPoolExecutor

    from derivlab.evaluate import Evaluator

    seen = []
    with ThreadPoolExecutor(2) as ex:
        ev = Evaluator(lambda v: np.sum(v, axis=-1), (3,), vectorized=vectorized,
                       executor=ex if pool else None)
        ev.single(np.zeros(3))
        ev.on_count = seen.append
        out = ev(np.arange(60.0).reshape(20, 3))
    assert np.array_equal(out, np.arange(60.0).reshape(20, 3).sum(axis=1))
    assert seen == sorted(seen) and seen[-1] == ev.nfev == 21
    assert len(seen) >= (2 if pool else 20)


def test_bar_with_a_process_pool(capsys):
    """The bar stays here: what the workers are sent carries no reference to it."""
    r = derivlab.gradient(np.sum, np.ones(3), workers=2, progress=True)
    err = capsys.readouterr().err
    assert r.success and np.allclose(r.value, 1.0) and f"{r.nfev} evaluations of f" in err
