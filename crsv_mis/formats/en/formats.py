"""English dates as UN documents write them (2 December 2026), and short dates in ISO (2026-12-02)
rather than Django's American month-first default. French uses Django's own fr formats
(2 décembre 2026, 02/12/2026, 1 234)."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
MONTH_DAY_FORMAT = "j F"
FIRST_DAY_OF_WEEK = 1
