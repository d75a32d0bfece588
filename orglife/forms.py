"""
The scheduling form (``/orglife/new/``): what a secretary, a unit admin or the
city admin may put on the calendar, checked against their reach before
``services.session_create`` writes anything.
"""

from datetime import timedelta

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import BRANCH_ROLES, Branch, Unit, User
from backend.accounts.scope import is_city_admin
from courses.models import Lecture, ReadingItem
from quizzes.models import Quiz, QuizPurpose
from quizzes.scope import quizzes_manageable_by, quizzes_open_to

from . import scope
from .models import BRANCH_KINDS, PartyGroup, SessionKind
from .services import SessionInput

LOCAL_INPUT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends

LENGTHS = [
    (30, _("30 minutes")),
    (45, _("45 minutes")),
    (60, _("1 hour")),
    (90, _("90 minutes")),
    (120, _("2 hours")),
    (180, _("3 hours")),
    (240, _("4 hours")),
    (480, _("A whole day")),
]

OUT_OF_REACH = _("Choose one from the list.")


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=LOCAL_INPUT, **kwargs)


def _pick(model, label, *, required=False, field=forms.ModelChoiceField, **extra):
    """A choice among rows the caller may use (the queryset is set per user)."""
    return field(
        queryset=model.objects.none(),
        required=required,
        label=label,
        error_messages={"invalid_choice": OUT_OF_REACH},
        **extra,
    )


class SessionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), error_messages={"invalid_choice": OUT_OF_REACH})
    branch = _pick(Branch, _("Branch"), empty_label=_("Choose the branch"))
    unit = _pick(Unit, _("Lecture in the hall for"))
    group = _pick(PartyGroup, _("Party group"), empty_label=_("Choose the Party group"))
    title = forms.CharField(max_length=120, label=_("Title"))
    topic = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Topic")
    )
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        input_formats=[LOCAL_INPUT, "%Y-%m-%d %H:%M"],
        widget=LocalDateTimeInput(),
    )
    length = forms.TypedChoiceField(
        error_messages={"invalid_choice": OUT_OF_REACH},
        choices=LENGTHS,
        coerce=int,
        initial=120,
        label=_("Length"),
    )
    place = forms.CharField(max_length=120, required=False, label=_("Place"))
    host = _pick(User, _("Host"), required=True, empty_label=None)
    lecture = _pick(Lecture, _("Lecture studied"), empty_label=_("None"))
    reading_items = _pick(
        ReadingItem,
        _("Reading studied"),
        field=forms.ModelMultipleChoiceField,
        widget=forms.CheckboxSelectMultiple,
    )
    quiz = _pick(
        Quiz,
        _("Make-up quiz"),
        empty_label=_("None"),
        help_text=_("Absent members pass this quiz as part of their make-up study."),
    )

    def __init__(self, *args, user: User, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        today = today or timezone.localdate()
        city = is_city_admin(user)
        self.branches = scope.branches_schedulable_by(user).select_related("unit")
        self.units = scope.units_schedulable_by(user)
        self.may_hold_lecture = city or self.units.exists()
        self.branch_fixed = not city and user.role == "secretary"
        kinds = BRANCH_KINDS + ((SessionKind.HALL_LECTURE,) if self.may_hold_lecture else ())
        self.fields["kind"].choices = [(k.value, k.label) for k in kinds]
        self.fields["branch"].queryset = self.branches.order_by("unit__position", "position")
        self.fields["branch"].label_from_instance = lambda b: (
            b.name if self.branch_fixed or not city else f"{b.unit.name} · {b.name}"
        )
        self.fields["unit"].queryset = self.units.order_by("position")
        if city:
            self.fields["unit"].empty_label = _("The whole city")
        else:
            self.fields["unit"].empty_label = None
        self.fields["group"].queryset = PartyGroup.objects.filter(
            branch__in=self.branches
        ).select_related("branch")
        self.fields["group"].label_from_instance = lambda g: (
            g.name if self.branch_fixed else f"{g.branch.name} · {g.name}"
        )
        hosts = User.objects.filter(is_active=True).filter(
            Q(pk=user.pk) | Q(role__in=BRANCH_ROLES, branch__in=self.branches)
        )
        self.fields["host"].queryset = hosts.order_by("branch_id", "display_name")
        self.fields["host"].initial = user.pk
        self.fields["host"].label_from_instance = lambda u: u.name
        lectures = Lecture.objects.published().filter(month__year=today.year)
        self.fields["lecture"].queryset = lectures.order_by("-month", "-is_featured")
        self.fields["lecture"].label_from_instance = lambda lec: f"{lec.month:%Y-%m} {lec.title}"
        self.fields["reading_items"].queryset = (
            ReadingItem.objects.filter(reading_list__is_published=True)
            .filter(
                Q(reading_list__year=today.year)
                | Q(reading_list__lecture__in=lectures.values("pk"))
            )
            .select_related("reading_list")
            .order_by("reading_list__position", "reading_list_id", "position", "id")
        )
        self.fields["quiz"].queryset = (
            Quiz.objects.filter(
                Q(pk__in=quizzes_open_to(user).values("pk"))
                | Q(pk__in=quizzes_manageable_by(user).values("pk"))
            )
            .exclude(purpose=QuizPurpose.CONTEST)
            .order_by("-id")
        )
        if self.branch_fixed:
            self.fields["branch"].initial = user.branch_id
        if not self.is_bound:
            start = timezone.localtime() + timedelta(days=7)
            self.initial.setdefault(
                "starts_at", start.replace(hour=15, minute=0, second=0, microsecond=0)
            )
            if self.initial.get("kind") == SessionKind.HALL_LECTURE:
                featured = lectures.filter(month=today.replace(day=1), is_featured=True).first()
                if featured is not None:
                    self.initial.setdefault("lecture", featured.pk)
                    self.initial.setdefault("title", featured.title)

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        starts_at = data.get("starts_at")
        if starts_at is not None and starts_at < timezone.now() - timedelta(days=366):
            self.add_error("starts_at", _("Choose a date within the last year or later."))
        if kind is None:
            return data
        if kind == SessionKind.HALL_LECTURE:
            if data.get("unit") is None and not scope.can_hold_city_lecture(self.user):
                self.add_error("unit", _("Choose the unit the lecture is for."))
            data["branch"] = data["group"] = None
            return data
        data["unit"] = None
        branch = self.user.branch if self.branch_fixed else data.get("branch")
        if branch is None:
            if "branch" not in self.errors:
                self.add_error("branch", _("Choose the branch that holds this session."))
            return data
        data["branch"] = branch
        if kind == SessionKind.GROUP:
            group = data.get("group")
            if group is None or group.branch_id != branch.pk:
                self.add_error("group", _("Choose one of the branch's Party groups."))
        else:
            data["group"] = None
        host = data.get("host")
        if host is not None and host.pk != self.user.pk and host.branch_id != branch.pk:
            self.add_error("host", _("The host is one of the branch's members."))
        return data

    def session_input(self) -> SessionInput:
        data = self.cleaned_data
        return SessionInput(
            kind=data["kind"],
            title=data["title"],
            topic=data.get("topic", ""),
            starts_at=data["starts_at"],
            ends_at=data["starts_at"] + timedelta(minutes=data["length"]),
            place=data.get("place", ""),
            branch=data.get("branch"),
            unit=data.get("unit"),
            group=data.get("group"),
            host=data["host"],
            lecture=data.get("lecture"),
            quiz=data.get("quiz"),
            reading_items=tuple(data.get("reading_items") or ()),
        )
