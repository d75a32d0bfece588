"""
Django's own strings that its zh_Hans catalogue does not have yet (new in Django 6.x).
Named here so that ``make messages`` keeps them in our catalogue, which comes first
(``LOCALE_PATHS``): a Chinese screen shows no English placeholder in a select.
"""

from django.utils.translation import gettext_noop

DJANGO_STRINGS = [
    gettext_noop("- Select an option -"),  # django.db.models.fields.BLANK_CHOICE_LABEL
]
