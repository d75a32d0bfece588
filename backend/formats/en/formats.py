"""The English pages write dates as the Chinese ones do (see ``zh_Hans/formats.py``)."""

DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "m-d H:i"
TIME_FORMAT = "H:i"
