"""Sparse Jacobians: column colouring, sparsity=, sparse=True and pattern detection."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from hypothesis import given, strategies as st

import derivlab
from derivlab import InputError, InputTypeError, Status
from derivlab.sparse import colour_columns

sp = pytest.importorskip("scipy.sparse")


# ---------------------------------------------------------------------------------------------
# functions with known Jacobians

def tridiag(x):
    """A discretised nonlinear boundary-value problem: J is tridiagonal."""
    y = np.empty_like(x)
    y[0] = 2 * x[0] - x[1] + np.sin(x[0])
    y[1:-1] = -x[:-2] + 2 * x[1:-1] ** 2 - x[2:] * np.exp(x[1:-1] / 4)
    y[-1] = -x[-2] + 3 * x[-1] ** 3
    return y


def tridiag_jac(x):
    n = len(x)
    J = np.zeros((n, n))
    i = np.arange(1, n - 1)
    J[0, :2] = 2 + np.cos(x[0]), -1
    J[i, i - 1] = -1
    J[i, i] = 4 * x[i] - x[i + 1] * np.exp(x[i] / 4) / 4
    J[i, i + 1] = -np.exp(x[i] / 4)
    J[-1, -2:] = -1, 9 * x[-1] ** 2
    return J


def band(n, b):
    """The pattern of a band of half-width b."""
    d = np.subtract.outer(np.arange(n), np.arange(n))
    return np.abs(d) <= b


def within_bars(res, exact):
    value, error = np.asarray(res.value), np.asarray(res.error)
    return np.all(np.abs(value - exact) <= error)


class Random:
    """f_i = sum over the pattern's row i of c_ij * tanh(x_j) + x_j**2 / 2 (J = c * (1 - tanh**2) + x)."""

    def __init__(self, m, n, density, seed):
        rng = np.random.default_rng(seed)
        self.P = rng.random((m, n)) < density
        self.C = np.where(self.P, rng.uniform(0.5, 2.0, (m, n)) * rng.choice([-1, 1], (m, n)), 0)

    def __call__(self, x):
        return self.C @ np.tanh(x) + self.P @ (x ** 2 / 2)

    def jac(self, x):
        return self.C * (1 - np.tanh(x) ** 2) + self.P * x


# ---------------------------------------------------------------------------------------------
# colouring

def test_tridiagonal_needs_three_colours():
    for n in (3, 10, 1000):
        colour = colour_columns(band(n, 1))
        assert colour.max() + 1 == 3 and colour.min() == 0


def test_a_band_of_half_width_b_needs_2b_plus_1_colours():
    assert colour_columns(band(200, 2)).max() + 1 == 5
    assert colour_columns(sp.diags([np.ones(99), np.ones(100), np.ones(99)], [-1, 0, 1])).max() == 2


def test_empty_columns_get_no_colour():
    P = np.zeros((3, 4), bool)
    P[0, 0] = P[2, 3] = True
    assert colour_columns(P).tolist() == [0, -1, -1, 0]
    assert colour_columns(np.zeros((2, 3), bool)).tolist() == [-1, -1, -1]


def _valid(P, colour):
    P = np.asarray(P, bool)
    if not (colour[~P.any(axis=0)] == -1).all() or (colour[P.any(axis=0)] < 0).any():
        return False
    for c in range(colour.max() + 1):
        if (P[:, colour == c].sum(axis=1) > 1).any():  # two columns of a colour share a row
            return False
    return True


@given(st.integers(1, 25), st.integers(1, 25), st.floats(0.0, 0.6), st.integers(0, 2**32 - 1))
def test_colouring_is_valid_on_random_patterns(m, n, density, seed):
    P = np.random.default_rng(seed).random((m, n)) < density
    colour = colour_columns(P)
    assert colour.shape == (n,) and _valid(P, colour)
    # greedy: never more colours than the largest degree of the column-intersection graph + 1
    G = (P.T.astype(int) @ P.astype(int)) > 0
    np.fill_diagonal(G, False)
    assert colour.max() + 1 <= G.sum(axis=1).max(initial=0) + 1
    # the same colouring from a scipy matrix
    assert (colour_columns(sp.csr_array(P)) == colour).all()


# ---------------------------------------------------------------------------------------------
# sparse Jacobians against the dense one and the truth

def check_cost(f, x):
    """Evaluations of the random-direction check every sparse (adaptive) Jacobian ends with."""
    from derivlab.sparse import VERIFY_SEED
    v = np.random.default_rng(VERIFY_SEED).standard_normal(np.shape(x))
    return derivlab.jvp(f, x, v).nfev


