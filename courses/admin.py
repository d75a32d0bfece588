"""
The city admin's side of the lecture series: lectures with a live preview of the
sanitised text, several attachments uploaded at once (all checked before any is
stored), reading lists with their items.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponse, HttpResponseNotAllowed
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import filetypes, services
from .models import Attachment, Lecture, ReadingItem, ReadingList
from .rendering import render_lecture

# What the admin's change form loads that the lecture pages do not use: they have no
# prepopulated (slug) fields, so XRegExp (164 KB minified, more with DEBUG on),
# urlify.js and prepopulate.js go; and the minified jQuery is loaded even with
# DEBUG on (Django picks the 290 KB unminified one then). The lecture upload page
# weighed 805 KB under `make run`; tests/browser/test_study.py keeps it in budget.
UNUSED_ADMIN_JS = {
    "admin/js/urlify.js",
    "admin/js/prepopulate.js",
    "admin/js/vendor/xregexp/xregexp.js",
    "admin/js/vendor/xregexp/xregexp.min.js",
}
MINIFIED_ADMIN_JS = {"admin/js/vendor/jquery/jquery.js": "admin/js/vendor/jquery/jquery.min.js"}


def light_media(media: forms.Media) -> forms.Media:
    """``media`` without the scripts above, and with the minified jQuery."""
    js = []
    for script in media._js:
        path = getattr(script, "_path", script)
        if path in UNUSED_ADMIN_JS:
            continue
        js.append(MINIFIED_ADMIN_JS.get(path, script))
    return forms.Media(js=js, css=media._css)


class LightMediaMixin:
    """For a ModelAdmin or an inline: load only what :func:`light_media` keeps."""

    @property
    def media(self):
        return light_media(super().media)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class LectureForm(forms.ModelForm):
    new_attachments = MultipleFileField(label=_("Upload attachments"), required=False)

    class Meta:
        model = Lecture
        fields = [
            "title",
            "month",
            "is_featured",
            "speaker",
            "speaker_title",
            "held_on",
            "summary",
            "body",
            "min_read_seconds",
            "status",
            "published_at",
        ]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 24, "class": "vLargeTextField lecture-body"}),
            "month": forms.DateInput(attrs={"placeholder": "2026-03-01"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_attachments"].help_text = _(
            "Several files at once: %(types)s. At most %(limit)s each."
        ) % {
            "types": filetypes.ACCEPTED_DESCRIPTION,
            "limit": filesizeformat(settings.LECTURE_ATTACHMENT_MAX_BYTES),
        }

    def clean_new_attachments(self):
        checked, problems = [], []
        for upload in self.cleaned_data.get("new_attachments") or []:
            try:
                checked.append(services.attachment_check(upload=upload))
            except filetypes.RefusedFile as exc:
                problems.append(f"{upload.name}: {exc}")
        if problems:
            raise ValidationError(problems)
        return checked


class AttachmentInline(LightMediaMixin, admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["title", "position", "kind", "content_type", "size", "link"]
    readonly_fields = ["kind", "content_type", "size", "link"]

    def has_add_permission(self, request, obj=None):
        return False  # added through "Upload attachments", which checks each file

    @admin.display(description=_("file"))
    def link(self, obj):
        url = reverse("courses:attachment", args=[obj.pk, obj.download_name])
        return format_html('<a href="{}" target="_blank">{}</a>', url, obj.download_name)


@admin.register(Lecture)
class LectureAdmin(LightMediaMixin, admin.ModelAdmin):
    form = LectureForm
    inlines = [AttachmentInline]
    list_display = [
        "month_label",
        "title",
        "speaker",
        "is_featured",
        "status",
        "published_at",
        "n_attachments",
    ]
    list_filter = ["status", "is_featured", "month"]
    search_fields = ["title", "speaker", "body"]
    date_hierarchy = "month"
    readonly_fields = ["preview"]
    fieldsets = [
        (
            None,
            {"fields": ["title", "month", "is_featured", "speaker", "speaker_title", "held_on"]},
        ),
        (_("Text"), {"fields": ["summary", "body", "preview", "min_read_seconds"]}),
        (_("Attachments"), {"fields": ["new_attachments"]}),
        (_("Publishing"), {"fields": ["status", "published_at"]}),
    ]

    class Media:
        js = ["courses/admin-preview.js"]
        css = {"all": ["courses/admin-preview.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(attachment_count=Count("attachments"))

    @admin.display(description=_("month"), ordering="month")
    def month_label(self, obj):
        return f"{obj.month:%Y-%m}"

    @admin.display(description=_("attachments"), ordering="attachment_count")
    def n_attachments(self, obj):
        return obj.attachment_count

    @admin.display(description=_("preview"))
    def preview(self, obj):
        # body_html is the sanitiser's output; the script below refreshes it live.
        url = reverse("admin:courses_lecture_preview")
        return format_html(
            '<div class="lecture-preview" data-preview-url="{}">{}</div>',
            url,
            mark_safe(obj.body_html if obj and obj.pk else ""),  # noqa: S308 (sanitised)
        )

    def save_model(self, request, obj, form, change):
        services.lecture_save(lecture=obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        uploads = form.cleaned_data.get("new_attachments") or []
        if uploads:
            services.attachments_add(lecture=form.instance, uploads=uploads)
            messages.success(
                request,
                ngettext("%(n)d attachment uploaded.", "%(n)d attachments uploaded.", len(uploads))
                % {"n": len(uploads)},
            )

    def save_formset(self, request, form, formset, change):
        if formset.model is Attachment:
            for instance in formset.save(commit=False):
                instance.save()
            for deleted in formset.deleted_objects:
                services.attachment_delete(attachment=deleted)
            return
        super().save_formset(request, form, formset, change)

    def get_urls(self):
        return [
            path(
                "preview/",
                self.admin_site.admin_view(self.preview_view),
                name="courses_lecture_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request):
        """Renders posted Markdown exactly as members will see it (sanitised)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not (self.has_change_permission(request) or self.has_add_permission(request)):
            return HttpResponse(status=403)
        return HttpResponse(render_lecture(request.POST.get("body", "")[:200_000]))


class ReadingItemInline(LightMediaMixin, admin.TabularInline):
    model = ReadingItem
    extra = 1
    fields = ["position", "kind", "title", "author", "chapters", "required", "attachment"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "attachment":
            kwargs["queryset"] = Attachment.objects.select_related("lecture")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ReadingList)
class ReadingListAdmin(LightMediaMixin, admin.ModelAdmin):
    inlines = [ReadingItemInline]
    list_display = ["title", "lecture", "year", "is_published", "n_items"]
    list_filter = ["is_published", "year"]
    search_fields = ["title", "items__title"]
    autocomplete_fields = ["lecture"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("lecture")
            .annotate(item_count=Count("items"))
        )

    @admin.display(description=_("items"), ordering="item_count")
    def n_items(self, obj):
        return obj.item_count
