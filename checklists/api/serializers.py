"""What the read API says of each object: plain fields, codes rather than ids where a
person would filter by them, names of people rather than accounts, texts in the request's
language (Accept-Language: en or fr). Scores come from checklists/scoring.py alone."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from projects.templatetags.people import display_name


class PersonField(serializers.Field):
    """A person's name as the pages show it; never their e-mail or user name."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, user):
        return display_name(user) if user is not None else None

    def get_attribute(self, instance):
        try:
            return super().get_attribute(instance)
        except (AttributeError, KeyError):  # an empty relation on the way
            return None


extend_schema_field({"type": "string", "nullable": True})(PersonField)


class ProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    office = serializers.CharField(source="office.code")
    office_name = serializers.CharField(source="office.name")
    region = serializers.CharField(source="office.region.code")
    sectors = serializers.SerializerMethodField()
    donor = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    current_phase = serializers.CharField(source="current_phase.code")
    endorsed = serializers.BooleanField(help_text="The endorsement checklist is approved.")
    archived = serializers.BooleanField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_sectors(self, project) -> list[str]:
        return [sector.code for sector in project.sectors.all()]


class ScoreSerializer(serializers.Serializer):
    """A score as scoring.py computes it: percent (null until something is answered yes,
    partially or no), rating and the counts it comes from."""

    percent = serializers.IntegerField(allow_null=True)
    rating = serializers.CharField(help_text="green, amber, red or not_rated")
    rating_label = serializers.CharField()
    yes = serializers.IntegerField(source="counts.yes")
    partial = serializers.IntegerField(source="counts.partial")
    no = serializers.IntegerField(source="counts.no")
    not_applicable = serializers.IntegerField(source="counts.not_applicable")
    unanswered = serializers.IntegerField(source="counts.unanswered")
    critical_gaps = serializers.IntegerField(source="counts.critical_gaps")


class ChecklistSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.IntegerField(source="project_id")
    project_code = serializers.CharField(source="project.code")
    phase = serializers.CharField(source="phase.code")
    round = serializers.IntegerField()
    status = serializers.CharField()
    framework = serializers.CharField(source="framework.code")
    framework_version = serializers.IntegerField(source="framework.version")
    started_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    submitted_by = PersonField()
    score = serializers.SerializerMethodField(
        help_text="The framework score: the framework's items only, comparable across offices."
    )
    principle_scores = serializers.SerializerMethodField()
    office_items_score = serializers.SerializerMethodField(
        help_text="The score of the items the project's office added (null when none), "
        "scored apart from the framework score."
    )

    def _scores(self, checklist):
        return self.context["scores"].get(checklist.pk)

    @extend_schema_field(ScoreSerializer(allow_null=True))
    def get_office_items_score(self, checklist):
        score = self.context.get("office_scores", {}).get(checklist.pk)
        return ScoreSerializer(score).data if score else None

    @extend_schema_field(ScoreSerializer(allow_null=True))
    def get_score(self, checklist):
        scores = self._scores(checklist)
        return ScoreSerializer(scores.overall).data if scores and scores.overall else None

    @extend_schema_field(serializers.DictField(child=ScoreSerializer()))
    def get_principle_scores(self, checklist):
        """Scores by principle code (safety, access, accountability, participation)."""
        scores = self._scores(checklist)
        if scores is None:
            return {}
        codes = self.context["principle_codes"]
        return {
            codes[principle_id]: ScoreSerializer(score).data
            for principle_id, score in sorted(scores.by_principle.items())
        }


class OfAChecklist(serializers.Serializer):
    """What answers and reviews say of the checklist they belong to."""

    id = serializers.IntegerField()
    checklist = serializers.IntegerField(source="checklist_id")
    project = serializers.IntegerField(source="checklist.project_id")
    project_code = serializers.CharField(source="checklist.project.code")
    phase = serializers.CharField(source="checklist.phase.code")
    round = serializers.IntegerField(source="checklist.round")


