"""Every configuration the hunt draws lies inside its claim's hypothesis space, cheap widths come first."""
import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from audit.hunt.strategies import config_strategy
from theory.hypothesis_space import HypothesisSpace, integer, power_of_two
from theory.spaces import SPACES


# C3's width floor m*_C3 ∝ R⁸/ε⁶ is at most 2^12 only for small R and large ε: most of its draws are filtered.
@pytest.mark.parametrize("claim_id", sorted(SPACES))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data())
def test_drawn_configurations_satisfy_every_domain_floor_and_constraint(claim_id, data):
    space = SPACES[claim_id]
    config = data.draw(config_strategy(space))
    assert space.violations(config) == []


@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_a_floor_raises_the_smallest_drawn_width(data):
    space = HypothesisSpace((integer("k", 1, 4), power_of_two("m", 1, 8, floor=lambda c: 10 * c["k"],
                                                               floor_names=("k",))))
    config = data.draw(config_strategy(space))
    assert config["m"] >= 10 * config["k"]


def test_the_first_example_is_the_cheapest_configuration_of_the_space():
    space = SPACES["C1-convergence"]
    first = find(config_strategy(space), lambda c: True,
                 settings=settings(phases=[Phase.generate], database=None, derandomize=True))
    assert (first["activation"], first["loss"], first["eps"], first["R"], first["n"], first["seed"]) == \
        ("softplus", "hinge", 0.1, 0.25, 4, 0)
    assert first["width"] == max(4, 1 << (space.parameter("width").floor(first) - 1).bit_length())
