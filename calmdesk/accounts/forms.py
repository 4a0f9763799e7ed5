from __future__ import annotations

import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _


def _zones() -> list[tuple[str, str]]:
    return [(zone, zone.replace("_", " ")) for zone in sorted(zoneinfo.available_timezones())]


class PreferencesForm(forms.Form):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_zones)
    undo_seconds = forms.IntegerField(
        label=_("Pause before a reply leaves (seconds)"),
        min_value=0,
        max_value=600,
        required=False,
        help_text=_("Empty: the desk's default."),
    )
