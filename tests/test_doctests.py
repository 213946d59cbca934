"""Every example in a docstring of derivlab runs and prints what it says."""

import doctest
import importlib
import pkgutil

import pytest

import derivlab

MODULES = sorted(m.name for m in pkgutil.walk_packages(derivlab.__path__, "derivlab."))


def test_every_module_is_collected():
    assert {"derivlab.api", "derivlab.ops", "derivlab.stencils", "derivlab.result",
            "derivlab.symbolic", "derivlab.symbolic.formulas", "derivlab.symbolic.adapter"} <= set(MODULES)


@pytest.mark.parametrize("name", ["derivlab"] + MODULES)
def test_docstring_examples_run(name):
    if name.startswith("derivlab.autodiff"):  # its examples run JAX and PyTorch (extras)
        pytest.importorskip("jax")
        pytest.importorskip("torch")
    if name == "derivlab.explore":  # its examples draw with plotly (the explore extra)
        pytest.importorskip("plotly")
    if name == "derivlab.plot":  # its examples draw with matplotlib (the plot extra)
        pytest.importorskip("matplotlib")
    module = importlib.import_module(name)
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    failed, attempted = doctest.testmod(module, optionflags=flags, verbose=False, report=True)
    if name in ("derivlab.api", "derivlab.ops", "derivlab.stencils", "derivlab.symbolic.formulas"):
        assert attempted >= 5
    assert failed == 0, f"{failed} docstring example(s) of {name} failed (see the output above)"
