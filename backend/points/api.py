from rest_framework import generics

from . import selectors
from .serializers import PointEventSerializer


class MyPointEventsView(generics.ListAPIView):
    """The caller's points ledger, newest first."""

    serializer_class = PointEventSerializer

    def get_queryset(self):
        return selectors.point_events_for_member(member=self.request.user)
