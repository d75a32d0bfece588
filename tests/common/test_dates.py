"""One date format wherever people read dates (issue 12, item 11): 2026-11-30 19:54."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.template import Context, Template
from django.utils import formats, translation

AT = datetime(2026, 11, 30, 19, 54, 23, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_templates_write_dates_one_way_in_chinese_and_english():
    template = Template(
        '{{ at|date:"DATETIME_FORMAT" }}|{{ at|date:"SHORT_DATETIME_FORMAT" }}|{{ day|date }}'
    )
    for language in ("zh-hans", "en"):
        with translation.override(language):
            text = template.render(Context({"at": AT, "day": date(2026, 11, 30)}))
            assert text == "2026-11-30 19:54|11-30 19:54|2026-11-30", language


def test_admin_date_fields_show_and_accept_the_same_format():
    with translation.override("zh-hans"):
        assert AdminDateWidget().format_value(date(2026, 11, 30)) == "2026-11-30"
        field = forms.DateField()
        assert field.clean("2026-11-30") == field.clean("2026/11/30") == date(2026, 11, 30)
        assert formats.get_format("DATE_INPUT_FORMATS")[0] == "%Y-%m-%d"
