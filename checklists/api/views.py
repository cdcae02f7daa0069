"""The read API: lists and single objects, scoped by office through projects/permissions.py
exactly as the pages are (an object of another office is 404 here too), filtered like the
dashboard, cursor-paginated. Read only: every other method is 405."""

from django.contrib.auth.decorators import login_not_required
from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, pagination, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from projects import permissions

from .. import scoring
from ..models import AccessKind, Evidence, Principle, RiskRow
from ..reports.portfolio import is_endorsed
from ..workflow.access import record_access
from . import filters, serializers

NOT_FOUND = gettext_lazy(
    "Not found: it does not exist, or it belongs to an office you are not a member of."
)


@login_not_required
def unknown_address(request, *args, **kwargs):
    """Any other address under /api/v1/: a JSON 404, as the API's own are."""
    return JsonResponse({"detail": str(NOT_FOUND)}, status=404)


class Pages(pagination.CursorPagination):
    """Pages by ascending id: stable while rows are added, and the thousandth page costs
    what the first does (no count, no offset)."""

    ordering = "pk"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


def _filter_parameters(form_class) -> list[OpenApiParameter]:
    """The filters of a list, for the OpenAPI schema, from its form."""
    types = {"IntegerField": int, "TypedChoiceField": bool, "DateField": OpenApiTypes.DATE}
    return [
        OpenApiParameter(
            name,
            types.get(type(field).__name__, str),
            description=str(field.label),
            enum=[value for value, _label in field.choices if value]
            if type(field).__name__ == "ChoiceField"
            else None,
        )
        for name, field in form_class.base_fields.items()
    ]


class ReadViewSet(viewsets.ReadOnlyModelViewSet):
    """What every list of the API shares: scope, filters, pages."""

    pagination_class = Pages
    filter_form = filters.ProjectFilter
    lookup_value_regex = r"\d+"

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        # The API answers 401 itself (JSON, with the reason), never the login page.
        return login_not_required(super().as_view(actions, **initkwargs))

    def scope(self):
        """Every row the user may read, before filters (projects/permissions.py)."""
        raise NotImplementedError

    def get_queryset(self):
        return self.scope()

    def filter_queryset(self, queryset):
        if self.action != "list":  # one object by id: scope only, archived or not
            return queryset
        form = self.filter_form(
            self.request.query_params,
            projects=permissions.visible_projects(self.request.user),
        )
        if not form.is_valid():
            raise exceptions.ValidationError(
                {name: [str(message) for message in errors] for name, errors in form.errors.items()}
            )
        return self.narrow(form, queryset)

    def narrow(self, form, queryset):
        return form.narrow(queryset)

    def get_object(self):
        try:
            return super().get_object()
        except Http404:  # the same words whether it does not exist or is another office's
            raise exceptions.NotFound(NOT_FOUND) from None


@extend_schema_view(list=extend_schema(parameters=_filter_parameters(filters.ProjectFilter)))
class ProjectViewSet(ReadViewSet):
    """Projects of the offices the user belongs to (every office for HQ managers)."""

    serializer_class = serializers.ProjectSerializer

    def scope(self):
        return (
            permissions.visible_projects(self.request.user)
            .select_related("office__region", "current_phase")
            .prefetch_related("sectors")
            .annotate(endorsed=is_endorsed())
        )

    def narrow(self, form, queryset):
        return form.filter(queryset)

    @extend_schema(responses=serializers.RiskAnalysisSerializer)
    @action(detail=True, url_path="risk-analysis", pagination_class=None)
    def risk_analysis(self, request, pk=None):
        """The project's protection risk analysis: its rows, in order (none yet: no rows)."""
        project = self.get_object()
        rows = RiskRow.objects.filter(analysis__project=project).select_related(
            "owner", "action_point"
        )
        data = {"project": project, "rows": rows}
        return Response(serializers.RiskAnalysisSerializer(data).data)


class WithScores:
    """Checklists are listed with their scores: read from the tallies of the page's
    checklists in one query (scoring.tallied_scores)."""

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "principle_codes": dict(Principle.objects.values_list("pk", "code")),
        }

    def get_serializer(self, *args, **kwargs):
        shown = args[0] if args else None
        if shown is not None:
            checklists = shown if isinstance(shown, list) else [shown]
            kwargs["context"] = {
                **self.get_serializer_context(),
                "scores": scoring.tallied_scores([c.pk for c in checklists]),
                "office_scores": scoring.office_scores_for_checklists([c.pk for c in checklists]),
            }
        return super().get_serializer(*args, **kwargs)


@extend_schema_view(list=extend_schema(parameters=_filter_parameters(filters.ChecklistFilter)))
class ChecklistViewSet(WithScores, ReadViewSet):
    """Checklists, one per phase of a project (and per monitoring round), with the score
    of each principle and overall."""

    serializer_class = serializers.ChecklistSerializer
    filter_form = filters.ChecklistFilter

    def scope(self):
        return permissions.visible_checklists(self.request.user).select_related(
            "project", "phase", "framework", "submitted_by"
        )


@extend_schema_view(list=extend_schema(parameters=_filter_parameters(filters.AnswerFilter)))
class AnswerViewSet(ReadViewSet):
    """Every answer of the checklists the user may read; question texts in the request's
    language."""

    serializer_class = serializers.AnswerSerializer
    filter_form = filters.AnswerFilter

    def scope(self):
        current_evidence = Prefetch(
            "evidence_files", queryset=Evidence.objects.current(), to_attr="current_evidence"
        )
        return (
            permissions.visible_answers(self.request.user)
            .select_related(
                "checklist__project",
                "checklist__phase",
                "item__principle",
                "item__framework__office",
                "updated_by",
            )
            .prefetch_related(current_evidence)
        )

    # Every read of answers is in the access log: one entry per request, about the one
    # project its answers belong to, or the offices they came from.
    def paginate_queryset(self, queryset):
        self.answers_shown = super().paginate_queryset(queryset)
        return self.answers_shown

    def get_object(self):
        answer = super().get_object()
        self.answers_shown = [answer]
        return answer

    def finalize_response(self, request, response, *args, **kwargs):
        shown = getattr(self, "answers_shown", None)
        if shown is not None and response.status_code == 200:
            projects = {answer.checklist.project for answer in shown}
            record_access(
                request,
                kind=AccessKind.API_ANSWERS,
                what=request.get_full_path(),
                project=next(iter(projects)) if len(projects) == 1 else None,
                offices={project.office_id for project in projects},
            )
        return super().finalize_response(request, response, *args, **kwargs)


@extend_schema_view(list=extend_schema(parameters=_filter_parameters(filters.ActionPointFilter)))
class ActionPointViewSet(ReadViewSet):
    """Action points: what will be done about a partial or no answer, and the conditions
    of approvals."""

    serializer_class = serializers.ActionPointSerializer
    filter_form = filters.ActionPointFilter

    def scope(self):
        return permissions.visible_action_points(self.request.user).select_related(
            "project", "owner", "answer__item", "review"
        )

    def narrow(self, form, queryset):
        return form.narrow(queryset, today=timezone.localdate())

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}


@extend_schema_view(list=extend_schema(parameters=_filter_parameters(filters.ReviewFilter)))
class ReviewViewSet(ReadViewSet):
    """Focal points' decisions on submitted checklists."""

    serializer_class = serializers.ReviewSerializer
    filter_form = filters.ReviewFilter

    def scope(self):
        return (
            permissions.visible_reviews(self.request.user)
            .select_related("checklist__project", "checklist__phase", "reviewer", "acting_for")
            .prefetch_related("conditions")
        )
