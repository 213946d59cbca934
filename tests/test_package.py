"""The package as people get it: the API reference builds (``mkdocs build --strict``), and
``python -m build`` makes a wheel and an sdist that install into a fresh virtual
environment, where ``import derivlab`` needs numpy only.

Everything runs on copies in temporary folders: the working tree is left as it was. The
build and the installs use pip's configured index (no network is needed where it is local).
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "derivlab"
OPTIONAL = ("sympy", "jax", "torch", "matplotlib", "plotly", "typer", "rich", "scipy")


def _run(cmd, *, cwd=None, env=None, timeout=300):
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, f"{cmd} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def _clean_env(**extra):
    """The environment without this checkout on the path: the venv must find its own derivlab."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(extra)
    return env


# -- documentation -----------------------------------------------------------------------------

def test_docs_build_strict(tmp_path):
    missing = [m for m in ("mkdocs", "mkdocstrings", "mkdocstrings_handlers", "pymdownx")
               if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"the docs extra is not installed (missing {', '.join(missing)}): "
                    "pip install -e '.[docs]'")
    site = tmp_path / "site"
    proc = _run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", ROOT / "mkdocs.yml",
                 "-d", site], cwd=tmp_path, env=_clean_env())
    assert "WARNING" not in proc.stderr + proc.stdout
    pages = {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8")
             for p in site.rglob("index.html")}
    for page in ("api/derivatives/index.html", "api/products/index.html", "api/results/index.html",
                 "api/stencils/index.html", "api/formulas/index.html", "api/compare/index.html",
                 "api/check/index.html", "api/optimize/index.html", "api/plot/index.html",
                 "api/explore/index.html", "cli/index.html"):
        assert page in pages, page
    # the home page is the README, its pictures found
    assert "Quick start" in pages["index.html"] and 'src="img/tangent.png"' in pages["index.html"]
    # every public name has its entry, rendered from its numpydoc docstring
    import derivlab

    html = "".join(pages.values())
    anchors = set(re.findall(r'id="(derivlab\.[\w.]+)"', html))
    undocumented = [n for n in derivlab.__all__ if not any(a.endswith("." + n) for a in anchors)]
    assert not undocumented, undocumented
    assert "Parameters:" in pages["api/derivatives/index.html"]
    # Sphinx roles became links (or plain code), never raw text or escaped markup
    for raw in (":func:`", ":class:`", ":attr:`", ":data:`", ":mod:`", "&lt;autoref", "<autoref"):
        assert raw not in html, raw
    assert 'href="../formulas/#derivlab.symbolic.formulas.Formula"' in pages["api/derivatives/index.html"]
    # the #: comments of Status's members are their docs
    assert "one-sided slopes disagree" in pages["api/results/index.html"]
    # the CLI page states the exit codes
    assert "Exit codes" in pages["cli/index.html"]


# -- wheel and sdist ---------------------------------------------------------------------------