@pytest.mark.parametrize("n", [50, 150])
def test_tridiagonal_matches_dense_and_truth(n):
    x = np.random.default_rng(n).uniform(-2, 2, n)
    exact = tridiag_jac(x)
    dense = derivlab.jacobian(tridiag, x)
    res = derivlab.jacobian(tridiag, x, sparsity=band(n, 1))
    assert res.success and dense.success
    assert within_bars(res, exact) and within_bars(dense, exact)
    assert np.all(np.abs(res.value - dense.value) <= res.error + dense.error)
    assert res.value.shape == (n, n) and res.error.shape == (n, n) and res.status.shape == (n, n)
    assert (res.value[~band(n, 1)] == 0).all() and (res.error[~band(n, 1)] == 0).all()
    # evaluations in proportion to the colours, not to n
    assert "sparse: 3 colour groups" in res.method
    assert res.nfev - check_cost(tridiag, x) <= 3 / n * dense.nfev * 2


def test_cost_does_not_grow_with_n():
    costs = []
    for n in (50, 1000):
        x = np.random.default_rng(1).uniform(-2, 2, n)
        res = derivlab.jacobian(tridiag, x, sparsity=sp.diags([1.0, 1.0, 1.0], [-1, 0, 1], (n, n)) != 0,
                                sparse=True)
        exact = tridiag_jac(x)
        assert res.success and res.value.nnz == 3 * n - 2
        assert np.all(np.abs(res.value.toarray() - exact) <= res.error.toarray())
        costs.append(res.nfev)
    # (20x the outputs per colour: the last of them to settle sets each colour's walk, so the
    # cost may grow a little with n, never like n: 42 and 106 evaluations on 2026-12-08)
    assert costs[1] <= 3 * costs[0] < 0.2 * 1000


def test_block_diagonal():
    rng = np.random.default_rng(3)
    nb, b = 10, 4
    A = rng.uniform(-1, 1, (nb, b, b))

    def f(x):
        xb = x.reshape(nb, b)
        return (np.einsum("kij,kj->ki", A, np.sin(xb)) + xb * xb.sum(axis=1, keepdims=True)).ravel()

    x = rng.uniform(-1, 1, nb * b)
    xb = x.reshape(nb, b)
    exact = np.zeros((nb * b, nb * b))
    for k in range(nb):
        blk = A[k] * np.cos(xb[k])[None] + np.diag(np.full(b, xb[k].sum())) + xb[k][:, None]
        exact[k * b:(k + 1) * b, k * b:(k + 1) * b] = blk
    pattern = np.kron(np.eye(nb, dtype=bool), np.ones((b, b), bool))
    assert colour_columns(pattern).max() + 1 == b
    res = derivlab.jacobian(f, x, sparsity=pattern)
    dense = derivlab.jacobian(f, x)
    assert res.success and within_bars(res, exact)
    assert np.all(np.abs(res.value - dense.value) <= res.error + dense.error)
    assert res.nfev - check_cost(f, x) <= b / (nb * b) * dense.nfev * 2


@pytest.mark.parametrize("seed", [0, 1])
def test_random_pattern(seed):
    f = Random(45, 60, 0.08, seed)
    x = np.random.default_rng(seed + 10).uniform(-1.5, 1.5, 60)
    res = derivlab.jacobian(f, x, sparsity=f.P)
    dense = derivlab.jacobian(f, x)
    assert res.success and within_bars(res, f.jac(x))
    assert np.all(np.abs(res.value - dense.value) <= res.error + dense.error)
    colours = colour_columns(f.P).max() + 1
    assert res.nfev - check_cost(f, x) <= colours / 60 * dense.nfev * 2


def test_sparse_true_returns_csr_with_the_same_entries():
    n = 40
    x = np.linspace(-1, 1, n)
    P = band(n, 1)
    dense = derivlab.jacobian(tridiag, x, sparsity=P)
    res = derivlab.jacobian(tridiag, x, sparsity=sp.csr_array(P), sparse=True)
    assert isinstance(res.value, sp.csr_array) and isinstance(res.error, sp.csr_array)
    assert res.value.shape == (n, n) and res.value.nnz == P.sum() == res.error.nnz
    assert (res.value.toarray() == dense.value).all() and (res.error.toarray() == dense.error).all()
    assert res.status.shape == (P.sum(),) and all(s == Status.OK for s in res.status)
    assert res.success and "3 colour groups" in res.method and "entries" in res.message
    assert res.step.shape == (n,)
    assert "<table>" in res._repr_html_() and "Result(" in repr(res)


