"""Mutation testing of our own: does the test suite notice when the engine is subtly wrong?

Each mutant is (name, file under src/derivlab, exact source snippet, replacement,
description). For each one the script copies ``src/`` to a temporary directory,
replaces the snippet (which must occur exactly once: a snippet that no longer
matches the code is reported as ``stale``, never silently skipped), and runs

    python -m pytest -x -q -p no:cacheprovider tests

from the repository root with ``PYTHONPATH`` pointing at the mutated copy, two
mutants at a time, each under a timeout. A mutant is ``caught`` when pytest fails
(or the run times out, shown as ``caught (timeout)``), ``survived`` when the whole
suite passes. Before the mutants, the script checks that the tests really import
derivlab from the copy (``python -c "import derivlab"`` must name the temp
directory) and that the unmutated copy passes; the ``canary`` mutant breaks the
import and must be caught.

Usage (from the repository root, with the test dependencies installed)::

    python benchmarks/mutants.py                 # every mutant, then the score
    python benchmarks/mutants.py --list          # names and descriptions only
    python benchmarks/mutants.py --only NAME     # one mutant (repeatable; comma lists too)
    python benchmarks/mutants.py --jobs 2 --timeout 300 --show-failure
    python benchmarks/mutants.py --deselect tests/test_x.py::test_known_bug   # a test that
                                 # fails on the unmutated code (a bug not fixed yet)

``--show-failure`` prints the first failing test of each caught mutant. The exit
status is 0 when every mutant is caught and none is stale, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = "derivlab"


@dataclass(frozen=True)
class Mutant:
    name: str
    file: str          # relative to src/derivlab
    snippet: str       # must occur exactly once
    replacement: str
    description: str


M = Mutant
MUTANTS = [
    # -- sanity: the tests must import derivlab from the mutated copy ---------------------
    M("canary", "__init__.py", '__version__ = "0.1.0"', 'raise ImportError("mutant canary")',
      "import derivlab fails (checks that tests use the mutated copy)"),

    # -- from the reviewer's report -----------------------------------------------------------
    M("mixed-one-sided-weight", "engine.py",
      'return cls(coef, np.outer(w, w).reshape(-1), 2,',
      'return cls(coef, np.outer(w, w).reshape(-1) * (1 + 1e-6), 2,',
      "one-sided mixed Hessian weights scaled by 1 + 1e-6"),
    M("mixed-symmetric-half", "engine.py",
      "terms[point] = terms.get(point, 0.0) + weight / 2",
      "terms[point] = terms.get(point, 0.0) + weight / 2.000001",
      "symmetric mixed Hessian: (D_diag - D_x - D_y) / 2.000001"),
    M("kink-see-strict", "detect.py", "KINK_SEE = 10.0 ", "KINK_SEE = 100.0",
      "a fallen jump detector clears the verdict only 100x above round-off (as calling one)"),
    M("slopes-without-x", "tableau.py", "        if not t.uses_centre:\n            # x among the points",
      "        if False:\n            # x among the points",
      "_noise: the slopes at x itself left out of the eps |x f'| bound (near an extremum)"),
    M("noise-slope-sign", "tableau.py",
      "noise += NOISE_ULPS * st.eps * (xi", "noise -= NOISE_ULPS * st.eps * (xi",
      "_noise: the eps*|x f'| round-off term subtracted"),
    M("nrow-sign", "tableau.py",
      "(rho * nrow[sel, k - 1] + nprev[sel, k - 1])", "(rho * nrow[sel, k - 1] - nprev[sel, k - 1])",
      "_extrapolate: round-off of the previous row subtracted"),
    M("one-sided-safety", "tableau.py", "ONE_SIDED_SAFETY = 3.0", "ONE_SIDED_SAFETY = 1.0",
      "one-sided truncation estimates not widened"),
    M("kink-threshold", "detect.py", "big = hist[:, 2] > KINK_ABOVE * nQ",
      "big = hist[:, 2] > 1e4 * KINK_ABOVE * nQ", "kink threshold raised 10^4-fold"),
    M("probe-accepts-all", "evaluate.py",
      "good = res.shape == out.shape and all(_agree(res[i], out[i]) for i in check)",
      "good = res.shape == out.shape",
      "vectorization probe accepts any batch of the right shape"),
    M("truncation-halved", "tableau.py", "tr = safety * np.maximum(", "tr = 0.5 * safety * np.maximum(",
      "truncation estimate halved"),
    M("rtol-no-early-stop", "tableau.py", "if st.rtol is not None and not sided:  # met",
      "if False:  # met", "_stop: rtol never stops a ladder early"),
    M("rtol-ignored-in-acceptance", "tableau.py",
      "return base if user is None else np.maximum(base, user)", "return base",
      "_rtol: the user's rtol ignored when accepting"),
    M("error-div-3", "engine.py", "err = np.where(finite, st.err, np.nan)",
      "err = np.where(finite, st.err / 3, np.nan)", "_finish: every error estimate divided by 3"),

    # -- engine.py ------------------------------------------------------------------------
    M("min-rows-2", "tableau.py", "MIN_ROWS = 3 ", "MIN_ROWS = 2 ",
      "a value trusted after two levels"),
    M("jump-1", "steps.py", "JUMP = 3\n", "JUMP = 1\n", "never divide the step by 8"),
    M("jump-change-1", "steps.py", "JUMP_CHANGE = 0.1\n", "JUMP_CHANGE = 1.0\n",
      "jump only when estimates change by 100%"),
    M("noise-ulps-1", "detect.py", "NOISE_ULPS = 4.0 ", "NOISE_ULPS = 1.0 ",
      "f's rounding assumed 1 ulp"),
    M("kmax-2", "tableau.py", "KMAX = 5 ", "KMAX = 2 ", "Richardson tableau only 2 columns deep"),
    M("rho-exponent", "tableau.py", "rho = ((hist[:, k - 1] / h) ** p)",
      "rho = ((hist[:, k - 1] / h) ** (p + 1))", "Neville extrapolation ratio off by one power of h"),
    M("ladder-step-2", "engine.py", "g.e += g.active",
      "g.e += 2 * g.active", "ladder quarters the step instead of halving"),
    M("accept-zero-flip", "tableau.py", "near = (mag <= err) | (err <= np.sqrt(base) * np.abs(value))",
      "near = (mag >= err) | (err <= np.sqrt(base) * np.abs(value))",
      "_accepted: zero rule's comparison flipped"),
    M("accept-trunc0-or", "tableau.py", "((trunc == 0) & (err <= fscale))",
      "((trunc == 0) | (err <= fscale))", "_accepted: exact-agreement rule uses or"),
    M("accept-small-flip", "tableau.py", "small = (err <= rtol * np.abs(value)) | (err <= base * mag)",
      "small = (err <= rtol * np.abs(value) * 1e6) | (err <= base * mag * 1e6)",
      "_accepted: relative tolerance 1e6 looser"),
    M("contradiction-noise", "tableau.py", ' & (spread > 10 * best["noise"])', "",
      "_keep_best: a contradiction may be pure round-off"),
    M("stall-1", "tableau.py", "grown = (g.stall[idx] >= 2) & (accept | raw)",
      "grown = (g.stall[idx] >= 1) & (accept | raw)",
      "_stop: one level of growing error stops"),
    M("stop-trunc-10-noise", "tableau.py", "fin = ((st.trunc[ids] <= st.noise[ids])",
      "fin = ((st.trunc[ids] <= 100 * st.noise[ids])",
      "_stop: stop while truncation is still 100x round-off"),
    M("fallback-sides-swapped", "engine.py",
      '(("forward", plus & ~minus), ("backward", minus & ~plus))',
      '(("forward", minus & ~plus), ("backward", plus & ~minus))',
      "_fallback: one-sided stencil goes towards the bad side"),
    M("below-x-off-by-one", "tableau.py", "levels_below(unit / np.where(x > 0, x, 1.0), st.ratio) + 1",
      "levels_below(unit / np.where(x > 0, x, 1.0), st.ratio) - 1",
      "_below_x: ladder exponent 2 levels short"),
    M("roundoff-status", "engine.py", "(st.noise >= 0.5 * st.err)", "(st.noise >= 5 * st.err)",
      "_finish: ROUNDOFF rarely reported"),
    M("kink-enough", "detect.py",
      "steady = rise[:, 1] & ((rise[:, 0] | np.isnan(hist[:, 0])) if strict else rise[:, 0])",
      "steady = rise[:, 1] & (rise[:, 0] | (np.isnan(hist[:, 0]) & strict)) "
      "& (g.nrows[idx] >= 6)",
      "kink detector waits 6 levels"),
    M("noise-no-tiny", "tableau.py", "+ st.tiny * ((v != 0) & (av < st.tiny))", "",
      "_noise: smallest normal number not carried"),

    # -- engine.py: noise window, shelf, un-latching, quantised rule, SAFETY ---------------
    M("safety-1", "tableau.py", "SAFETY = 2.0 ", "SAFETY = 1.0 ",
      "truncation error bars not doubled"),
    M("noise-calm-3", "detect.py", "NOISE_CALM = 30.0 ", "NOISE_CALM = 3.0 ",
      "measured noise un-latched by a window only 3x below it"),
    M("unshelve-never", "engine.py", "    _unshelve(st)\n", "",
      "_finish: a shelved value never stands again"),
    M("unlatch-never", "detect.py", "free = ncalm >= 3", "free = calm & False",
      "_diagnose: measured noise never un-latched by calm smaller steps"),
    M("quantised-sloped-only", "detect.py", "((st.sigma[base] > 0) | d.sloped[idx])",
      "d.sloped[idx]", "_diagnose: quantised only after a settled slope, not after noise"),
    M("quantised-noise-only", "detect.py", "((st.sigma[base] > 0) | d.sloped[idx])",
      "(st.sigma[base] > 0)", "_diagnose: quantised only after noise, not after a settled slope"),
    M("noise-shrink-1.5", "detect.py", "NOISE_SHRINK = 0.75 ", "NOISE_SHRINK = 1.5 ",
      "a window difference shrinking slower than h**1.5 counts as flat"),
    M("noise-z-1", "detect.py", "NOISE_Z = 3.0 ", "NOISE_Z = 1.0 ",
      "measured noise enters error bars at 1x its estimate"),
    M("unres-after-free", "detect.py", "& (st.sigma[base] == 0)).any(axis=1) & ~freed",
      "& (st.sigma[base] == 0)).any(axis=1)",
      "_diagnose: an un-latching level may also count as unresolved"),
    M("unlatch-nrows-0", "detect.py", "g.nrows[idx[rows]] = -1", "g.nrows[idx[rows]] = 0",
      "_diagnose: after un-latching, the wiggly level's row stays in the tableau"),
    M("no-plateau-walk", "tableau.py", "plateau = (st.csig[ids] > 0).any(axis=1)",
      "plateau = np.zeros(len(ids), bool)", "_stop: a noise plateau may stop the walk"),
    M("kink-over-noise", "engine.py", "status[st.kink & ~sided & ~(~accept & (noise > 0))]",
      "status[st.kink & ~sided]", "_finish: NOT_SMOOTH wins over NOISY even when noise was measured"),
    # -- plans.py / steps.py ----------------------------------------------------------------
    M("domain-side-flip", "plans.py", 'side = "forward" if above[i] >= below[i] else "backward"',
      'side = "forward" if above[i] <= below[i] else "backward"',
      "_fit_domain: one-sided stencil towards the nearer edge"),
    M("domain-need-floor", "plans.py", "need = int(levels_below(reach(line, i) / room))",
      "need = int(levels_below(reach(line, i) / room)) - 1",
      "_fit_domain: a given domain's central stencil allowed 9 levels, not 8"),
    M("past-no-walkback", "detect.py", "g.e[idx[back]] = d.e[idx[back]]",
      "g.e[idx[back]] = g.e[idx[back]]", "no walk back after passing under a jump beside x"),
    M("past-not-steady", "detect.py", "g.steady[idx[past]] = True", "g.steady[idx[past]] = False",
      "after passing under a jump beside x, the walk may drop 8x again"),
    M("no-leap", "tableau.py", "g.e[idx[tiny]] += skip", "g.e[idx[tiny]] += 0",
      "no leap below a tiny |x| (1/x at 1e-100 walks 56 levels and ends)"),
    M("centre-needed", "engine.py",
      "_avoid_centre(comps, ~np.isfinite(F0).all(axis=1)[comps.base])", "pass",
      "even orders keep f(x) in their stencil even where it is NaN (sin(x)/x at 0)"),
    M("near-zero-off", "tableau.py",
      "near = (mag <= err) | (err <= np.sqrt(base) * np.abs(value))", "near = (mag <= err)",
      "_accepted: a value near zero known to a few digits is not a success"),
    M("symmetric-cancel-trusted", "detect.py",
      "odd = (flat | ((D == Dp) & ~(sig < ratio ** 3 * sp))) & above",
      "odd = flat & above", "exactly equal estimates over a non-polynomial window trusted"),
    M("odd-f-not-exempt", "detect.py",
      "odd = (flat | ((D == Dp) & ~(sig < ratio ** 3 * sp))) & above",
      "odd = (flat | (D == Dp)) & above",
      "2026-12-07: an f odd about x (exact zero even differences) is called unresolved again"),
    M("kink-first-rise-fine", "detect.py",
      "if strict else rise[:, 0])",
      "if True else rise[:, 0])",
      "2026-12-07: one rise of the jump detector suffices on the finer ladder too"),
    M("rtol-two-levels", "tableau.py", "RTOL_LEVELS = 3 ", "RTOL_LEVELS = 2 ",
      "2026-12-07: rtol met at two levels in a row stops (before the checks that need "
      "smaller steps)"),
    M("rtol-loosens-zero", "tableau.py", "zero = near & (err <= np.sqrt(base ** 3) * fscale)",
      "zero = near & (err <= np.sqrt(rtol ** 3) * fscale)",
      "2026-12-07: a user's rtol loosens the test of a zero against f's natural size too"),
    M("probe-step-off", "tableau.py",
      "probe = np.maximum(levels_below(long / _probe_step(st, g.t), st.ratio), PROBE)",
      "probe = PROBE",
      "2026-12-07: a coarse stop far from 0 probed PROBE levels down only"),
    M("kink-lenient-float32", "detect.py", "strict = st.ratio == RATIO or st.eps > 1e-10",
      "strict = st.ratio == RATIO",
      "2026-12-07: the finer ladder's lenient jump detector in float32 too"),
    M("kink-rise-unbounded-fine", "detect.py",
      "    if not strict:\n        rise &= hist[:, 1:] * keep < hist[:, :-1]\n",
      "",
      "2026-12-07: on the finer ladder a rise far above steady counts as steady again"),
    M("one-sided-erratic-off", "tableau.py", "ERRATIC = 100.0 ", "ERRATIC = 1e300 ",
      "2026-12-08: a one-sided walk whose error grew far above round-off is a success"),
    M("one-sided-erratic-status", "engine.py", "status[st.quantised | st.erratic] = Status.NOISY",
      "status[st.quantised] = Status.NOISY",
      "2026-12-08: the erratic one-sided walk's status stays OK"),
    M("erratic-central-off", "tableau.py", "    if g.t.coef.shape[1] == 1:\n        # an error grown",
      "    if sided:\n        # an error grown",
      "2026-12-08: the grown-far-above-round-off rule on one-sided lines only"),
    M("rough-grown-stops", "tableau.py", "grown = (g.stall[idx] >= 2) & (accept | raw) & ~rough",
      "grown = (g.stall[idx] >= 2) & (accept | raw)",
      "2026-12-08: an error grown for two levels stops the walk while the window is rough"),
    M("rough-overflow", "detect.py", "st.rough[ids] = above & np.isfinite(sig)",
      "st.rough[ids] = above", "2026-12-08: an overflowed window (|f| near 1e308) counts as rough"),
    M("jump-base-accuracy-only", "tableau.py", "    if st.jump:\n",
      "    if st.jump and g.t.accuracy == (2 if g.t.even else 1):\n",
      "2026-12-08: the drop of 8x a level on the base stencils only (before that day)"),
    M("complex-drift-off", "complexstep.py",
      "SAFETY * gap) + drift,", "SAFETY * gap),",
      "2026-12-08: the complex step's bar leaves out eps |x f''|"),
    M("complex-gap-once", "complexstep.py", "np.maximum(8 * eps * np.abs(value), SAFETY * gap)",
      "np.maximum(8 * eps * np.abs(value), gap)",
      "2026-12-08: the complex step's bar is its gap to the check, not twice it"),
    M("one-sided-rtol-stops", "tableau.py", "if st.rtol is not None and not sided:",
      "if st.rtol is not None:",
      "2026-12-08: rtol stops one-sided walks too (before their error can grow)"),
    M("bool-x-accepted", "_validate.py", 'if arr.dtype.kind == "b":', 'if False:',
      "2026-12-07: x of booleans differentiated at 1.0/0.0"),
    M("progress-hook-pickled", "evaluate.py", "remote.executor = remote.on_count = None",
      "remote.executor = None", "2026-12-07: the progress bar's hook is sent to the workers"),
    M("plot-pool-dropped", "evaluate.py",
      "ev = Evaluator(f, points.shape[1:], unpack=unpack and points.ndim > 1, executor=executor)",
      "ev = Evaluator(f, points.shape[1:], unpack=unpack and points.ndim > 1)",
      "2026-12-07: the pictures' values evaluated here, not in the executor"),
    M("domain-level-floor", "plans.py",
      "level0[i] = max(0, int(levels_below(reach(t, i) / space, ratio)))",
      "level0[i] = max(0, int(levels_below(reach(t, i) / space, ratio)) - 1)",
      "_fit_domain: one-sided stencil starts one halving too large"),
    M("central-limit-0", "steps.py", "CENTRAL_LIMIT = 8\n", "CENTRAL_LIMIT = 0\n",
      "never shrink a central stencil near an edge (given, or met as NaN)"),
    M("direction-scale-ceil", "steps.py", "np.exp2(np.floor(np.log2(np.min(",
      "np.exp2(np.ceil(np.log2(np.min(", "direction_scale rounds up"),
    M("start-step-order", "steps.py", "(2 if order >= 2 else 0)", "(2 if order > 2 else 0)",
      "start_step: second derivatives start 4x smaller"),
    M("min-step-1", "steps.py", "return 16 * np.maximum(", "return 1 * np.maximum(",
      "min_step: steps down to one ulp of x"),
    M("scale-floor", "steps.py", "np.minimum(np.round(np.log2(mag)), 1023)",
      "np.minimum(np.round(np.log2(mag)) + 1, 1023)", "scale_of twice as large"),
    # -- stencils.py / evaluate.py / complexstep.py ---------------------------------------
    M("stencil-symmetric-sign", "stencils.py", "sign = (-1) ** self.order",
      "sign = (-1) ** (self.order + 1)", "Stencil.symmetric parity flipped"),
    M("stencil-accuracy-off", "stencils.py", "            return j - order\n",
      "            return j - order + 1\n", "_accuracy_of one too high"),
    M("agree-loose", "evaluate.py", "<= 1e-12 * np.maximum(np.abs(a[fin])",
      "<= 1e-3 * np.maximum(np.abs(a[fin])", "_agree accepts 1e-3 relative differences"),
    M("complex-step-large-h", "complexstep.py", "h = 2.0**-64 *", "h = 2.0**-18 *",
      "complex step with h ~ 4e-6 (O(h^2) error ~ 1e-11)"),
    M("complex-agree-loose", "complexstep.py", "agree = gap <= 3 *", "agree = gap <= 3e6 *",
      "complex step verified against a 1e6-times wider bar"),
    M("joint-never-passed", "tableau.py", "JOINT_LEVELS = 3 ", "JOINT_LEVELS = 300 ",
      "the tableau never restarts where the steps pass under a joint beside x"),
    M("joint-pass-linear", "tableau.py", "& (p >= 1.6)).any(axis=1)", "& (p >= 0.6)).any(axis=1)",
      "a joint counted as passed while the estimates still move like h"),
    # -- issue 14: chunks, executors, array libraries, sparse Jacobians ---------------------
    M("chunk-base-offset", "engine.py", "return Components(comps.base[lo:hi] - a,",
      "return Components(comps.base[lo:hi],", "a chunk's components point at the wrong base points"),
    M("chunk-last-dropped", "engine.py", "return [(a, min(a + size, P)) for a in range(0, P, size)]",
      "return [(a, min(a + size, P)) for a in range(0, P - size, size)]",
      "the last chunk of base points is never walked"),
    M("spread-reversed", "evaluate.py", "for i, item in zip(range(a, b), items):",
      "for i, item in zip(range(a, b), items[::-1]):",
      "an executor's answers put back in the wrong order"),
    M("pool-not-shut", "_validate.py",
      "        pool.shutdown(wait=True, cancel_futures=True)\n\n\ndef check_picklable",
      "        pass\n\n\ndef check_picklable", "the pool of workers=N is never shut down"),
    M("pickle-check-off", "_validate.py",
      "    if process is None or not isinstance(executor, process.ProcessPoolExecutor):\n"
      "        return",
      "    if True:\n        return", "an unpicklable f is sent to a process pool unchecked"),
    M("namespace-device-dropped", "_namespace.py",
      "dtype=self.dtype(a.dtype), device=self.device, copy=True)",
      "dtype=self.dtype(a.dtype), copy=True)", "points made on the default device, not x's"),
    M("sparse-unchecked", "api.py", "    return _sparse.verify(res, f, x,",
      "    return res or _sparse.verify(res, f, x,",
      "a sparse Jacobian is never checked along a random direction"),
    M("colour-conflict", "sparse.py", "        while c in taken:\n            c += 1",
      "        while c in taken and c < 1:\n            c += 1",
      "columns sharing a row may share a colour (their entries mix)"),
    # issue 11, 2026-12-08
    M("noise-floor-off", "engine.py", "st.noise = np.fmax(st.noise, NOISE_Z * st.floor * st.amp)",
      "st.noise = np.fmax(st.noise, 0 * st.floor * st.amp)",
      "noise a window shows below the plateau threshold never enters a bar"),
    M("edge-fit-off", "engine.py", "                if 0 < need <= (10**6 if near0 else CENTRAL_LIMIT):",
      "                if False:", "NaN on one side always goes one-sided (no central stencil fitted)"),
    M("edge-guess-at-0-off", "engine.py", "room = abs(x[i]) if near0 else",
      "room = 0.0 if near0 else", "an edge met near 0 is not guessed to lie at 0"),
    M("column-prev-off", "tableau.py",
      "tr = np.fmax(tr, safety * np.abs(row[:, k] - prev[:, k]))", "pass",
      "a tableau entry need not agree with the previous row's entry of its column"),
    M("bars-overlap-off", "tableau.py",
      "conflict |= known & (gap > SAFETY * (kept + best[\"err\"]))",
      "pass", "two bars that cannot both hold leave the kept one as it is"),
    M("stall-per-component", "tableau.py",
      "g.stall[idx] = np.where(row_err > 2 * st.err[ids], g.stall[idx] + 1, 0)",
      "g.stall[idx] = np.where((row_err > 2 * st.err[ids]).all(axis=1, keepdims=True), "
      "g.stall[idx] + 1, 0)", "a component stalls only when all its outputs stall together"),
    M("probe-off", "tableau.py", "COARSE = 1 / 16 ", "COARSE = 1e300 ",
      "a stop at coarse steps is never probed further down"),
    M("quantised-anywhere", "detect.py", "& (h0 > xres)[:, None]", "",
      "constant values at steps within 1000 ulps of x count as quantised"),
    M("noise-probe-off", "engine.py", "PROBE_MIN_COMPONENTS = 8", "PROBE_MIN_COMPONENTS = 10**9",
      "2026-12-08: no noise probe before a gradient's walk"),
    M("noise-probe-kinks", "engine.py", "np.where(kink < sig[0] / 100, kink, sig[0])",
      "sig[0]", "2026-12-08: a kink within the noise probe's span read as noise"),
    M("noise-probe-threshold", "engine.py", "(sigma > rounding)", "(sigma > 100 * rounding)",
      "2026-12-08: the probe's noise used only far above the rounding model"),
    M("noise-probe-dof", "engine.py", "_PROBE_DOF[:, None, None])", "1.0)",
      "2026-12-08: the probe's residual not divided by its degrees of freedom"),
    M("noise-probe-narrow", "engine.py",
      "_PROBE_AT = np.array([-41.0, -17.0, -6.0, 0.0, 5.0, 19.0, 37.0])",
      "_PROBE_AT = np.array([-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0])",
      "2026-12-08: the probe's points evenly at -3..3 d (quantised rounding stays linear)"),
]


def _copy_src(dest: Path) -> None:
    """Copy src/ (without byte code) to dest/src."""
    shutil.copytree(ROOT / "src", dest / "src", ignore=shutil.ignore_patterns("__pycache__"))


def _apply(mutant: Mutant, dest: Path) -> str | None:
    """Copy src/ to dest and mutate it; return None, or a reason the mutant is stale."""
    _copy_src(dest)
    path = dest / "src" / PKG / mutant.file
    if not path.exists():
        return f"no file {mutant.file}"
    text = path.read_text()
    count = text.count(mutant.snippet)
    if count != 1:
        return f"snippet occurs {count} times in {mutant.file}"
    path.write_text(text.replace(mutant.snippet, mutant.replacement))
    return None


def _env(dest: Path) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(dest / "src")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _first_failure(out: str) -> str:
    for line in out.splitlines():
        if line.startswith(("FAILED", "ERROR")):
            return line[:160]
    lines = [ln for ln in out.splitlines() if ln.strip()]
    return lines[-1][:160] if lines else ""


DESELECT: list[str] = []


def run_one(mutant: Mutant | None, timeout: float) -> dict:
    """Run the suite against one mutant (None: the unmutated copy)."""
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="derivlab-mutant-") as tmp:
        dest = Path(tmp)
        if mutant is None:
            _copy_src(dest)
        else:
            stale = _apply(mutant, dest)
            if stale:
                return {"outcome": "stale", "seconds": 0.0, "detail": stale}
        cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "tests"]
        cmd += [arg for node in DESELECT for arg in ("--deselect", node)]
        try:
            proc = subprocess.run(cmd, cwd=ROOT, env=_env(dest), capture_output=True, text=True,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"outcome": "caught (timeout)", "seconds": time.perf_counter() - t0,
                    "detail": f"over {timeout:g} s"}
        out = proc.stdout + proc.stderr
        outcome = "survived" if proc.returncode == 0 else "caught"
        return {"outcome": outcome, "seconds": time.perf_counter() - t0,
                "detail": "" if proc.returncode == 0 else _first_failure(out), "rc": proc.returncode}


def check_import_path() -> None:
    """The tests must import derivlab from PYTHONPATH, not from an installed copy."""
    with tempfile.TemporaryDirectory(prefix="derivlab-mutant-") as tmp:
        dest = Path(tmp)
        _copy_src(dest)
        out = subprocess.run([sys.executable, "-c", f"import {PKG}; print({PKG}.__file__)"],
                             cwd=ROOT, env=_env(dest), capture_output=True, text=True, timeout=120)
        where = out.stdout.strip()
        if not where.startswith(str(dest)):
            sys.exit(f"derivlab is imported from {where or out.stderr!r}, not from the mutated "
                     f"copy in {dest}: fix PYTHONPATH / the installation first")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", action="append", default=[], metavar="NAME",
                    help="run only this mutant (repeatable, or comma-separated)")
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    ap.add_argument("--jobs", type=int, default=2, help="mutants run at once (default 2)")
    ap.add_argument("--timeout", type=float, default=300, help="seconds per mutant (default 300)")
    ap.add_argument("--deselect", action="append", default=[], metavar="NODEID",
                    help="pytest node id to leave out (a test failing on the unmutated code)")
    ap.add_argument("--no-baseline", action="store_true", help="skip the unmutated run")
    ap.add_argument("--show-failure", action="store_true", help="print each caught mutant's first failure")
    args = ap.parse_args(argv)

    chosen = MUTANTS
    if args.only:
        names = {n.strip() for item in args.only for n in item.split(",") if n.strip()}
        unknown = names - {m.name for m in MUTANTS}
        if unknown:
            ap.error(f"unknown mutant(s): {', '.join(sorted(unknown))} (see --list)")
        chosen = [m for m in MUTANTS if m.name in names]
    if args.list:
        width = max(len(m.name) for m in chosen)
        for m in chosen:
            print(f"{m.name:<{width}}  {m.file:<14} {m.description}")
        return 0

    DESELECT[:] = args.deselect
    check_import_path()
    if not args.no_baseline:
        base = run_one(None, args.timeout)
        if base["outcome"] != "survived":
            print(f"the unmutated suite fails ({base['detail']}): every mutant would look caught")
            return 1
        print(f"baseline: suite passes in {base['seconds']:.1f} s")

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(lambda m: run_one(m, args.timeout), chosen))

    width = max(len(m.name) for m in chosen)
    print(f"| {'mutant':<{width}} | file           | outcome          | seconds |")
    print(f"|{'-' * (width + 2)}|----------------|------------------|---------|")
    for m, r in zip(chosen, results):
        print(f"| {m.name:<{width}} | {m.file:<14} | {r['outcome']:<16} | {r['seconds']:7.1f} |")
    if args.show_failure:
        for m, r in zip(chosen, results):
            if r["detail"]:
                print(f"{m.name}: {r['detail']}")
    caught = sum(r["outcome"].startswith("caught") for r in results)
    stale = [m.name for m, r in zip(chosen, results) if r["outcome"] == "stale"]
    survived = [m.name for m, r in zip(chosen, results) if r["outcome"] == "survived"]
    live = len(chosen) - len(stale)
    print(f"\nscore: {caught}/{live} caught ({100 * caught / max(live, 1):.0f}%), "
          f"{len(survived)} survived, {len(stale)} stale; {time.perf_counter() - t0:.0f} s")
    if survived:
        print("survived: " + ", ".join(survived))
    if stale:
        print("stale: " + ", ".join(f"{m.name} ({r['detail']})" for m, r in zip(chosen, results)
                                     if r["outcome"] == "stale"))
    return 0 if not survived and not stale else 1


if __name__ == "__main__":
    sys.exit(main())
