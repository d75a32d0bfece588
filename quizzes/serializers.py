"""API shapes. Attempt payloads are built by ``presenters``; these serializers
describe them for the OpenAPI schema and validate what clients send."""

from rest_framework import serializers

from .models import Mistake, Quiz
from .sources import source_link


class OptionSerializer(serializers.Serializer):
    key = serializers.CharField()
    text = serializers.CharField()


class AttemptQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["single", "multiple", "truefalse", "fill"])
    text = serializers.CharField()
    points = serializers.IntegerField()
    options = OptionSerializer(many=True)
    blanks = serializers.IntegerField(required=False, help_text="fill: number of blanks")


class AnswerSerializer(serializers.Serializer):
    """``{choices:[key…]}`` for choice and true/false questions (keys as shown:
    A, B… or true/false); ``{text}`` or ``{blanks:[…]}`` for fill-in."""

    choices = serializers.ListField(child=serializers.CharField(max_length=10), required=False)
    text = serializers.CharField(required=False, allow_blank=True, max_length=200)
    blanks = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=200),
        required=False,
        max_length=20,
    )


class SourceLinkSerializer(serializers.Serializer):
    """The lecture passage a question cites (``quizzes.sources.source_link``)."""

    lecture = serializers.IntegerField()
    title = serializers.CharField()
    anchor = serializers.CharField(allow_blank=True, help_text="the paragraph's id: p3; ''")
    url = serializers.CharField(help_text="the lecture page opened at the passage")


class ResultSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    correct = serializers.BooleanField()
    points = serializers.FloatField()
    explanation = serializers.CharField(allow_blank=True)
    source = serializers.CharField(allow_blank=True, help_text="出处 as written")
    source_link = SourceLinkSerializer(
        allow_null=True, help_text="the cited lecture passage; null when none"
    )
    your_answer = AnswerSerializer(allow_null=True)
    correct_choices = serializers.ListField(child=serializers.CharField())
    correct_text = serializers.ListField(child=serializers.CharField(), required=False)


class AttemptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["quiz", "daily", "special", "mistakes", "lecture"])
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=["open", "submitted", "expired"])
    practice = serializers.BooleanField()
    started_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(allow_null=True, help_text="server time; null: no limit")
    server_now = serializers.DateTimeField()
    questions = AttemptQuestionSerializer(many=True)
    answers = serializers.DictField(child=AnswerSerializer(allow_null=True))
    results = ResultSerializer(many=True)
    score = serializers.FloatField(allow_null=True)
    max_score = serializers.FloatField()
    passed = serializers.BooleanField(allow_null=True)


class SavedAnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    saved = serializers.BooleanField()
    saved_at = serializers.DateTimeField()
    result = ResultSerializer(required=False, help_text="practice only: the verdict at once")
    attempt_status = serializers.CharField()


class SubmitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    score = serializers.FloatField()
    max_score = serializers.FloatField()
    passed = serializers.BooleanField(allow_null=True)
    finished_at = serializers.DateTimeField()
    results = ResultSerializer(many=True)


class QuizSerializer(serializers.ModelSerializer):
    attempts_used = serializers.IntegerField(read_only=True)

    class Meta:
        model = Quiz
        fields = [
            "id",
            "title",
            "description",
            "purpose",
            "time_limit_minutes",
            "max_attempts",
            "attempts_used",
            "opens_at",
            "closes_at",
            "pass_percent",
        ]


class CategorySerializer(serializers.Serializer):
    name = serializers.CharField()
    count = serializers.IntegerField()


class SpecialPracticeSerializer(serializers.Serializer):
    category = serializers.CharField(max_length=50)


class MistakeQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    text = serializers.CharField()
    options = OptionSerializer(many=True)
    answer = serializers.JSONField(help_text="the answer key (quizzes.scoring, version 1)")
    explanation = serializers.CharField(allow_blank=True)
    category = serializers.CharField()
    source = serializers.CharField(allow_blank=True, help_text="出处 as written")
    source_link = SourceLinkSerializer(allow_null=True)


class MistakeSerializer(serializers.ModelSerializer):
    """A notebook entry; load ``question__lecture`` with it (``selectors.mistakes_for_member``)."""

    question = serializers.SerializerMethodField()

    class Meta:
        model = Mistake
        fields = ["id", "question", "wrong_count", "right_streak", "last_wrong_at", "resolved_at"]

    def get_question(self, mistake) -> MistakeQuestionSerializer:
        q = mistake.question
        return {
            "id": q.pk,
            "kind": q.kind,
            "text": q.stem,
            "options": [
                {"key": chr(ord("A") + i), "text": text} for i, text in enumerate(q.options)
            ],
            "answer": q.answer,
            "explanation": q.explanation,
            "category": q.category,
            "source": q.source,
            "source_link": source_link(q),
        }
