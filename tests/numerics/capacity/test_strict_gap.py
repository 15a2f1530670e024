"""The two-stump class of numerics.capacity.strict_gap (C9 at n = 3): it meets the hypothesis on 3-point datasets,
its counting VC bound falls below d = ⌊3/2⌋·d from d = 21 on, and it shatters the template's q-points at d ≤ 5."""
from fractions import Fraction as F

import numpy as np
import pytest

from numerics.capacity.strict_gap import (counting_vc_upper_bound, stump_labeling_bound, stump_vc_upper_bound,
                                          two_stump_interpolator, two_stump_labelings, two_stump_refutation_d,
                                          two_stump_vc_upper_bound, two_stumps_robustly_interpolate)
from numerics.capacity.vc_constructions import Convention, Geometry
from theory.errors import InputError

STRICT_CLOSED = Convention("closed", "strict", "arbitrary", "sign")
LINF = Geometry("linf", F(1, 2), F(1))


def test_counting_bounds():
    assert stump_vc_upper_bound(6) == 5 and counting_vc_upper_bound(stump_labeling_bound, 6) == 5
    assert [two_stump_vc_upper_bound(d) for d in (20, 21)] == [20, 20]
    assert two_stump_refutation_d() == 21
    with pytest.raises(InputError):
        two_stump_vc_upper_bound(0)


def test_two_stumps_interpolate_a_point_separated_from_two_others_along_different_coordinates():
    # b = 0 is −1; a1 differs from it only in coordinate 0, a2 only in coordinate 1: no single stump works
    data = (((F(0), F(0)), -1), ((F(2), F(0)), 1), ((F(0), F(-2)), 1))
    f = two_stump_interpolator(data, LINF, STRICT_CLOSED)
    assert f.combine == "max" and len(f.stumps) == 2
    assert two_stumps_robustly_interpolate(data, LINF, STRICT_CLOSED, f)
    flipped = tuple((x, -y) for x, y in data)
    g = two_stump_interpolator(flipped, LINF, STRICT_CLOSED)
    assert g.combine == "min" and two_stumps_robustly_interpolate(flipped, LINF, STRICT_CLOSED, g)
    # a function built for other data does not pass the exact check
    assert not two_stumps_robustly_interpolate(flipped, LINF, STRICT_CLOSED, f)


def test_labelings_of_the_template_points():
    for d, realized in ((2, 4), (5, 32), (6, 44)):
        assert len(two_stump_labelings(0.5 * np.eye(d))) == realized