def _source_files():
    """The files of this checkout git would commit (tracked, plus new ones not ignored)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout (or no git): cannot tell the project's files from build output")
    out = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others",
                          "--exclude-standard"], capture_output=True, text=True, check=True).stdout
    return [f for f in out.split("\0") if f and (ROOT / f).is_file()]


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    if importlib.util.find_spec("build") is None:
        pytest.skip("the 'build' package is not installed (pip install build)")
    work = tmp_path_factory.mktemp("package")
    copy = work / "derivlab"
    for name in _source_files():
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    out = work / "dist"
    _run([sys.executable, "-m", "build", "--outdir", out, copy], env=_clean_env())
    wheels, sdists = sorted(out.glob("*.whl")), sorted(out.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, sorted(out.iterdir())
    return wheels[0], sdists[0]


def test_wheel_contents(dists):
    wheel, _ = dists
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = z.read(meta).decode()
    assert "derivlab/py.typed" in names
    # every module and subpackage of the source tree, and nothing from tests or docs
    modules = {p.relative_to(SRC.parent).as_posix() for p in SRC.rglob("*.py")}
    assert modules <= names, sorted(modules - names)
    packages = {p.parent.relative_to(SRC.parent).as_posix() for p in SRC.rglob("__init__.py")}
    assert {"derivlab", "derivlab/autodiff", "derivlab/symbolic"} <= packages
    assert not any(n.startswith(("tests/", "docs/", "benchmarks/")) for n in names)
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert "License-Expression: MIT" in metadata
    assert "Requires-Dist: numpy" in metadata


def test_sdist_contents(dists):
    _, sdist = dists
    with tarfile.open(sdist) as t:
        names = {n.split("/", 1)[1] for n in t.getnames() if "/" in n}
    for name in ("README.md", "LICENSE", "pyproject.toml", "src/derivlab/py.typed",
                 "src/derivlab/__init__.py", "src/derivlab/autodiff/__init__.py",
                 "src/derivlab/symbolic/__init__.py"):
        assert name in names, name


# -- installed into a fresh virtual environment ------------------------------------------------

@pytest.fixture(scope="module")
def venv(dists, tmp_path_factory):
    if importlib.util.find_spec("venv") is None or importlib.util.find_spec("pip") is None:
        pytest.skip("this Python has no venv or pip to make a fresh environment")
    home = tmp_path_factory.mktemp("venv") / "env"
    # no --system-site-packages: only what is installed here; this interpreter's pip installs
    # into it (pip --python), which is quicker than bootstrapping a pip inside it
    _run([sys.executable, "-m", "venv", "--without-pip", home])
    bindir = home / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    _pip_install(python, dists[0])
    return python, bindir


def _pip_install(python, requirement):
    # --no-compile: no .pyc for all of SymPy (a test imports a small part of it once)
    _run([sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-compile",
          requirement], env=_clean_env())


_PROBE = """
import json, sys
import numpy as np
import derivlab
res = derivlab.derivative(np.sin, 1.0)
print(json.dumps({"file": derivlab.__file__, "version": derivlab.__version__,
                  "value": float(res.value), "success": bool(res.success),
                  "loaded": sorted(m for m in OPTIONAL if m in sys.modules)}))
"""
_IMPORT_ONLY = """
import json, sys
import derivlab
print(json.dumps(sorted(m.split(".")[0] for m in sys.modules)))
"""


def _probe(python, cwd):
    env = _clean_env()
    only = json.loads(_run([python, "-c", _IMPORT_ONLY], cwd=cwd, env=env).stdout)
    probe = _PROBE.replace("OPTIONAL", repr(OPTIONAL))
    out = json.loads(_run([python, "-c", probe], cwd=cwd, env=env).stdout)
    return set(only), out


def test_installed_wheel_imports_with_numpy_only(venv, tmp_path):
    python, _ = venv
    loaded, out = _probe(python, tmp_path)
    assert Path(out["file"]).resolve().is_relative_to(python.parent.parent.resolve()), out["file"]
    assert "numpy" in loaded
    assert not loaded & set(OPTIONAL), sorted(loaded & set(OPTIONAL))
    assert out["success"] and math.isclose(out["value"], math.cos(1.0), rel_tol=1e-12)
    assert out["loaded"] == []  # a numeric derivative of a callable loads no backend either


def test_installed_cli_extra(venv, dists, tmp_path):
    python, bindir = venv
    _pip_install(python, f"{dists[0]}[cli]")
    # the extra's packages are there now, and still not imported by `import derivlab`
    loaded, out = _probe(python, tmp_path)
    assert not loaded & set(OPTIONAL), sorted(loaded & set(OPTIONAL))
    exe = bindir / ("derivlab.exe" if os.name == "nt" else "derivlab")
    assert _run([exe, "--version"], cwd=tmp_path, env=_clean_env()).stdout.strip() \
        == f"derivlab {out['version']}"
    res = json.loads(_run([exe, "diff", "3*x*exp(x)", "--at", "x=2", "--json"], cwd=tmp_path,
                          env=_clean_env()).stdout)
    assert res["success"] and math.isclose(res["value"], 9 * math.exp(2), rel_tol=1e-10)
    assert math.isclose(res["exact"], 9 * math.exp(2), rel_tol=1e-15)
