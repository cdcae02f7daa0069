"""What lets the app work without a connection: the service worker, the page shown for a
page never opened, and the web app manifest (the app can be installed on a phone)."""

from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


@login_not_required
@require_GET
@cache_control(no_cache=True)
def service_worker(request):
    """static/js/sw.js, served at the root so that its scope is the whole app. Never kept
    by the browser's cache: a new release's worker must reach every device."""
    path = finders.find("js/sw.js")
    if path is None:
        raise Http404
    with open(path, encoding="utf-8") as source:
        return HttpResponse(source.read(), content_type="text/javascript; charset=utf-8")


@login_not_required
@require_GET
def offline_page(request):
    """What the service worker shows for a page never opened while there was a connection."""
    return render(request, "offline.html")


@login_not_required
@require_GET
def manifest(request):
    return JsonResponse(
        {
            "name": _("Protection mainstreaming"),
            "short_name": _("Protection"),
            "start_url": reverse("checklists:home"),
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#1a3d6d",
            "icons": [{"src": static("favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
        },
        content_type="application/manifest+json",
    )
