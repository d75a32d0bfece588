"""Organisational life's refusals (``backend.common.errors`` gives them their API form)."""

from backend.common.errors import Refused, ServiceError

__all__ = ["OrglifeError", "Refused"]


class OrglifeError(ServiceError):
    """A refused change in organisational life (400 unless said: 403 ``not_expected``,
    409 ``expired``…)."""
