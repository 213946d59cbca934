"""The noise probe of gradients and Jacobians (engine._probe_noise): f's noise at x measured
once, before the walk, where the rounding model (a few ulps of |f|) cannot see it."""

import numpy as np
import pytest

import derivlab
from derivlab import Status, engine


def _cancelling(x):  # f of size 1 computed through intermediates of size 1e3
    return (1e3 + np.sum(np.sin(x) * x, axis=-1)) - 1e3


def _cancelling_grad(x):
    return np.sin(x) + x * np.cos(x)


def _short_bars(points):
    short = worst = 0
    for x in points:
        res = derivlab.gradient(_cancelling, x)
        ratio = np.abs(res.value - _cancelling_grad(x)) / res.error
        short += int((ratio > 1).sum())
        worst = max(worst, float(ratio.max()))
    return short, worst


def test_noise_of_cancelling_terms_enters_the_bars(monkeypatch):
    rng = np.random.default_rng(3)
    points = [rng.uniform(-2, 2, 12) for _ in range(40)]
    short, worst = _short_bars(points)
    assert short <= 1 and worst < 2.0  # (of 480: 0 today; the probe's estimate is a sample)
    res = derivlab.gradient(_cancelling, points[0])
    assert res.success and "noise in f measured at about" in res.message
    monkeypatch.setattr(engine, "PROBE_MIN_COMPONENTS", 10**9)  # without the probe
    short_without, worst_without = _short_bars(points)
    assert short_without > 3 * max(short, 1) and worst_without > worst


def test_smooth_f_gets_the_same_numbers_for_six_evaluations(monkeypatch):
    f = lambda x: np.sum(np.sin(x) * x, axis=-1) + np.sum(x[..., :-1] * x[..., 1:], axis=-1)
    x = np.linspace(-1, 1, 10) * 0.7 + 0.1
    with_probe = derivlab.gradient(f, x, vectorized=True)
    monkeypatch.setattr(engine, "PROBE_MIN_COMPONENTS", 10**9)
    without = derivlab.gradient(f, x, vectorized=True)
    assert np.array_equal(with_probe.value, without.value)
    assert np.array_equal(with_probe.error, without.error)
    assert with_probe.nfev == without.nfev + 6
    assert "noise" not in with_probe.message


def test_a_kink_at_x_is_not_taken_for_noise(monkeypatch):
    # (sum |x| with x_0 = 0: the probe straddles the kink; the other partials keep their bars)
    f = lambda x: np.sum(np.abs(x))
    for x0 in (0.0, 1e-9, 3e-8):
        x = np.r_[x0, np.linspace(0.5, 3, 9)]
        res = derivlab.gradient(f, x)
        monkeypatch.setattr(engine, "PROBE_MIN_COMPONENTS", 10**9)
        ref = derivlab.gradient(f, x)
        monkeypatch.undo()
        assert np.array_equal(res.value[1:], ref.value[1:])
        assert np.all(res.error[1:] <= 10 * ref.error[1:])  # (1e-9 from the kink: ~7x)
        assert all(s == Status.OK for s in res.status[1:])
    res = derivlab.gradient(f, np.r_[0.0, np.linspace(0.5, 3, 9)])
    assert res.status[0] == Status.NOT_SMOOTH


def test_probe_points_are_in_the_trace_and_counted():
    x = np.linspace(-1, 1, 9)
    res = derivlab.gradient(_cancelling, x, trace=True, vectorized=True)
    probes = [r for r in res.trace if r.level == -1]
    assert len(probes) == 6 and all(r.checks[0].startswith("noise probe") for r in probes)
    assert len(res.trace) == res.nfev - 1  # (every point f saw but x itself)
    assert isinstance(res.trace.as_dicts(), list) and "noise probe" in res.trace.levels_table()


@pytest.mark.parametrize("n", [2, 7])
def test_small_gradients_are_not_probed(n):
    f = lambda x: np.sum(x ** 2, axis=-1)
    res = derivlab.gradient(f, np.ones(n), trace=True)
    assert not [r for r in res.trace if r.level == -1]


def test_complex_valued_f_is_probed_without_dropping_its_imaginary_part():
    import warnings

    x = np.linspace(0.1, 1, 9)
    f = lambda v: (1e3 + np.sum(np.exp(1j * v))) - 1e3  # (noise in both parts)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (a ComplexWarning would be an error here)
        res = derivlab.gradient(f, x)
    assert res.success and np.all(np.abs(res.value - 1j * np.exp(1j * x)) <= res.error)
    assert "noise in f measured" in res.message


def test_hessians_are_probed_too():
    # (a Hessian's mixed entries have no noise window of their own: the probe is their only
    # measure of noise; 9 of 960 bars fell short on this family before)
    f = lambda x: (1e3 + np.sum(np.sin(x) * x)) - 1e3
    rng = np.random.default_rng(3)
    short = measured = 0
    for _ in range(6):
        x = rng.uniform(-2, 2, 8)
        res = derivlab.hessian(f, x)
        truth = np.diag(2 * np.cos(x) - x * np.sin(x))
        short += int((np.abs(res.value - truth) > res.error).sum())
        measured += "noise in f measured" in res.message
    assert short <= 1 and measured >= 4  # (one sample of the noise may fall under the model)


def test_sums_of_many_terms_are_not_called_noisy():
    # (the probe's residual is taken of f less f(x): values of size |f| through the projector
    # carried rounding of their own, and a 1000-term sum of sin(x) x read as noisy, 100x bars)
    x = np.linspace(-1, 1, 1000) * 0.7 + 0.1
    f = lambda v: np.sum(np.sin(v) * v, axis=-1) + np.sum(v[..., :-1] * v[..., 1:], axis=-1)
    res = derivlab.gradient(f, x)
    assert "noise" not in res.message and res.success
    assert np.median(res.error) < 1e-9


def test_the_quantised_rounding_of_a_cancelling_sum_is_seen():
    # (points spread unevenly over 78 d: at -3..3 d the rounding of C + S, a sawtooth in c,
    # could stay linear over the probe and hide: C = 439, 40 variables, 3 bars short 2x)
    rng = np.random.default_rng(11)
    for _ in range(20):
        A, b = rng.normal(size=(3, 40)) / np.sqrt(40), rng.normal(size=3)
        x = rng.uniform(-2, 2, 40)
        f = lambda v, A=A, b=b: (439.0 + np.sum(np.tanh(A @ v + b))) - 439.0
        truth = A.T @ (1 - np.tanh(A @ x + b) ** 2)
        res = derivlab.gradient(f, x)
        assert "noise in f measured" in res.message
        assert np.all(np.abs(res.value - truth) <= res.error)


def test_the_probe_measures_the_noise_it_is_given(monkeypatch):
    # (sigma of one sample of 4 degrees of freedom, over 30 draws: median near the truth)
    seen = []
    probe = engine._probe_noise

    def spy(st, ev):
        probe(st, ev)
        seen.append(float(st.sigma0.max()))

    monkeypatch.setattr(engine, "_probe_noise", spy)
    rng = np.random.default_rng(5)
    for _ in range(30):
        x = rng.uniform(-2, 2, 10)
        derivlab.gradient(lambda v: np.sum(np.sin(v)) + 1e-10 * rng.normal(), x)
    assert 0.7 < np.median(seen) / 1e-10 < 1.4
