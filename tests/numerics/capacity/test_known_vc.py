"""The known-VC calibration cases: their independent exact arguments decide what the theorems say."""
from fractions import Fraction

import pytest

from numerics.capacity.known_vc import (_boxes_shatter, _face_distance, _radon, _simplex_separators, _xor_grid,
                                        known_cases, threshold_case)


@pytest.mark.parametrize("d", [2, 3, 4])
def test_independent_arguments_give_the_known_answers(d):
    assert _simplex_separators(d, Fraction(0)) is True                    # VC(halfspaces) ≥ d + 1
    assert _simplex_separators(d, Fraction(1, 4 * d)) is True             # … robustly for δ = 1/(4d)
    assert _radon(d) is False                                             # d + 2 points are not shattered
    assert _face_distance(d, Fraction(1, 2 * d)) is False                  # at δ = 1/(2d) robust shattering fails
    assert _face_distance(d, Fraction(1, 4 * d)) is None                   # … and the argument says nothing below
    for case in known_cases(d):
        if "boxes" in case.name:
            assert case.truth() is case.shattered


def test_boxes_criterion_and_the_xor_grid():
    import numpy as np
    assert _boxes_shatter(np.array([[1], [-1]])) is True and _boxes_shatter(np.array([[1], [0], [-1]])) is False
    assert _xor_grid() is True


def test_the_threshold_case_expects_what_is_false():
    case = threshold_case(3)
    assert case.shattered is True and case.truth() is False
