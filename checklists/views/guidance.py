"""The guidance page: what protection mainstreaming is, and good practices."""

from django.views import generic

from ..models import GoodPractice, Phase, Principle


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
