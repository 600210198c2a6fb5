from __future__ import annotations

from django import forms

from maillage.notifications.models import NotificationPreference


class NotificationPreferenceForm(forms.ModelForm[NotificationPreference]):
    class Meta:
        model = NotificationPreference
        fields = ["email"]
        widgets = {"email": forms.CheckboxInput(attrs={"class": "form-check-input"})}
