"""The unified social credit code (GB 32100-2015): what an officer types or pastes is
checked before it is stored, and one mistyped character is always caught."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cityguard.core import creditcode

# The worked example printed in GB 32100-2015.
STANDARD_EXAMPLE = "91350100M000100Y43"


def test_the_standards_own_example_is_valid() -> None:
    assert creditcode.validate(STANDARD_EXAMPLE) == STANDARD_EXAMPLE
    assert creditcode.check_character(STANDARD_EXAMPLE[:17]) == "3"
    # Its embedded GB 11714 organisation code M000100Y-4 carries its own check.
    assert creditcode.org_code_check("M000100Y") == "4"


@pytest.mark.parametrize(
    "typed",
    [
        "９１３５０１００Ｍ０００１００Ｙ４３",  # full-width, as pasted from a Chinese document
        "91350100m000100y43",  # lower case
        " 91350100 M000100Y43 ",  # spaces
        "913501-00M000100Y43",  # a hyphen for readability
        "９１３５０１００\u3000Ｍ０００１００ｙ４３",  # ideographic space and mixed case
    ],
)
def test_what_users_type_is_normalised_to_the_canonical_form(typed: str) -> None:
    assert creditcode.validate(typed) == STANDARD_EXAMPLE


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "length"),
        ("91350100M000100Y4", "length"),
        ("91350100M000100Y433", "length"),
        ("91350100M000100YI3", "character"),  # I is not in the alphabet (looks like 1)
        ("91350100M0001O0Y43", "character"),  # O is not in the alphabet (looks like 0)
        ("9135010〇M000100Y43", "character"),
        ("91350100M000100Y44", "check"),
    ],
)
def test_a_wrong_code_names_its_problem(value: str, reason: str) -> None:
    with pytest.raises(creditcode.CreditCodeError) as caught:
        creditcode.validate(value)
    assert caught.value.code == reason


def test_a_bad_organisation_code_check_is_caught_even_with_a_matching_18th_character() -> None:
    body = "91350100M000100Y5"  # organisation code check 5 instead of 4
    code = body + creditcode.check_character(body)
    with pytest.raises(creditcode.CreditCodeError) as caught:
        creditcode.validate(code)
    assert caught.value.code == "org_check"


@given(
    division=st.text(alphabet="0123456789", min_size=6, max_size=6),
    org8=st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8),
    prefix=st.sampled_from(["11", "12", "13", "19", "51", "52", "91", "92", "93", "Y1"]),
)
def test_every_code_made_from_its_parts_is_valid(prefix: str, division: str, org8: str) -> None:
    code = creditcode.make(prefix, division, org8)
    assert len(code) == 18
    assert creditcode.validate(code) == code


@given(
    position=st.integers(min_value=0, max_value=17),
    replacement=st.characters(codec="utf-8", exclude_characters=" \u3000-"),
)
@example(position=17, replacement="4")
@example(position=0, replacement="8")
@example(position=8, replacement="N")
def test_any_single_character_corruption_is_caught(position: int, replacement: str) -> None:
    original = STANDARD_EXAMPLE[position]
    corrupted = STANDARD_EXAMPLE[:position] + replacement + STANDARD_EXAMPLE[position + 1 :]
    if creditcode.normalise(corrupted) == STANDARD_EXAMPLE:
        # Same character in another case or width: not a corruption at all.
        assert creditcode.normalise(replacement) == original
        return
    with pytest.raises(creditcode.CreditCodeError):
        creditcode.validate(corrupted)


@given(
    # Both characters among the seventeen the check character covers.
    position=st.integers(min_value=0, max_value=15),
    data=st.data(),
)
def test_swapping_two_neighbouring_different_characters_is_caught(
    position: int, data: st.DataObject
) -> None:
    code = data.draw(
        st.builds(
            creditcode.make,
            st.just("91"),
            st.text(alphabet="0123456789", min_size=6, max_size=6),
            st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8),
        )
    )
    a, b = code[position], code[position + 1]
    if a == b:
        return
    swapped = code[:position] + b + a + code[position + 2 :]
    with pytest.raises(creditcode.CreditCodeError):
        creditcode.validate(swapped)
