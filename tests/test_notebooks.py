"""The example notebooks in examples/ run from top to bottom, and their numbers are right.

Each notebook ends with a cell of plain ``assert`` statements on the numbers it computed
(derivlab's value within its error bar of the exact value, the seeds' fixed step outside it,
...), so a notebook that runs but shows wrong numbers fails here.

The kernel is this interpreter (``sys.executable``), started from a kernel spec written to a
temporary directory, with ``PYTHONPATH`` pointing at this checkout's ``src`` (so the notebooks
import the derivlab under test, wherever the repository lies) and ``MPLBACKEND=Agg``; the
notebooks' ``%matplotlib inline`` still puts their pictures in the outputs. Each notebook runs
in its own temporary working directory (files it saves land there), two at a time. Nothing is
registered globally.

Needs nbclient, nbformat and ipykernel (skipped without them).
"""

import asyncio
import importlib.util
import json
import os
import re
import sys
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("jupyter_client")

from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402
from jupyter_client.manager import AsyncKernelManager  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
EXAMPLES = ROOT / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))
KERNEL = "derivlab-examples-test"
CELL_TIMEOUT = 60  # seconds per cell
PARALLEL = 2  # notebooks executed at a time

#: Optional libraries a notebook may use: it is skipped when its code names a missing one.
OPTIONAL = ("sympy", "matplotlib", "torch", "jax")

#: Appended to each notebook before it runs (never saved): which derivlab the kernel imported.
PROBE = "import derivlab as _d, pathlib as _p\nprint('DERIVLAB_FILE=' + str(_p.Path(_d.__file__).resolve()))"


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 6, f"expected the example notebooks in {EXAMPLES}"
    assert (EXAMPLES / "README.md").is_file()
    listed = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        assert path.name in listed, f"examples/README.md does not list {path.name}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_without_outputs(path):
    """The repository keeps notebooks small: no outputs, no execution counts."""
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, \
                f"{path.name}: cell {i} has outputs; clear them before committing"


def _missing(path):
    """The optional libraries that the notebook's code names and this interpreter lacks."""
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    return [m for m in OPTIONAL
            if re.search(rf"\b{m}\b", code) and importlib.util.find_spec(m) is None]


def _kernel_specs(root):
    """A kernel spec directory with one kernel: this interpreter, importing this checkout."""
    spec_dir = root / KERNEL
    spec_dir.mkdir(parents=True)
    pythonpath = os.pathsep.join([str(SRC)] + [p for p in [os.environ.get("PYTHONPATH")] if p])
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "derivlab examples (test)",
        "language": "python",
        "env": {"PYTHONPATH": pythonpath, "MPLBACKEND": "Agg"},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return KernelSpecManager(kernel_dirs=[str(root)])


async def _execute(path, specs, cwd, slots):
    """Run one notebook (with the probe cell appended) in a fresh kernel; the executed
    notebook, or the exception that stopped it."""
    async with slots:
        nb = nbformat.read(path, as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell(PROBE))
        km = AsyncKernelManager(kernel_name=KERNEL, kernel_spec_manager=specs)
        client = nbclient.NotebookClient(nb, km=km, timeout=CELL_TIMEOUT, allow_errors=False,
                                         resources={"metadata": {"path": str(cwd)}})
        start = time.perf_counter()
        try:
            await client.async_execute()  # CellExecutionError (cell + traceback) on any error
        except Exception as exc:  # reported by the notebook's own test
            return exc, time.perf_counter() - start
        finally:
            if km.has_kernel:  # a kernel manager passed in is not shut down by nbclient
                await km.shutdown_kernel(now=True)
        return nb, time.perf_counter() - start


@pytest.fixture(scope="module")
def executed(request, tmp_path_factory):
    """The notebooks whose test is selected, executed PARALLEL at a time (kernel start-up and
    imports dominate, and overlap well), each in its own kernel and working directory."""
    wanted = [p for p in NOTEBOOKS if any(
        getattr(item, "originalname", None) == "test_notebook_runs_and_its_checks_pass"
        and item.callspec.params.get("path") == p for item in request.session.items)
        and not _missing(p)]
    specs = _kernel_specs(tmp_path_factory.mktemp("kernels"))

    async def run_all():
        slots = asyncio.Semaphore(PARALLEL)
        return await asyncio.gather(*(_execute(p, specs, tmp_path_factory.mktemp(p.stem), slots)
                                      for p in wanted))

    return dict(zip(wanted, asyncio.run(run_all())))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_and_its_checks_pass(path, executed):
    source = nbformat.read(path, as_version=4)
    code = [c for c in source.cells if c.cell_type == "code"]
    assert code and "assert" in code[-1].source, \
        f"{path.name}: the last code cell must check the notebook's numbers with assert"
    if _missing(path):
        pytest.skip(f"{path.name} needs {', '.join(_missing(path))}")
    nb, seconds = executed[path]
    if isinstance(nb, BaseException):
        raise nb
    print(f"{path.name}: {seconds:.1f} s")

    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    assert f"DERIVLAB_FILE={(SRC / 'derivlab' / '__init__.py').resolve()}" in text, \
        f"the kernel imported another derivlab: {text!r}"
    checks = "".join(o.get("text", "") for o in nb.cells[-2].outputs if o.output_type == "stream")
    assert "all checks passed" in checks
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
    images = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code"
                 for o in c.outputs)
    if any("plot." in c.source or "plt." in c.source for c in code):
        assert images > 0, f"{path.name} draws pictures, but none came out inline"
