from rest_framework import serializers

from .models import PointEvent


class PointEventSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="rule.kind")
    kind_name = serializers.CharField(source="rule.name")

    class Meta:
        model = PointEvent
        fields = [
            "id",
            "kind",
            "kind_name",
            "points",
            "requested_points",
            "capped",
            "reason",
            "day",
            "created_at",
        ]
