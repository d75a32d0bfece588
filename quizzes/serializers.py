"""API shapes. Attempt payloads are built by ``presenters``; these serializers
describe them for the OpenAPI schema and validate what clients send."""

from rest_framework import serializers

from .models import Mistake, Quiz


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


class ResultSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    correct = serializers.BooleanField()
    points = serializers.FloatField()
    explanation = serializers.CharField(allow_blank=True)
    source = serializers.CharField(allow_blank=True)
    your_answer = AnswerSerializer(allow_null=True)
    correct_choices = serializers.ListField(child=serializers.CharField())
    correct_text = serializers.ListField(child=serializers.CharField(), required=False)


class AttemptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["quiz", "daily", "special", "mistakes"])
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


class MistakeSerializer(serializers.ModelSerializer):
    question = serializers.SerializerMethodField()

    class Meta:
        model = Mistake
        fields = ["id", "question", "wrong_count", "right_streak", "last_wrong_at", "resolved_at"]

    def get_question(self, mistake) -> dict:
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
        }
