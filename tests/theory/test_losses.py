"""Lipschitz constants of the losses."""
import pytest

from theory.errors import InputError
from theory.losses import loss_lipschitz


@pytest.mark.parametrize("name", ["hinge", "logistic", "absolute"])
def test_margin_losses_are_1_lipschitz(name):
    assert loss_lipschitz(name) == 1


def test_squared_needs_an_output_bound():
    assert loss_lipschitz("squared", 3.0) == 8
    with pytest.raises(InputError, match="not globally Lipschitz"):
        loss_lipschitz("squared")
    with pytest.raises(InputError, match="unknown loss"):
        loss_lipschitz("huber")
