"""/health/ for monitoring, /health/live/ for a load balancer or process supervisor.

Neither needs a login nor shows any of the app's data, neither is redirected to HTTPS
(SECURE_REDIRECT_EXEMPT), so a probe on the private network gets the answer itself.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import health


@login_not_required
@never_cache
@require_safe
def health_view(request):
    """200 when the database, the file storage and the task worker are all fine; else 503."""
    result = health.run_checks()
    return JsonResponse(result, status=200 if result["status"] == health.OK else 503)


@login_not_required
@never_cache
@require_safe
def live(request):
    """The process answers: nothing else is checked (no database, no storage)."""
    return JsonResponse({"status": health.OK})
