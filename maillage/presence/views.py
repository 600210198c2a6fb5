"""Presence pages: the personal dashboard and the circle dashboard."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("presence:dashboard")
    return redirect("account_login")
