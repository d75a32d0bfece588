from django.urls import reverse
from rest_framework import serializers

from .models import Attachment, Lecture, LectureProgress, ReadingItem


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "title", "kind", "content_type", "size", "url"]

    def get_url(self, attachment) -> str:
        return reverse("courses:attachment", args=[attachment.pk, attachment.download_name])


class ReadingItemSerializer(serializers.ModelSerializer):
    checked = serializers.BooleanField(read_only=True, default=False)
    attachment = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = ReadingItem
        fields = ["id", "kind", "title", "author", "chapters", "required", "attachment", "checked"]


class ProgressSerializer(serializers.Serializer):
    """The caller's study of one lecture, as the server counted it."""

    seconds_read = serializers.IntegerField()
    min_read_seconds = serializers.IntegerField()
    reached_end = serializers.BooleanField()
    completed = serializers.BooleanField()
    completed_at = serializers.DateTimeField(allow_null=True)
    can_complete = serializers.BooleanField()
    heartbeat_seconds = serializers.IntegerField()

    @staticmethod
    def build(lecture: Lecture, progress: LectureProgress | None, heartbeat: int) -> dict:
        seconds = progress.seconds_read if progress else 0
        completed_at = progress.completed_at if progress else None
        return {
            "seconds_read": seconds,
            "min_read_seconds": lecture.min_read_seconds,
            "reached_end": bool(progress and progress.reached_end),
            "completed": completed_at is not None,
            "completed_at": completed_at,
            "can_complete": completed_at is None and seconds >= lecture.min_read_seconds,
            "heartbeat_seconds": heartbeat,
        }


class LectureListSerializer(serializers.ModelSerializer):
    month = serializers.DateField(format="%Y-%m")
    completed = serializers.SerializerMethodField()

    class Meta:
        model = Lecture
        fields = [
            "id",
            "title",
            "speaker",
            "speaker_title",
            "month",
            "is_featured",
            "summary",
            "completed",
        ]

    def get_completed(self, lecture) -> bool:
        return getattr(lecture, "my_completed_at", None) is not None


class LectureDetailSerializer(serializers.ModelSerializer):
    month = serializers.DateField(format="%Y-%m")
    attachments = AttachmentSerializer(many=True)
    reading_list = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    quiz_questions = serializers.IntegerField(
        read_only=True,
        help_text="how many questions citing this lecture the caller may practise (学完测一测)",
    )

    class Meta:
        model = Lecture
        fields = [
            "id",
            "title",
            "speaker",
            "speaker_title",
            "month",
            "held_on",
            "is_featured",
            "summary",
            "body_html",
            "attachments",
            "reading_list",
            "progress",
            "quiz_questions",
        ]

    def get_reading_list(self, lecture) -> list[dict]:
        reading_list = getattr(lecture, "reading_list", None)
        if reading_list is None or not reading_list.is_published:
            return []
        return ReadingItemSerializer(reading_list.items.all(), many=True).data

    def get_progress(self, lecture) -> ProgressSerializer:
        return ProgressSerializer(
            ProgressSerializer.build(
                lecture, lecture.my_progress, self.context["heartbeat_seconds"]
            )
        ).data


class HeartbeatSerializer(serializers.Serializer):
    reached_end = serializers.BooleanField(required=False, default=False)


class ReportRowSerializer(serializers.Serializer):
    member_id = serializers.IntegerField()
    name = serializers.CharField()
    username = serializers.CharField()
    unit = serializers.CharField()
    branch = serializers.CharField()
    seconds_read = serializers.IntegerField()
    completed_at = serializers.DateTimeField(allow_null=True)


class LectureReportSerializer(serializers.Serializer):
    lecture = serializers.IntegerField(source="lecture.pk")
    title = serializers.CharField(source="lecture.title")
    total = serializers.IntegerField()
    completed_count = serializers.SerializerMethodField()
    rate = serializers.FloatField()
    completed = ReportRowSerializer(many=True)
    not_completed = ReportRowSerializer(many=True)

    def get_completed_count(self, report) -> int:
        return len(report.completed)
