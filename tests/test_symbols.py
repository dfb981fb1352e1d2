"""Resolution symbols are matched with or without the space before "(year)"."""

from hypothesis import given
from hypothesis import strategies as st

from apps.resolutions.models import normalize_symbol

numbers = st.integers(min_value=1, max_value=9999)
years = st.integers(min_value=1946, max_value=2100)
spaces = st.text(alphabet=" \t", max_size=3)


@given(numbers, years, spaces, spaces)
def test_any_spacing_gives_the_canonical_symbol(number, year, before, around):
    written = f"{around}S/RES/{number}{before}({year}){around}"
    assert normalize_symbol(written) == f"S/RES/{number} ({year})"


@given(st.text(max_size=40))
def test_normalizing_twice_changes_nothing(symbol):
    once = normalize_symbol(symbol)
    assert normalize_symbol(once) == once


def test_draft_symbols_are_left_alone():
    assert normalize_symbol(" S/2022/431 ") == "S/2022/431"