class EvidenceSerializer(serializers.Serializer):
    """That an evidence file exists: never its content, which opens only in the app (and,
    for a file holding personal data, only for the office's staff and focal points)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    contains_personal_data = serializers.BooleanField()
    uploaded_at = serializers.DateTimeField()


class AnswerSerializer(OfAChecklist):
    item = serializers.CharField(source="item.code")
    principle = serializers.CharField(source="item.principle.code")
    critical = serializers.BooleanField(source="item.critical")
    added_by_office = serializers.CharField(
        source="item.framework.office.code",
        allow_null=True,
        help_text="For an office's own item (scored apart), the office's code; null for an "
        "item of the framework.",
    )
    question = serializers.CharField(source="item.question")
    response = serializers.CharField(help_text="yes, partial, no, na, or empty: not answered")
    comment = serializers.CharField()
    not_applicable_reason = serializers.CharField()
    critical_gap = serializers.BooleanField(source="is_critical_gap")
    version = serializers.IntegerField()
    updated_at = serializers.DateTimeField(allow_null=True)
    updated_by = PersonField()
    evidence = EvidenceSerializer(source="current_evidence", many=True, read_only=True)


class ActionPointSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.IntegerField(source="project_id")
    project_code = serializers.CharField(source="project.code")
    checklist = serializers.SerializerMethodField()
    item = serializers.SerializerMethodField()
    review = serializers.IntegerField(source="review_id", allow_null=True)
    description = serializers.CharField()
    owner = PersonField()
    due_date = serializers.DateField(allow_null=True)
    done_on = serializers.DateField(allow_null=True)
    done_note = serializers.CharField()
    withdrawn_on = serializers.DateField(allow_null=True)
    state = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_checklist(self, action_point):
        if action_point.answer_id:
            return action_point.answer.checklist_id
        return action_point.review.checklist_id if action_point.review_id else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_item(self, action_point):
        """The item whose answer the action point is for (none for a review condition)."""
        return action_point.answer.item.code if action_point.answer_id else None

    @extend_schema_field(serializers.ChoiceField(["open", "overdue", "done", "withdrawn"]))
    def get_state(self, action_point) -> str:
        if action_point.withdrawn_on is not None:
            return "withdrawn"
        if action_point.done_on is not None:
            return "done"
        return "overdue" if action_point.is_overdue(self.context["today"]) else "open"


class ReviewSerializer(OfAChecklist):
    decision = serializers.CharField()
    comment = serializers.CharField()
    reviewer = PersonField()
    decided_at = serializers.DateTimeField()
    conditions = serializers.SerializerMethodField()
    level = serializers.IntegerField(
        help_text="The level of the endorsement chain decided at (1: the project's office)."
    )
    acting_for = PersonField(help_text="The focal point the reviewer acted for, if any.")

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_conditions(self, review) -> list[int]:
        """The action points this approval set as conditions (see /action-points/)."""
        return [condition.pk for condition in review.conditions.all()]


class RiskRowSerializer(serializers.Serializer):
    """A row of a project's protection risk analysis; its level in words, as the pages."""

    id = serializers.IntegerField()
    order = serializers.IntegerField()
    activity = serializers.CharField()
    threat = serializers.CharField()
    at_risk = serializers.CharField()
    by_age = serializers.BooleanField()
    by_gender = serializers.BooleanField()
    by_disability = serializers.BooleanField()
    by_other_diversity = serializers.BooleanField()
    vulnerability = serializers.CharField()
    capacities = serializers.CharField()
    likelihood = serializers.IntegerField()
    impact = serializers.IntegerField()
    score = serializers.IntegerField(help_text="likelihood x impact")
    level = serializers.CharField(source="level.code", help_text="low, medium, high, very_high")
    level_label = serializers.CharField(source="level.label")
    mitigation = serializers.CharField()
    owner = PersonField()
    review_date = serializers.DateField(allow_null=True)
    action_point = serializers.IntegerField(source="action_point_id", allow_null=True)
    updated_at = serializers.DateTimeField()


class RiskAnalysisSerializer(serializers.Serializer):
    project = serializers.IntegerField(source="project.id")
    project_code = serializers.CharField(source="project.code")
    rows = RiskRowSerializer(many=True)
