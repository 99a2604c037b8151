"""The first day of the week, which a locale determines, for the week date literals.

Salesforce's SOQL guide ("Date Formats and Date Literals") starts `THIS_WEEK`, `LAST_N_WEEKS:n`
and the other week literals on the first day of the week, which "your locale determines": the
locale of the user sending the query (`User.LocaleSidKey`), else the org's. Salesforce formats
its locales by ICU 71.1 and CLDR 41 (Salesforce Help, "Supported Date and Time Formats (ICU)",
gives each locale's start day of the week), and CLDR keys the first day by the locale's
territory: Sunday in the United States, Canada, Japan, Brazil, Mexico, Israel and others,
Saturday in much of the Middle East and North Africa, Friday in the Maldives, Monday in the
rest of the world (en_GB, de_DE, fr_FR, en_AU, ...). Days are numbered as `date.weekday()`
numbers them, Monday 0 to Sunday 6.
"""

from __future__ import annotations

MONDAY = 0
FRIDAY = 4
SATURDAY = 5
SUNDAY = 6

DEFAULT_LOCALE = "en_US"
"""The locale of a new org (`Organization.DefaultLocaleSidKey`), and so its first day: Sunday."""

# CLDR 41's supplemental week data (`weekData/firstDay`), by territory.
_SUNDAY_TERRITORIES = frozenset({
    "AG", "AS", "BD", "BR", "BS", "BT", "BW", "BZ", "CA", "CN", "CO", "DM", "DO", "ET", "GT",
    "GU", "HK", "HN", "ID", "IL", "IN", "JM", "JP", "KE", "KH", "KR", "LA", "MH", "MM", "MO",
    "MT", "MX", "MZ", "NI", "NP", "PA", "PE", "PH", "PK", "PR", "PT", "PY", "SA", "SG", "SV",
    "TH", "TT", "TW", "UM", "US", "VE", "VI", "WS", "YE", "ZA", "ZW",
})  # fmt: skip
_SATURDAY_TERRITORIES = frozenset({
    "AE", "AF", "BH", "DJ", "DZ", "EG", "IQ", "IR", "JO", "KW", "LY", "OM", "QA", "SD", "SY",
})  # fmt: skip
_FRIDAY_TERRITORIES = frozenset({"MV"})


def first_day_of_week(locale: str) -> int:
    """The first day of the week in `locale` (a `LocaleSidKey` such as `en_GB`, `de_DE_EURO` or
    `zh_CN_PINYIN`): its territory's, Monday for a territory CLDR gives no other day or a
    locale naming none."""
    territory = _territory(locale)
    if territory in _SUNDAY_TERRITORIES:
        return SUNDAY
    if territory in _SATURDAY_TERRITORIES:
        return SATURDAY
    if territory in _FRIDAY_TERRITORIES:
        return FRIDAY
    return MONDAY


def _territory(locale: str) -> str | None:
    """The two-letter region of a locale key: the first two-letter part after the language
    (`sr_Latn_RS` has a script before it, `de_DE_EURO` a variant after it)."""
    parts = locale.replace("-", "_").split("_")[1:]
    return next((part.upper() for part in parts if len(part) == 2 and part.isalpha()), None)
