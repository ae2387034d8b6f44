"""English dates for a German city: day, month, year, never the US order and never a month by
number alone ("29 November 2026", "29 Nov 2026, 01:11"), 24-hour times as on the German pages,
weeks starting on Monday. Input formats stay Django's (ISO first)."""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
FIRST_DAY_OF_WEEK = 1
