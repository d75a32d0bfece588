"""
One way to write a date wherever people read one (pages, admin, exports):
2026-11-30 and 2026-11-30 19:54; the short form 11-30 19:54 where the year is
plain. Scripts write the same (``frontend/static/courses/study.js``). Django's
own zh_Hans module still gives what is not set here (input formats, month names).
"""

DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "m-d H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "n月j日"
YEAR_MONTH_FORMAT = "Y年n月"
