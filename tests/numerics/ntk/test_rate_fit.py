"""Log-log slope fits with Student-t confidence intervals (numerics.ntk.rate_fit)."""
import numpy as np
import pytest

from numerics.ntk.rate_fit import fit_loglog_slope
from theory.errors import InputError


def test_exact_power_law_is_recovered_with_a_tiny_interval():
    m = np.array([64, 128, 256, 512, 1024], dtype=float)
    fit = fit_loglog_slope(m, 3.0 * m ** -0.5)
    assert fit.slope == pytest.approx(-0.5, abs=1e-12) and np.exp(fit.intercept) == pytest.approx(3.0)
    assert fit.ci[1] - fit.ci[0] < 1e-9 and fit.n == 5 and "Student-t" in fit.method


def test_interval_covers_the_true_slope_at_about_its_level():
    rng = np.random.default_rng(0)
    m = np.repeat(2.0 ** np.arange(6, 13), 4)
    covered = 0
    for _ in range(400):
        y = m ** -0.5 * np.exp(0.2 * rng.standard_normal(len(m)))
        lo, hi = fit_loglog_slope(m, y).ci
        covered += lo <= -0.5 <= hi
    assert 0.92 <= covered / 400 <= 0.98  # 95% nominal; ±3 binomial standard errors


@pytest.mark.parametrize("x, y", [([1, 2], [1, 2]), ([1, 2, 3], [1, -2, 3]), ([2, 2, 2], [1, 2, 3]),
                                  ([1, 2, np.nan], [1, 2, 3])])
def test_bad_input_raises(x, y):
    with pytest.raises(InputError):
        fit_loglog_slope(x, y)
