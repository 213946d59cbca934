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
