"""Importing question banks from files other systems wrote: ``read`` turns a file
into rows under our field keys (layouts in ``layouts``); ``plan`` turns the rows
into a preview and commits it."""

from .read import (
    FIELD_KEYS,
    FIELD_LABELS,
    REQUIRED,
    ImportRefused,
    ReadResult,
    SourceRow,
    check_mapping,
    read_questions,
)

__all__ = [
    "FIELD_KEYS",
    "FIELD_LABELS",
    "REQUIRED",
    "ImportRefused",
    "ReadResult",
    "SourceRow",
    "check_mapping",
    "read_questions",
]
