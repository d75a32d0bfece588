"""Supervision's refusals (``backend.common.errors`` gives them their API form)."""

from backend.common.errors import Refused, ServiceError

__all__ = ["Refused", "SupervisionError"]


class SupervisionError(ServiceError):
    """A refused request or change in supervision (400 unless said: 403, 404
    ``not_found``…)."""
