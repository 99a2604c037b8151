"""The first day of the week by locale (CLDR 41's week data, as Salesforce's ICU formats)."""

import pytest

from forcebridge.soql.weeks import FRIDAY, MONDAY, SATURDAY, SUNDAY, first_day_of_week


@pytest.mark.parametrize(
    ("locale", "day"),
    [
        ("en_US", SUNDAY),
        ("en_CA", SUNDAY),
        ("ja_JP", SUNDAY),
        ("pt_BR", SUNDAY),
        ("es_MX", SUNDAY),
        ("iw_IL", SUNDAY),
        ("zh_CN_PINYIN", SUNDAY),
        ("en_GB", MONDAY),
        ("de_DE", MONDAY),
        ("fr_FR", MONDAY),
        ("en_AU", MONDAY),
        ("de_DE_EURO", MONDAY),
        ("ar_EG", SATURDAY),
        ("ar_AE", SATURDAY),  # CLDR 41, the version Salesforce's ICU 71.1 carries
        ("fa_IR", SATURDAY),
        ("dv_MV", FRIDAY),
    ],
)
def test_the_locales_territory_decides(locale: str, day: int) -> None:
    assert first_day_of_week(locale) == day


@pytest.mark.parametrize("locale", ["en", "", "sr_Latn_RS", "xx_ZZ"])
def test_monday_where_cldr_names_no_other_day(locale: str) -> None:
    assert first_day_of_week(locale) == MONDAY
