"""jpholiday (what we ship) against python-holidays (dev only), every day of 2000–2035.

The two libraries are written independently from the same laws (国民の祝日に関する法律 and the
special laws of 2019, 2020 and 2021), so agreeing on every date is strong evidence both are right.
"""

from __future__ import annotations

from datetime import date

import holidays

from okaeri.calendar import holiday_name, holidays_in_year

YEARS = range(2000, 2036)

# The only differences, all in naming (the same dates are holidays in both):
# 1. jpholiday names a substitute holiday after the holiday it replaces ("文化の日 振替休日");
#    python-holidays calls every one plain "振替休日" (the law's term). Checked generally below.
# 2. The enthronement ceremony day of 2019 (特例法, 平成30年法律第99号) is "即位礼正殿の儀" in
#    jpholiday and "即位礼正殿の儀が行われる日" (the law's wording) in python-holidays.
KNOWN_NAME_DIFFERENCES = {date(2019, 10, 22): ("即位礼正殿の儀", "即位礼正殿の儀が行われる日")}
SUBSTITUTE = "振替休日"


def ours() -> dict[date, str]:
    return {day: name for year in YEARS for day, name in holidays_in_year(year)}


def theirs() -> dict[date, str]:
    return dict(holidays.country_holidays("JP", years=YEARS, language="ja").items())


def test_the_same_days_are_holidays() -> None:
    mine, other = ours(), theirs()
    assert sorted(set(mine) - set(other)) == []
    assert sorted(set(other) - set(mine)) == []
    assert len(mine) > 16 * len(YEARS)  # sanity: 16–17 a year (plus the 2019 specials)


def test_names_agree_but_for_the_known_differences() -> None:
    mine, other = ours(), theirs()
    differences = {day: (mine[day], other[day]) for day in mine if mine[day] != other.get(day)}
    substitutes = {
        day: pair
        for day, pair in differences.items()
        if pair[1] == SUBSTITUTE and pair[0].endswith(f" {SUBSTITUTE}")
    }
    assert {day: pair for day, pair in differences.items() if day not in substitutes} == (
        KNOWN_NAME_DIFFERENCES
    )
    # every substitute holiday is named the jpholiday way, and there are a good many of them
    assert set(substitutes) == {day for day, name in other.items() if name == SUBSTITUTE}
    assert len(substitutes) == 63


def test_every_day_of_the_range_answers_the_same() -> None:
    other = theirs()
    day, last = date(YEARS[0], 1, 1), date(YEARS[-1], 12, 31)
    while day <= last:
        assert (holiday_name(day) is not None) == (day in other), day
        day = date.fromordinal(day.toordinal() + 1)


def test_the_special_days_of_2019_to_2021() -> None:
    assert holiday_name(date(2019, 4, 30)) == "国民の休日"  # between 昭和の日 and the enthronement
    assert holiday_name(date(2019, 5, 1)) == "天皇の即位の日"
    assert holiday_name(date(2019, 5, 2)) == "国民の休日"
    assert holiday_name(date(2020, 7, 24)) == "スポーツの日"  # moved for the Olympics
    assert holiday_name(date(2020, 10, 12)) is None  # … so its usual day was a working day
    assert holiday_name(date(2021, 8, 9)) == "山の日 振替休日"
    assert holiday_name(date(2019, 12, 23)) is None  # 天皇誕生日 moved to 2-23 from 2020
    assert holiday_name(date(2020, 2, 23)) == "天皇誕生日"
