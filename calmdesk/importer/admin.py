"""Admin for imports: what could not be imported and why, the record keys, and an upload
of an mbox file or an .eml message into a mailbox (history: nothing answers or notifies)."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from calmdesk.desk.models import Mailbox
from calmdesk.importer.actions import Team
from calmdesk.importer.models import ImportFailure, ImportRecord
from calmdesk.importer.run import run_import
from calmdesk.importer.sources.mail import MailArchive


class UploadForm(forms.Form):
    mailbox = forms.ModelChoiceField(queryset=Mailbox.objects.all(), label=_lazy("Mailbox"))
    archive = forms.FileField(
        label=_lazy("Mail archive"), help_text=_lazy("An mbox file, or one .eml message.")
    )


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ImportRecord)
class ImportRecordAdmin(ReadOnly):
    list_display = ["source", "kind", "external_id", "object_id", "imported_at"]
    list_filter = ["source", "kind"]
    search_fields = ["external_id"]


@admin.register(ImportFailure)
class ImportFailureAdmin(ReadOnly):
    list_display = ["created_at", "source", "kind", "external_id", "reason"]
    list_filter = ["source", "kind"]
    change_list_template = "admin/importer/failures.html"

    def get_urls(self) -> list[URLPattern]:
        upload = path(
            "upload/", self.admin_site.admin_view(self.upload_view), name="importer_upload"
        )
        return [upload, *super().get_urls()]

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_superuser:
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            _import_upload(request, form.cleaned_data["mailbox"], form.cleaned_data["archive"])
            return HttpResponseRedirect(reverse("admin:importer_upload"))
        context = {**self.admin_site.each_context(request), "form": form}
        context["title"] = _("Import a mail archive")
        return render(request, "admin/importer/upload.html", context)


def _import_upload(request: HttpRequest, mailbox: Mailbox, upload: UploadedFile) -> None:
    with tempfile.TemporaryDirectory() as folder:
        is_eml = (upload.name or "").lower().endswith(".eml")
        target = Path(folder) / ("upload.eml" if is_eml else "upload.mbox")
        with target.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        ours = {mailbox.email, *Team.load().by_email}
        source = MailArchive("eml" if is_eml else "mbox", Path(folder) if is_eml else target, ours)
        report = run_import(source, mailbox, progress=False, out=io.StringIO())
    summary = "; ".join(" ".join(line.split()) for line in report.lines()[1:])
    if report.complete:
        messages.success(request, _("Imported: %(summary)s") % {"summary": summary})
    else:
        messages.warning(
            request, _("Imported with records missing: %(summary)s") % {"summary": summary}
        )