def test_options_that_work_with_sparsity():
    n = 12
    f = lambda x: np.append(x[:-1] * x[1:], np.log(x[-1]))  # noqa: E731
    x = np.linspace(0.5, 2.0, n)
    exact = np.zeros((n, n))
    exact[np.arange(n - 1), np.arange(n - 1)] = x[1:]
    exact[np.arange(n - 1), np.arange(1, n)] = x[:-1]
    exact[-1, -1] = 1 / x[-1]
    P = exact != 0
    for kw in ({}, {"method": "forward"}, {"method": "backward", "accuracy": 2},
               {"method": "complex"}, {"domain": (0.5, 2.0)}, {"vectorized": False}, {"rtol": 1e-6},
               {"method": derivlab.Stencil.from_offsets([-2, -1, 1, 2], 1)}):
        res = derivlab.jacobian(f, x, sparsity=P, **kw)
        assert res.success and within_bars(res, exact), kw
    res = derivlab.jacobian(f, x, sparsity=P, domain=(0.5, 2.0))
    assert res.status[0, 0] == Status.ONE_SIDED and res.status[-1, -1] == Status.ONE_SIDED
    for kw in ({"step": 1e-6}, {"adaptive": False}):
        res = derivlab.jacobian(f, x, sparsity=P, **kw)
        assert np.allclose(res.value, exact, rtol=1e-7, atol=1e-7)
        assert (res.status[P] == Status.FIXED_STEP).all() and (res.status[~P] == Status.OK).all()
    res = derivlab.jacobian(f, x, sparsity=P, trace=True)
    assert {r.element for r in res.trace} == {("colour", 0), ("colour", 1)}
    # batch: one Jacobian per row of x
    X = np.stack([x, x + 0.1, 1.5 * x])
    res = derivlab.jacobian(f, X, sparsity=P, batch=True)
    dense = derivlab.jacobian(f, X, batch=True)
    assert res.value.shape == (3, n, n) and res.step.shape == (3, n)
    assert np.all(np.abs(res.value - dense.value) <= res.error + dense.error)
    assert res.nfev < dense.nfev / 2


def test_shapes_of_x_and_f_are_flattened_for_the_pattern():
    g = lambda x: (x ** 2).reshape(3, 2)  # noqa: E731
    x = np.arange(1.0, 7.0).reshape(2, 3)
    res = derivlab.jacobian(g, x, sparsity=np.eye(6, dtype=bool))
    assert res.value.shape == (3, 2, 2, 3) and res.nfev < 20
    assert np.allclose(res.value.reshape(6, 6), np.diag(2 * x.ravel()))


def test_an_empty_pattern_is_zero_without_evaluations():
    res = derivlab.jacobian(lambda v: np.array([1.0, v[0] * 0]), [1.0, 2.0, 3.0],
                            sparsity=np.zeros((2, 3), bool))
    assert (res.value == 0).all() and (res.error == 0).all() and res.success and res.nfev == 1


def test_missing_nonzero_is_reported_when_its_row_has_no_entry_of_its_colour():
    n = 30  # a periodic tridiagonal f, given the plain tridiagonal pattern: J[0, n-1] missing

    def f(x):
        return 2 * x ** 2 - np.roll(x, 1) - np.roll(x, -1) ** 3

    res = derivlab.jacobian(f, np.linspace(0.1, 1, n), sparsity=band(n, 1))
    assert res.message.startswith("sparsity misses nonzeros of J")
    assert "derivlab.sparsity" in res.message
    # a wrong pattern is never a success: J[0, n-1] reads as 0 though it is 3 x[n-1]**2
    assert not res.success
    assert res.status[0, 0] == derivlab.Status.WRONG_PATTERN and res.value[0, n - 1] == 0
    periodic = band(n, 1).copy()
    periodic[0, n - 1] = periodic[n - 1, 0] = True
    x = np.linspace(0.1, 1, n)
    right = derivlab.jacobian(f, x, sparsity=periodic)
    assert right.success and "misses" not in right.message
    exact = np.diag(4 * x) - np.roll(np.eye(n), -1, 1) - 3 * np.roll(np.diag(x ** 2), -1, 0)
    assert np.all(np.abs(right.value - exact) <= right.error + 1e-300)


def test_jvp_recipe_catches_a_wrong_pattern():
    n = 40
    f = Random(n, n, 0.0, 0)
    f.P = band(n, 2)  # pentadiagonal f, claimed tridiagonal below
    f.C = np.where(f.P, 1.0 + np.arange(n)[:, None] / n, 0)
    x = np.linspace(-1, 1, n)
    v = np.random.default_rng(0).standard_normal(n)
    ref = derivlab.jvp(f, x, v)
    for pattern, wrong in ((band(n, 1), True), (band(n, 2), False)):
        res = derivlab.jacobian(f, x, sparsity=pattern)
        bad = np.abs(res.value @ v - ref.value) > np.abs(res.error) @ np.abs(v) + ref.error
        assert bad.any() == wrong


