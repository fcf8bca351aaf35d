"""The funnel plot's limits and positions (reports/funnel.py), against limits computed by hand."""

from fractions import Fraction

import pytest

from reports.funnel import (
    ABOVE_INNER,
    ABOVE_OUTER,
    BELOW_INNER,
    BELOW_OUTER,
    INSIDE,
    curve_sizes,
    funnel,
    limits,
    position,
)


def test_limits_are_p0_plus_minus_z_standard_errors_clipped_to_0_100():
    # p0 = 0.2, n = 25: sd = √(0.2 × 0.8 / 25) = 0.08; 1.96 × 0.08 = 0.1568; 3.09 × 0.08 = 0.2472
    assert limits(Fraction(1, 5), 25, 1.96) == pytest.approx((4.32, 35.68))
    assert limits(Fraction(1, 5), 25, 3.09) == pytest.approx((0.0, 44.72))  # 0.2 − 0.2472 < 0: clipped
    # n = 100: sd = 0.04; ±0.0784 and ±0.1236
    assert limits(0.2, 100, 1.96) == pytest.approx((12.16, 27.84))
    assert limits(0.2, 100, 3.09) == pytest.approx((7.64, 32.36))
    assert limits(0.9, 4, 3.09)[1] == 100.0  # clipped above


def test_positions_against_the_inner_and_outer_limits():
    p0 = Fraction(1, 5)
    assert position(9, 25, p0) == ABOVE_INNER  # 36 % > 35.68, < 44.72
    assert position(12, 25, p0) == ABOVE_OUTER  # 48 % > 44.72
    assert position(20, 100, p0) == INSIDE
    assert position(7, 100, p0) == BELOW_OUTER  # 7 % < 7.64
    assert position(12, 100, p0) == BELOW_INNER  # 12 % < 12.16, > 7.64
    assert position(8, 25, p0) == INSIDE  # 32 %


def test_the_funnel_keeps_the_order_given_and_leaves_out_empty_groups():
    schools = [
        ("sch660005", 100, 7),
        ("sch660001", 25, 9),
        ("sch660002", 25, 12),
        ("sch660003", 0, 0),
        ("sch660004", 100, 20),
    ]
    result = funnel(schools, total=350, total_count=70)
    assert result.p0 == 20.0
    assert [point.code for point in result.points] == ["sch660005", "sch660001", "sch660002", "sch660004"]
    by_code = {point.code: point for point in result.points}
    assert by_code["sch660001"].share == 36.0 and by_code["sch660001"].position == ABOVE_INNER
    assert by_code["sch660001"].outside_inner and not by_code["sch660001"].outside_outer
    assert by_code["sch660002"].outside_outer
    assert by_code["sch660005"].position == BELOW_OUTER
    assert by_code["sch660004"].inner == pytest.approx((12.16, 27.84))
    # the limits are drawn from n = 1 to the largest school
    assert result.curve[0][0] == 1 and result.curve[-1][0] == 100
    n100 = next(row for row in result.curve if row[0] == 100)
    assert n100[1:] == pytest.approx((12.16, 27.84, 7.64, 32.36))


def test_without_participants_there_is_no_funnel():
    assert funnel([("sch660001", 0, 0)], total=0, total_count=0).p0 is None


def test_curve_sizes_are_spread_over_a_large_range():
    assert curve_sizes(5) == [1, 2, 3, 4, 5]
    sizes = curve_sizes(5000, steps=50)
    assert sizes[0] == 1 and sizes[-1] == 5000 and len(sizes) <= 51 and sizes == sorted(sizes)
    assert curve_sizes(3, smallest=5) == []
