"""Losses: values against their formulas, convexity/endpoint maximum, Lipschitz constants, bad names."""
import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from numerics.network.losses import LIPSCHITZ_LOSSES, LOSSES, get_loss
from theory.errors import InputError

reals = st.floats(-50, 50, allow_nan=False)


@pytest.mark.parametrize("name,formula", [
    ("hinge", lambda f, y: max(0.0, 1 - y * f)),
    ("logistic", lambda f, y: math.log1p(math.exp(-y * f))),
    ("absolute", lambda f, y: abs(f - y)),
    ("squared", lambda f, y: (f - y) ** 2),
])
def test_values_match_formulas(name, formula):
    f = torch.tensor([-2.0, -0.3, 0.0, 0.7, 3.0], dtype=torch.float64)
    for yv in (-1.0, 1.0):
        y = torch.full_like(f, yv)
        got = get_loss(name).value(f, y)
        want = [formula(float(a), yv) for a in f]
        assert np.allclose(got.numpy(), want, rtol=1e-14, atol=1e-15)
        assert np.allclose(get_loss(name).value_numpy(f.numpy(), y.numpy()), want, rtol=1e-14, atol=1e-15)


def test_logistic_is_stable_at_large_margins():
    f = torch.tensor([-1000.0, 1000.0], dtype=torch.float64)
    v = get_loss("logistic").value(f, torch.ones(2, dtype=torch.float64))
    assert torch.isfinite(v).all() and abs(float(v[0]) - 1000.0) < 1e-9 and float(v[1]) < 1e-300


def test_registry_metadata():
    assert set(LOSSES) == {"hinge", "logistic", "absolute", "squared"}
    for name in LIPSCHITZ_LOSSES:
        assert get_loss(name).lipschitz == 1.0
    assert get_loss("squared").lipschitz is None
    assert [get_loss(n).margin_decreasing for n in LOSSES] == [True, True, False, False]


def test_unknown_loss_is_input_error():
    with pytest.raises(InputError, match="unknown loss 'cross'"):
        get_loss("cross")


@given(st.sampled_from(LIPSCHITZ_LOSSES), reals, reals, st.sampled_from([-1.0, 1.0]))
def test_lipschitz_in_f(name, a, b, y):
    loss = get_loss(name)
    va, vb = loss.value_numpy(np.array([a, b]), np.array([y, y]))
    assert abs(va - vb) <= loss.lipschitz * abs(a - b) + 1e-12


@given(st.sampled_from(["hinge", "logistic"]), reals, st.floats(0, 20), st.sampled_from([-1.0, 1.0]))
def test_margin_losses_decrease_in_margin(name, m, step, y):
    loss = get_loss(name)
    v1, v2 = loss.value_numpy(np.array([m * y, (m + step) * y]), np.array([y, y]))
    assert v2 <= v1 + 1e-15


@given(st.sampled_from(LOSSES), reals, st.floats(0, 10), st.floats(-1, 1))
def test_max_over_interval_is_the_dense_maximum(name, lo, width, y):
    loss = get_loss(name)
    grid = torch.linspace(lo, lo + width, 401, dtype=torch.float64)
    dense = float(loss.value(grid, torch.full_like(grid, y)).max())
    t = lambda v: torch.tensor([v], dtype=torch.float64)  # noqa: E731
    got = float(loss.max_over_interval(t(lo), t(lo + width), t(y))[0])
    assert got >= dense - 1e-12 * (1 + abs(dense))
    assert got <= dense + 1e-12 * (1 + abs(dense))  # attained at an endpoint, which is on the grid
