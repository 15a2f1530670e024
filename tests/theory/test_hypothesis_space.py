"""Hypothesis spaces: parameter domains, narrowing only inward, floors drawn in order, violations named."""
import pytest

from theory.hypothesis_space import Constraint, HypothesisSpace, choice, integer, power_of_two, real


def test_domains_contain_exactly_their_values():
    assert integer("n", 1, 4).contains(4) and not integer("n", 1, 4).contains(5)
    assert not integer("n", 1, 4).contains(2.0) and not integer("n", 1, 4).contains(True)
    width = power_of_two("m", 2, 5)
    assert width.contains(4) and width.contains(32) and not width.contains(2) and not width.contains(12)
    assert real("r", 0.1, 1.0).contains(0.1) and not real("r", 0.1, 1.0).contains(float("nan"))
    assert choice("loss", ("hinge", "logistic")).contains("hinge") and not choice("loss", ("hinge",)).contains("x")
    assert width.describe() == "2^2 … 2^5" and real("r", 0.1, 1.0).describe() == "[0.1, 1]"


def test_narrowing_can_only_shrink_a_domain():
    assert integer("d", 1, 8).narrowed((2, 4)).values == (2, 4)
    assert choice("norm", ("l2", "linf", "cap")).narrowed(("l2",)).values == ("l2",)
    with pytest.raises(ValueError, match="leaves its domain"):
        integer("d", 1, 8).narrowed((0, 4))
    with pytest.raises(ValueError, match="leaves its domain"):
        power_of_two("m", 2, 5).narrowed((2, 6))
    with pytest.raises(ValueError, match="leaves its domain"):
        choice("norm", ("l2",)).narrowed(("l2", "l1"))


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError):
        integer("n", 4, 1)
    with pytest.raises(ValueError):
        choice("x", ("a", "a"))
    with pytest.raises(ValueError, match="drawn before it"):
        HypothesisSpace((power_of_two("m", 1, 4, floor=lambda c: c["k"], floor_names=("k",)), integer("k", 1, 3)))


def test_violations_name_domain_floor_and_constraint():
    space = HypothesisSpace((integer("k", 1, 8), power_of_two("m", 1, 6, floor=lambda c: 2 * c["k"],
                                                               floor_names=("k",), floor_text="2k")),
                            constraints=(Constraint("k even", ("k",), lambda c: c["k"] % 2 == 0),))
    assert space.violations({"k": 4, "m": 8}) == []
    assert space.violations({"k": 4, "m": 4}) == ["m = 4 below 2k = 8"]
    assert space.violations({"k": 3, "m": 64}) == ["violates k even"]
    assert space.violations({"k": 10, "m": 64}) == ["k = 10 outside 1 … 8"]
    assert space.violations({"k": 2}) == ["m missing"]


def test_a_subspace_keeps_only_the_constraints_over_its_parameters():
    space = HypothesisSpace((integer("a", 0, 3), integer("b", 0, 3)),
                            constraints=(Constraint("a ≤ b", ("a", "b"), lambda c: c["a"] <= c["b"]),
                                         Constraint("a odd", ("a",), lambda c: c["a"] % 2 == 1)))
    sub = space.subspace(("a",), {"a": (1, 3)})
    assert sub.names == ("a",) and [c.text for c in sub.constraints] == ["a odd"]
    with pytest.raises(ValueError, match="not parameters"):
        space.subspace(("c",))
