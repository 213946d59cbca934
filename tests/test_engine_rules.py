"""Engine rules that only show on functions built for them.

Written against benchmarks/mutants.py: each test kills a mutant that the rest of
the suite let through (named in its docstring). Truths are closed forms evaluated
by mpmath at the float x exactly, exact arithmetic, or the status contract of the
README on a function built for that status; no test compares derivlab with a
value derivlab once returned.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

import derivlab
from derivlab import Status
from derivlab.steps import direction_scale, scale_of
from _truth import DPS, abs_err, exact_derivative


def _honest_if_success(res, truth):
    """A success claims |value - truth| <= error."""
    if res.success:
        assert res.error >= abs_err(res.value, truth), \
            f"{Status(res.status).name}: value {res.value!r} +- {res.error:.3g}, truth {truth}"


# -- quantised f (np.round): NOISY ---------------------------------------------------------------

def _tread_half_width(g, x, digits):
    """How far (in f) g(x) * 10**digits lies from a riser of np.round(g, digits): f is
    exactly constant around x, its derivatives there are 0."""
    with mpmath.workdps(DPS):
        u = g(mpmath.mpf(x)) * mpmath.mpf(10) ** digits
        return float(abs(u - mpmath.floor(u) - mpmath.mpf(0.5)))


QUANTISED = [
    # (g for numpy, g for mpmath, digits, x, order)
    ("sin-10-1", np.sin, mpmath.sin, 10, 1.0, 1),   # noise measured first: quantised-sloped-only
    ("sin-2-1", np.sin, mpmath.sin, 2, 1.0, 1),     # a settled slope, then flat: quantised-noise-only
    ("3x-3-2", lambda x: 3 * x, lambda x: 3 * x, 3, 1.0, 2),   # noise-z-1 (said NOT_SMOOTH)
    ("sin-8-2", np.sin, mpmath.sin, 8, 0.7, 2),     # noise-z-1 (said NOT_SMOOTH)
]


@pytest.mark.parametrize("g, gm, digits, x, order", [c[1:] for c in QUANTISED],
                         ids=[c[0] for c in QUANTISED])
def test_quantised_f_is_noisy(g, gm, digits, x, order):
    """README: f flat at small steps after a slope at larger ones (np.round(f, k)) is NOISY.
    x sits on a tread (f exactly constant around it, every derivative 0 there) that the larger
    steps of the ladder cross: no value is a success, and none is a jump (NOT_SMOOTH)."""
    assert _tread_half_width(gm, x, digits) > 0.05  # not on a riser
    res = derivlab.derivative(lambda t: np.round(g(t), digits), x, order=order)
    assert res.status == Status.NOISY, (Status(res.status).name, res.value, res.error)
    _honest_if_success(res, 0)


# -- f's values below the smallest normal number -------------------------------------------------

@pytest.mark.parametrize("c, x", [(1e-315, 0.5), (1e-315, -2.0), (1e-320, 0.5)])
def test_subnormal_values_carry_their_rounding(c, x):
    """c e^x with c subnormal: f's values have only a few significant bits. noise-no-tiny
    (no smallest-normal term in the round-off) reported 0 +- 5e-324 as a success."""
    res = derivlab.derivative(lambda t: c * np.exp(t), x)
    with mpmath.workdps(DPS):
        truth = mpmath.mpf(c) * mpmath.exp(mpmath.mpf(x))
    _honest_if_success(res, truth)


# -- complex step: a small non-analytic part -----------------------------------------------------

@pytest.mark.parametrize("c", [1e-8, 1e-6])
def test_complex_step_flags_a_small_non_analytic_part(c):
    """f(z) = z + c conj(z) is (1 + c) x on the reals, but Im f(x + ih)/h = 1 - c: the complex
    step misses 2c, far above the real-arithmetic check's error. complex-agree-loose (a 1e6x
    wider check) let c = 1e-8 through as OK."""
    res = derivlab.derivative(lambda z: z + c * np.conj(z), 0.7, method="complex")
    assert res.status == Status.NOT_ANALYTIC
    _honest_if_success(res, 1 + mpmath.mpf(c))


# -- a domain narrower than any central stencil --------------------------------------------------

def test_one_sided_stencil_fits_a_narrow_domain():
    """domain 3e-6 wide around 0.5: one-sided, its first level shrunk to fit (domain-level-floor
    started it one level too large and evaluated f beyond hi)."""
    lo, hi = 0.5 - 1e-6, 0.5 + 2e-6
    seen = []

    def f(t):
        seen.append((np.min(t), np.max(t)))
        return np.exp(t)

    res = derivlab.derivative(f, 0.5, domain=(lo, hi))
    assert min(s[0] for s in seen) >= lo and max(s[1] for s in seen) <= hi
    assert res.status == Status.ONE_SIDED
    with mpmath.workdps(DPS):
        _honest_if_success(res, mpmath.exp(mpmath.mpf(0.5)))


# -- a later level overrules an early agreement -----------------------------------------------

JOIN_NEAR = [(1.7, -1.7 * 4.7639380104013324e-05), (1.7, 1.7 * 4.7639380104013324e-05),
             (-2.5, -2.5 * 6.260516572014808e-05), (-2.5, 2.5 * 6.260516572014808e-05),
             (-2.5, -2.5 * 6.81292069057961e-05), (-2.5, 2.5 * 6.81292069057961e-05)]


@pytest.mark.parametrize("t0, d", JOIN_NEAR,
                         ids=[f"{t0:g}{'+' if d > 0 else '-'}{abs(d / t0):.2e}|t0|" for t0, d in JOIN_NEAR])
def test_second_derivative_beside_a_c2_join(t0, d):
    """f = sin t + 1.5 min(t - t0, 0)**3 (f''' jumps at t0) at t0 + d, |d| ~ 1e-4: the coarse
    levels straddle the join and agree among themselves; finer ones contradict them, sure of
    themselves, and must replace them (no-contradiction kept the coarse value, 10x off its bar).
    (Other offsets are not all honest yet: t = -2.500079 reports 4.2e-6 for an error of
    2.6e-5, an open engine defect.)"""
    t = t0 + d
    res = derivlab.derivative(lambda s: np.sin(s) + 1.5 * np.minimum(s - t0, 0.0) ** 3, t, order=2)
    with mpmath.workdps(DPS):
        u = mpmath.mpf(t) - mpmath.mpf(t0)
        truth = -mpmath.sin(mpmath.mpf(t)) + (9 * u if u < 0 else 0)
    assert res.success
    _honest_if_success(res, truth)


# -- NaN at a tiny x: the ladder goes on below |x| --------------------------------------

@pytest.mark.parametrize("f, x", [(np.log, 1e-8), (np.sqrt, 1e-6), (np.log, 1e-3)])
def test_one_sided_ladder_after_nan_works_below_abs_x(f, x):
    """log and sqrt have their singularity at 0: their Taylor series at x converges only for
    |h| < |x|, so only steps below |x| feed the tableau something it can extrapolate. After the
    first level meets NaN, every step is below |x| (below-x-off-by-one started at 2.2 |x|),
    and the central stencil goes on there (engine._fit_edge: the edge most likely at 0)."""
    res = derivlab.derivative(f, x, trace=True)
    assert res.status == Status.OK
    first = res.trace[0].level
    later = [r.step for r in res.trace if r.level != first]
    assert later and max(later) < x


# -- a kink a few ulps beside x ------------------------------------------------------------------

@pytest.mark.parametrize("ulps", [3, 20])
def test_kink_a_few_ulps_beside_x(ulps):
    """relu(t - 1) at 1 + a few ulps: f = t - 1 on a neighbourhood of x, derivative exactly 1,
    but no step worth taking (16 ulps of x and more) passes under the kink. Not a success at
    the one-sided average 1/2 (min-step-1 walked on to 1-ulp steps, cleared the kink and
    reported 0.5 as OK)."""
    x = 1.0 + ulps * 2.0**-52
    res = derivlab.derivative(lambda t: np.maximum(t - 1.0, 0.0), x)
    _honest_if_success(res, 1)


# -- direction_scale: its contract ---------------------------------------------------------------

magnitudes = st.floats(-60, 60).map(lambda e: 10.0 ** e)


@given(st.lists(st.tuples(magnitudes, magnitudes, st.booleans(), st.booleans()),
                min_size=1, max_size=5))
def test_direction_scale_is_the_largest_power_of_two_within_every_scale(rows):
    """A unit step along c*v moves no element of x by more than its own scale, and c is the
    largest power of two that does so (direction-scale-ceil rounded c up: up to 2x too far;
    in a jvp at 0 along (3, 1), log(0.02 + x0) then went one-sided)."""
    x = np.array([m * (1 if s else -1) for m, _, s, _ in rows])
    v = np.array([m * (1 if s else -1) for _, m, _, s in rows])
    c = direction_scale(x, v)
    assert np.log2(c) == np.round(np.log2(c))
    moves = c * np.abs(v) / scale_of(x)
    assert np.all(moves <= 1)
    assert np.any(2 * moves > 1)


# -- the bottom of the ladder ----------------------------------------------------------------------

@pytest.mark.parametrize("f, x", [(lambda t: np.abs(t - 1.0), 1.0), (lambda t: np.abs(t - 1e8), 1e8),
                                  (lambda t: np.round(np.sin(t), 6), 0.5)],
                         ids=["kink-at-1", "kink-at-1e8", "quantised"])
def test_ladder_never_steps_below_sixteen_ulps_of_x(f, x):
    """Walks that reach the end of the ladder (a kink at x, a quantised f) stop at steps of
    16 ulps of x (steps.min_step): below that x + h is only a few representable numbers from
    x and a difference quotient is rounding, not slope (min-step-1 went down to 2 ulps)."""
    res = derivlab.derivative(f, x, trace=True)
    assert not res.success
    assert min(rec.step for rec in res.trace) >= 16 * np.spacing(abs(x))


# -- a given domain: central within CENTRAL_LIMIT levels, else one-sided ------------------------

@pytest.mark.parametrize("k, status", [(150, Status.OK), (250, Status.ONE_SIDED)])
def test_domain_edge_central_limit_is_exact(k, status):
    """README: a domain edge may shrink a central stencil up to 8 levels of 1.9 (170x),
    beyond that it goes one-sided. exp at 1 with its edge 1/k of the first step (2**-6) away:
    k = 150 needs 8 levels (central), k = 250 needs 9 (one-sided): domain-need-floor."""
    from derivlab.steps import CENTRAL_LIMIT, RATIO
    assert RATIO ** (CENTRAL_LIMIT - 1) < 150 < RATIO ** CENTRAL_LIMIT < 250 < RATIO ** (CENTRAL_LIMIT + 1)
    res = derivlab.derivative(np.exp, 1.0, domain=(1.0 - 2.0**-6 / k, 2.0))
    assert res.status == status
    _honest_if_success(res, mpmath.e)


# -- many outputs: each stops on its own -----------------------------------------------------

def test_a_column_walks_no_longer_than_its_slowest_output():
    """Each output of a Jacobian column stops on its own rule (truncation below round-off, or
    its error grown for two levels after a trustworthy value): the column costs what its
    slowest output costs alone (stall-per-component walked one column 2 evaluations longer:
    its outputs' errors never grew at the same levels)."""
    rng = np.random.default_rng(0)
    A, x = rng.normal(size=(40, 4)), rng.uniform(-1, 1, 4)

    def f(v):
        return np.exp(0.3 * A @ v) / (1 + (A @ v) ** 2)

    for j in range(4):
        e = np.eye(4)[j]
        column = derivlab.derivative(lambda t, e=e: f(x + t * e), 0.0)
        alone = max(derivlab.derivative(lambda t, i=i, e=e: f(x + t * e)[i], 0.0).nfev
                    for i in range(40))
        assert column.success and column.nfev <= alone


# -- a user's rtol judges success ---------------------------------------------------------------

@pytest.mark.parametrize("sigma", [1e-8, 1e-7])
def test_a_looser_rtol_accepts_a_noisy_value_its_bar_covers(sigma):
    """README: rtol is the relative error still called a success. sin + noise of 1e-8 at 0.7
    has a bar of 4e-5 relative: NOISY by default (eps**(1/3) = 6e-6), a success with
    rtol=1e-2, the same honest value (rtol-ignored-in-acceptance)."""
    def noisy():
        rng = np.random.default_rng(0)
        return lambda t: np.sin(t) + sigma * rng.standard_normal(np.shape(t))

    default = derivlab.derivative(noisy(), 0.7)
    loose = derivlab.derivative(noisy(), 0.7, rtol=1e-2)
    assert default.status == Status.NOISY
    assert loose.status == Status.OK and abs(loose.value - np.cos(0.7)) <= loose.error


def test_both_sides_nan_at_a_tiny_x_restart_below_it():
    """log(t) + log(2e-6 - t) at 1e-6: f is NaN on both sides of the first step; the walk
    starts again with every step below |x| (below-x-off-by-one)."""
    res = derivlab.derivative(lambda t: np.log(t) + np.log(2e-6 - t), 1e-6, trace=True)
    assert res.success and abs(res.value) <= res.error
    first = res.trace[0].level
    assert max(r.step for r in res.trace if r.level != first) < 1e-6


@pytest.mark.parametrize("name, x", [("sqrt(1+t^2)", -0.9077), ("atan", -1.5477),
                                     ("1/(2+cos)", 0.6923), ("exp(sin)", -1.3077),
                                     ("sqrt(1+t^2)", 0.9323), ("1/(2+cos)", 0.7723),
                                     ("exp(sin)", -1.2277)])
def test_smooth_fourth_derivative_is_not_walked_as_a_jump(name, x):
    """Functions with singularities about one unit off the real axis: at the coarsest steps
    of a fourth derivative the jump detector may shrink less than the finer ladder's
    threshold for one level, or dip (its leading terms cancelling) and rise again. One such
    ratio is not a jump (two are needed there), nor is a rise far above steady; either used
    to leap levels, then restart the tableau at steps already dominated by round-off
    (errors 0.6-6.7e-8 relative, against below 1e-9 now)."""
    t = sympy.Symbol("t")
    expr, fn = {"sqrt(1+t^2)": (sympy.sqrt(1 + t**2), lambda u: np.sqrt(1 + u * u)),
                "atan": (sympy.atan(t), np.arctan),
                "1/(2+cos)": (1 / (2 + sympy.cos(t)), lambda u: 1 / (2 + np.cos(u))),
                "exp(sin)": (sympy.exp(sympy.sin(t)), lambda u: np.exp(np.sin(u)))}[name]
    truth = exact_derivative(expr, t, x, 4)
    res = derivlab.derivative(fn, x, order=4)
    err = abs_err(res.value, truth)
    assert res.success and err <= res.error
    assert err <= 2e-9 * abs(float(truth))


@pytest.mark.parametrize("f, x, order", [(lambda t: t**5, 0.0, 2), (lambda t: (t - 1) ** 7, 1.0, 2),
                                         (lambda t: np.sinh(t) ** 3, 0.0, 2),
                                         (lambda t: t**9, 0.0, 4)])
def test_f_odd_about_x_has_exact_zero_even_derivatives(f, x, order):
    """Every even-order central difference of an f odd about x is exactly 0, at every step:
    estimates exactly equal from level to level are not wiggles cancelling by symmetry
    when the window falls like a smooth f's (they were NOT_CONVERGED, error inf)."""
    res = derivlab.derivative(f, x, order=order)
    assert res.success and res.value == 0.0 and res.error < 1e-12


def test_float32_fourth_derivative_first_estimate_is_not_trusted_alone():
    """float32, order 4: round-off rules from the first levels, and two column-1 entries of
    the first rows agreed by chance (6.0726 +- 0.014 for 6.0015). The jump detector's
    stricter float32 rule walks on and restarts, and the result is flagged with an honest
    bar instead (found by a sweep of random compositions at float32 points)."""
    t = sympy.Symbol("t")
    expr = (2.12 * t + sympy.sin(0.67 * t + 0.57)
            + sympy.atan(0.53 * t + 0.23 + 1 / ((1.14 * t - 0.26) ** 2 + 1)) + 0.82)
    f = sympy.lambdify(t, expr, "numpy")
    x = np.float32(-0.141444)
    truth = exact_derivative(expr, t, float(x), 4)
    res = derivlab.derivative(f, x, order=4)
    assert abs_err(res.value, truth) <= res.error


@pytest.mark.parametrize("x, order", [(199.24, 4), (1999.24, 4), (199.24, 3)])
def test_float32_coarse_stop_far_from_0_is_probed_at_a_step_that_sees_period_one(x, order):
    """cos(1.96 t) beside a line, float32, far from 0: the ladder's steps (67 and below at
    199, relative to |x|) average the wiggle out, round-off stops the walk there, and the
    6-level probe (9.8) averages it too: 1.6e-11 +- 4.7e-10 for -2.24. The probe now also
    reaches a step whose round-off is 1e-3 of |f| (0.3), which sees it."""
    t = sympy.Symbol("t")
    expr = 1.21 * t + sympy.cos(1.96 * t + 0.77) - 0.18
    f = sympy.lambdify(t, expr, "numpy")
    xf = np.float32(x)
    truth = exact_derivative(expr, t, float(xf), order)
    res = derivlab.derivative(f, xf, order=order)
    assert not res.success or abs_err(res.value, truth) <= res.error


# -- one-sided methods: an error that grows far above round-off is not a success -----------------

@pytest.mark.parametrize("method, side", [("forward", -1), ("backward", 1)])
@pytest.mark.parametrize("t0", [0.3, 1.7, -2.5])
@pytest.mark.parametrize("rtol", [None, 1e-3])
def test_one_sided_beside_a_joint_on_its_side_is_not_a_success(method, side, t0, rtol):
    """sin(t) + 1.5 min(t - t0, 0)**2, second derivative 1e-6 on the far side of a C1 joint
    from where the stencil looks: every point but x lies on the other piece, whose
    derivative (3 off) the tableau settles on; f(x), 1.5e-12 off that piece, makes the error
    grow like h**-2 some 10**4 above round-off. ``rtol`` must not stop the walk before that
    shows. Mutants: ``one-sided-erratic-off``, ``one-sided-rtol-stops``."""
    f = lambda t: np.sin(t) + 1.5 * np.minimum(t - t0, 0.0) ** 2  # noqa: E731
    x = t0 + side * 1e-6
    with mpmath.workdps(DPS):
        truth = -mpmath.sin(mpmath.mpf(x)) + (3 if x < t0 else 0)
    res = derivlab.derivative(f, x, order=2, method=method, rtol=rtol)
    _honest_if_success(res, truth)
    assert not res.success


@pytest.mark.parametrize("method", ["forward", "backward"])
@pytest.mark.parametrize("seed", range(3))
def test_one_sided_noisy_f_is_not_a_success_with_a_wrong_bar(method, seed):
    """sin plus noise of 1e-6: a one-sided walk has no noise window; its tableau must not
    call a value right that its bar does not cover."""
    rng = np.random.default_rng(seed)
    f = lambda t: np.sin(t) + 1e-6 * rng.standard_normal(np.shape(t))  # noqa: E731
    for x in (0.7, 2.0):
        for order in (1, 2):
            res = derivlab.derivative(f, x, order=order, method=method)
            with mpmath.workdps(DPS):
                truth = mpmath.cos(mpmath.mpf(x)) if order == 1 else -mpmath.sin(mpmath.mpf(x))
            _honest_if_success(res, truth)


@pytest.mark.parametrize("method", ["forward", "backward"])
@pytest.mark.parametrize("name, x", [("exp(-(2.54*t - 0.26)**2)", 0.422), ("atan(t)", 0.5),
                                     ("log(1 + t**2)", 1.3), ("sqrt(1 + t**2)", -2.0)])
def test_one_sided_smooth_f_still_succeeds(method, name, x):
    """The rule above on smooth functions: every value right within its bar, and a success."""
    t = sympy.Symbol("t")
    expr = sympy.sympify(name, locals={"t": t})
    f = sympy.lambdify(t, expr, "numpy")
    for order in (1, 2):
        res = derivlab.derivative(f, x, order=order, method=method)
        truth = exact_derivative(expr, t, x, order)
        _honest_if_success(res, truth)
        assert res.success, (order, res)


def test_wiggles_far_finer_than_the_steps_are_not_a_success():
    """atan(t) + 3.5e-12 sin(1.4e6 t + 3.15) at -210.6, second derivative 5.08 (the wiggle's
    a w**2 sin(...)): at steps of 1 to 30 the estimates agree with atan'' (2.1e-7) to 7e-13,
    then their error grows for two levels to 1000x the round-off it carries. That is not
    round-off taking over: not a success. Mutant: ``erratic-central-off``."""
    a, w, ph, x = 3.4679858249044256e-12, 1413103.8488407226, 3.1537771389735245, -210.6
    f = lambda t: np.arctan(t) + a * np.sin(w * t + ph)  # noqa: E731
    with mpmath.workdps(DPS):
        tm = mpmath.mpf(x)
        truth = (-2 * tm / (1 + tm ** 2) ** 2
                 - mpmath.mpf(a) * mpmath.mpf(w) ** 2 * mpmath.sin(mpmath.mpf(w) * tm + mpmath.mpf(ph)))
    res = derivlab.derivative(f, x, order=2)
    _honest_if_success(res, truth)
    assert not res.success


def test_a_rough_window_is_no_reason_to_stop_on_a_grown_error():
    """log(1 + t**2) + 5.4e-13 sin(2.4e7 t + 1.26) at -5.74, second derivative 309 (the
    sine's a w**2 term): the estimates agree with log(1 + t**2)'' to 1e-9, then their error
    grows for two levels, by less than 100x round-off, while the window of the last levels
    stands far above f's rounding. Stopping there returned -0.055 +- 8e-10; the walk goes
    on until the noise is measured. Mutant: ``rough-grown-stops``."""
    a, w, p, x = 5.445430742781224e-13, 23875699.660905458, 1.2565521807856619, -5.739999999999999
    f = lambda t: np.log(1 + t ** 2) + a * np.sin(w * t + p)  # noqa: E731
    t = sympy.Symbol("t")
    expr = sympy.log(1 + t ** 2) + sympy.Float(a) * sympy.sin(sympy.Float(w) * t + sympy.Float(p))
    truth = exact_derivative(expr, t, x, 2)
    res = derivlab.derivative(f, x, order=2)
    _honest_if_success(res, truth)
    assert not res.success


@pytest.mark.parametrize("accuracy", [4, 6])
def test_higher_accuracy_drops_past_coarse_levels_that_cancel_a_wiggle(accuracy):
    """t + sin(2 pi t) at 1000, second derivative: the wiggle is odd about x there, so every
    central difference cancels it and three coarse levels agree on 0 +- 1e-14; the truth
    (2 pi)**2 sin(2 pi * 1000) with the float 2 pi is 9.7e-12. With the drop of 8x a level
    while estimates are far from settling (every accuracy) the walk reaches steps that see
    the wiggle. Mutant: ``jump-base-accuracy-only``."""
    w = 2 * np.pi
    f = lambda t: t + np.sin(w * t)  # noqa: E731
    with mpmath.workdps(DPS):
        truth = -mpmath.mpf(w) ** 2 * mpmath.sin(mpmath.mpf(w) * 1000)
    res = derivlab.derivative(f, 1000.0, order=2, accuracy=accuracy)
    _honest_if_success(res, truth)


@pytest.mark.parametrize("x", [86400.25, 1003.0 + 1 / 3, 1e5 + 0.1])
def test_complex_step_bar_covers_the_rounding_of_x_dependent_intermediates(x):
    """t + sin(2 pi t) far from 0 by the complex step: cos is evaluated at the rounded
    2 pi t, off by up to eps |2 pi t|, so f' is off by up to about eps |t f''|; the bar
    must cover that (it was 3e-13 for an error of 6.7e-11 at 86400.25). Mutant:
    ``complex-drift-off``."""
    w = 2 * np.pi
    f = lambda t: t + np.sin(w * t)  # noqa: E731
    with mpmath.workdps(DPS):
        truth = 1 + mpmath.mpf(w) * mpmath.cos(mpmath.mpf(w) * mpmath.mpf(x))
    res = derivlab.derivative(f, x, method="complex")
    _honest_if_success(res, truth)


def test_complex_step_bar_is_twice_its_gap_to_the_check():
    """sin(t)/t at 1e-4 by the complex step: f's own arithmetic cancels (Im sin(z)/z is
    about (x cos x - sin x) h / x**2), 5.7e-13 off where the gap to the real-arithmetic
    check is 5.4e-13: the gap samples the error, twice it bounds it. Mutant:
    ``complex-gap-once``."""
    x = 1e-4
    with mpmath.workdps(DPS):
        xm = mpmath.mpf(x)
        truth = (xm * mpmath.cos(xm) - mpmath.sin(xm)) / xm ** 2
    res = derivlab.derivative(lambda t: np.sin(t) / t, x, method="complex")
    _honest_if_success(res, truth)