# ---------------------------------------------------------------------------------------------
# detection

def test_detected_pattern_equals_the_truth():
    f = Random(30, 40, 0.1, 5)
    found = derivlab.sparsity(f, np.zeros(40))  # at 0, x**2 / 2 has a zero slope: probes move
    assert found.dtype == bool and found.shape == (30, 40)
    assert (found == f.P).all()
    assert (derivlab.sparsity(tridiag, np.ones(25), probes=1) == band(25, 1)).all()
    assert (derivlab.sparsity(tridiag, np.ones(25), vectorized=False) == band(25, 1)).all()


def test_detection_costs_probes_times_n_plus_one():
    calls = []

    def f(x):
        calls.append(len(np.atleast_2d(x)))
        return tridiag(x)

    derivlab.sparsity(f, np.ones(20), probes=2, vectorized=False)
    assert sum(calls) == 2 * 21


def test_detection_treats_nan_as_a_dependency():
    f = lambda x: np.array([np.sqrt(x[0] - 1.0), x[1]])  # noqa: E731  (NaN below 1)
    found = derivlab.sparsity(f, [1.0, 2.0])
    assert found[1].tolist() == [False, True] and found[0, 0]


# ---------------------------------------------------------------------------------------------
# bad input

@pytest.mark.parametrize("kw, match", [
    ({"sparsity": band(5, 1)[:, :4]}, r"shape \(m, n\) with n = x's size 5.*got shape \(5, 4\)"),
    ({"sparsity": band(5, 1)[:4]}, r"shape \(m, n\) = \(5, 5\).*got shape \(4, 5\)"),
    ({"sparsity": band(5, 1)[0]}, r"must be 2-D"),
    ({"sparsity": band(5, 1) * 0.5}, r"booleans \(or 0/1.*got 0.5"),
    ({"sparsity": sp.csr_array(band(5, 1) * 2.0)}, r"booleans \(or 0/1.*A != 0"),
    ({"sparsity": band(5, 1), "method": "symbolic"}, r"method='symbolic' has no sparsity"),
    ({"sparsity": band(5, 1), "method": "jax"}, r"method='jax' has no sparsity"),
    ({"sparsity": band(5, 1), "method": "torch"}, r"method='torch' has no sparsity"),
    ({"sparse": True}, r"sparse=True needs sparsity="),
    ({"sparsity": band(5, 1), "sparse": True, "batch": True}, r"cannot be used with batch=True"),
])
def test_bad_input_messages(kw, match):
    x = np.ones((2, 5)) if kw.get("batch") else np.ones(5)
    with pytest.raises(InputError, match=match):
        derivlab.jacobian(tridiag, x, **kw)


def test_bad_input_types():
    with pytest.raises(InputTypeError, match="sparse must be True or False"):
        derivlab.jacobian(tridiag, np.ones(5), sparsity=band(5, 1), sparse=1)
    with pytest.raises(InputTypeError, match="sparsity must be an"):
        derivlab.jacobian(tridiag, np.ones(5), sparsity="tridiagonal")
    with pytest.raises(InputError, match="probes"):
        derivlab.sparsity(tridiag, np.ones(5), probes=0)


def test_sparse_true_without_scipy(monkeypatch):
    monkeypatch.setitem(sys.modules, "scipy.sparse", None)  # import scipy.sparse now fails
    with pytest.raises(InputError, match="scipy is not installed"):
        derivlab.jacobian(tridiag, np.ones(5), sparsity=band(5, 1), sparse=True)
    assert derivlab.jacobian(tridiag, np.ones(5), sparsity=band(5, 1)).success  # dense: fine


def test_a_wrong_pattern_the_free_check_cannot_see_fails_the_random_direction():
    """cumsum's J is lower triangular; given the identity, every column shares one colour and
    every row has an entry of it: only the check along a random direction sees the mixing."""
    res = derivlab.jacobian(np.cumsum, np.linspace(0.5, 1.5, 6), sparsity=np.eye(6))
    assert not res.success
    assert set(np.ravel(res.status)) == {derivlab.Status.WRONG_PATTERN}
    assert "random direction" in res.message


def test_the_random_direction_check_passes_a_right_pattern_and_counts_its_evaluations():
    x = np.linspace(0.5, 1.5, 6)
    right = np.tril(np.ones((6, 6), bool))
    res = derivlab.jacobian(np.cumsum, x, sparsity=right)
    fixed = derivlab.jacobian(np.cumsum, x, sparsity=right, step=1e-3)  # no check: no bar
    assert res.success and np.allclose(res.value, right)
    assert res.nfev > fixed.nfev
