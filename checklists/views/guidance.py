"""The guidance pages: what protection mainstreaming is, with good practices; and each
checklist's items' guidance."""

import hashlib

from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response
from django.views import generic

from projects import permissions
from projects.templatetags.people import display_name

from ..models import GoodPractice, Item, Phase, Principle
from . import page_cache


class GuidanceView(generic.TemplateView):
    """What protection mainstreaming is, each principle in practice, and good practices."""

    template_name = "checklists/guidance.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        principles = list(Principle.objects.all())
        selected = self.request.GET.get("principle", "")
        good_practices = GoodPractice.objects.select_related("principle")
        if selected in {p.code for p in principles}:
            good_practices = good_practices.filter(principle__code=selected)
        else:
            selected = ""
        context.update(
            principles=principles,
            phases=list(Phase.objects.all()),
            good_practices=list(good_practices),
            selected_principle=selected,
        )
        return context


def checklist_guidance(request, pk):
    """The guidance and source of each item of one checklist, and each principle's good
    practices, on a page of their own.

    The checklist page links each item's "Guidance" here (#g-<code>), and each principle's
    good practices (#gp-<principle>), rather than carrying every text on every visit; its
    script fetches this page and shows each text in its place, as a disclosure. Without the
    script, the links lead here. The part below the heading is kept rendered (a published
    framework's texts do not change). The page holds the person's name, so no cache of
    the browser keeps it (no-store, like every page of a signed-in person); the service
    worker keeps it for use offline and asks again with its ETag, and gets a 304.
    """
    checklist = permissions.get_checklist_for_user(request.user, pk)

    def render_items():
        principles = list(Principle.objects.all())
        items = list(Item.objects.filter(answers__checklist=checklist).order_by("order", "code"))
        practices: dict[int, list] = {}
        for practice in GoodPractice.objects.all():
            practices.setdefault(practice.principle_id, []).append(practice)
        groups = [
            {
                "principle": principle,
                # Only the items the checklist page links: those with guidance.
                "items": [i for i in items if i.principle_id == principle.pk and i.guidance],
                "good_practices": practices.get(principle.pk, []),
            }
            for principle in principles
            if any(i.principle_id == principle.pk for i in items)
        ]
        return render_to_string(
            "checklists/parts/item_guidance.html", {"checklist": checklist, "groups": groups}
        )

    items_html = page_cache.kept(
        page_cache.key(f"guidance-{checklist.pk}-{checklist.started_at.timestamp()}"),
        render_items,
    )
    # The page around the items holds the user's name and their CSRF token (the language
    # and sign-out forms): a copy from before a new sign-in must not be served as current.
    get_token(request)  # the CSRF secret the page's forms use, made now if it is new
    around = (str(request.user.pk), display_name(request.user), request.META["CSRF_COOKIE"])
    etag = hashlib.sha256("\n".join((items_html, *around)).encode()).hexdigest()[:32]
    not_modified = get_conditional_response(request, etag=f'"{etag}"')
    if not_modified is not None:
        return not_modified
    response = render(
        request,
        "checklists/checklist_guidance.html",
        {"checklist": checklist, "project": checklist.project, "items_html": items_html},
    )
    response["ETag"] = f'"{etag}"'
    return response
