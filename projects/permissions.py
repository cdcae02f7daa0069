"""Who may see and do what. The one place that filters by office.

Scope is by office: a user sees the projects of the offices they belong to and of every
office under them (offices form a tree: sub-office, country, region, headquarters); HQ
managers and administrators see every office. A role held in an office holds in the
offices under it: a regional manager sees the region's portfolio. Views fetch objects
through these functions, so a view cannot forget the scoping: an object outside the
user's scope answers 404 (we never confirm that a foreign project exists), an object in
scope that the user's role does not allow to change answers 403.
"""

from types import SimpleNamespace

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from checklists.models import (
    ActingAssignment,
    ActionPoint,
    Answer,
    Checklist,
    ChecklistStatus,
    Evidence,
    Framework,
    Item,
    ReportFile,
    Review,
    RiskRow,
)

from . import office_tree
from .models import Membership, Office, Project, Role


def _get_or_404(queryset, **lookup):
    """One object of the queryset, or 404 whether it is missing or the id is not a number."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _memberships(user) -> list[Membership]:
    # Cached on the user object, which lives for one request only.
    if not hasattr(user, "_pm_memberships"):
        # Whether each office has offices under it comes with them: most people work in
        # an office with none, and their scope then needs no second query.
        user._pm_memberships = list(
            Membership.objects.filter(user=user)
            .select_related("office")
            .annotate(office_has_children=Exists(Office.objects.filter(parent=OuterRef("office"))))
            if user.is_authenticated
            else []
        )
    return user._pm_memberships


def _covered_office_ids(user, role: Role | None = None) -> frozenset[int]:
    covered = office_tree.covered_offices(user, _memberships(user))
    if role is not None:
        return covered.get(role, frozenset())
    return frozenset().union(*covered.values())


def sees_every_office(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser
        or any(m.role == Role.MANAGER and m.office.is_headquarters for m in _memberships(user))
    )


def visible_offices(user):
    """Offices whose projects the user may read."""
    if sees_every_office(user):
        return Office.objects.all()
    return Office.objects.filter(pk__in=_covered_office_ids(user))


def offices_with_role(user, role: Role):
    """Offices where the user holds ``role``, in the office itself or one above it
    (administrators hold none by default)."""
    return Office.objects.filter(pk__in=_covered_office_ids(user, role))


def has_role(user, office_id: int, role: Role) -> bool:
    return office_id in _covered_office_ids(user, role)


def has_any_role(user) -> bool:
    """Whether the user has a role anywhere (administrators have every office)."""
    return user.is_authenticated and (user.is_superuser or bool(_memberships(user)))


def roles_in_scope(user) -> set[str]:
    return {m.role for m in _memberships(user)}


def visible_projects(user):
    """Projects the user may read: the queryset every list and lookup starts from."""
    if not user.is_authenticated or sees_every_office(user):
        return Project.objects.all() if user.is_authenticated else Project.objects.none()
    return Project.objects.filter(office__in=_covered_office_ids(user))


def get_project_for_user(user, pk) -> Project:
    """The project if the user may read it; 404 otherwise, whether or not it exists."""
    projects = visible_projects(user).select_related("office__region", "current_phase")
    return _get_or_404(projects, pk=pk)


def can_create_project(user) -> bool:
    return offices_with_role(user, Role.STAFF).exists()


def can_edit_project(user, project: Project) -> bool:
    """Programme staff of the project's office edit it; others read only."""
    return has_role(user, project.office_id, Role.STAFF)


def require(allowed: bool) -> None:
    """Turn a permission answer into a 403 for an insider without the right role."""
    if not allowed:
        raise PermissionDenied


# --- Checklists and action points: always reached through a project the user may see ----


def visible_checklists(user):
    """Checklists of the projects the user may read (the same offices as visible_projects)."""
    if not user.is_authenticated:
        return Checklist.objects.none()
    if sees_every_office(user):
        return Checklist.objects.all()
    return Checklist.objects.filter(project__office_id__in=_covered_office_ids(user))


def get_checklist_for_user(user, pk):
    """The checklist, with its project and phase; 404 outside the user's scope.

    Few joins on purpose: this lookup runs on every autosave, and PostgreSQL's planning
    time grows fast with each joined table.
    """
    checklists = visible_checklists(user).select_related("project", "phase", "submitted_by")
    return _get_or_404(checklists, pk=pk)


def get_checklist_to_change(user, pk):
    """The checklist, if the user may change it: programme staff of its project's office.

    The one gate of every write to a checklist (an answer, a submission, an evidence file):
    404 outside the user's offices, 403 for a member of the office in another role; one
    query for the office's own staff (the autosave runs it many times a minute). Whether
    the checklist may change now (its status, its project archived) is the workflow's
    editing_refusal, asked under lock.
    """
    # The common case in the one query: programme staff of the project's own office. Anyone
    # else (staff of an office above it, other roles, outsiders) is asked through the tree.
    staff_of_office = Membership.objects.filter(
        user=user, office=OuterRef("project__office_id"), role=Role.STAFF
    )
    checklists = Checklist.objects.select_related("project", "phase")
    checklist = _get_or_404(checklists.annotate(is_staff=Exists(staff_of_office)), pk=pk)
    if not checklist.is_staff:
        office_id = checklist.project.office_id
        if not (office_id in _covered_office_ids(user) or sees_every_office(user)):
            raise Http404
        require(has_role(user, office_id, Role.STAFF))
    return checklist


def get_action_point_for_user(user, pk):
    action_points = ActionPoint.objects.filter(project__in=visible_projects(user)).select_related(
        "project", "owner", "answer__checklist"
    )
    return _get_or_404(action_points, pk=pk)


def get_answer_of_checklist(checklist, pk) -> Answer:
    """An answer of a checklist the caller already fetched in scope; 404 otherwise."""
    return _get_or_404(checklist.answers.select_related("item"), pk=pk)


def get_evidence_for_user(user, checklist_pk, pk) -> Evidence:
    """An evidence file (current or an earlier version) of a checklist the user may read:
    who may see the checklist may download its files; anybody else gets 404."""
    return get_evidence_of_checklist(get_checklist_for_user(user, checklist_pk), pk)


def get_evidence_of_checklist(checklist, pk) -> Evidence:
    """An evidence file of a checklist the caller already fetched through a gate; 404
    for a file of another checklist."""
    evidence = _get_or_404(
        Evidence.objects.select_related("answer__item"), pk=pk, answer__checklist=checklist
    )
    evidence.answer.checklist = checklist
    return evidence


def may_open_personal_evidence(user, project: Project) -> bool:
    """Evidence files marked as holding personal data open only for the project's office
    staff and focal points: managers (HQ included) and the API see that they exist."""
    return has_role(user, project.office_id, Role.STAFF) or has_role(
        user, project.office_id, Role.FOCAL_POINT
    )


def may_open_evidence(user, evidence: Evidence, project: Project) -> bool:
    return not evidence.contains_personal_data or may_open_personal_evidence(user, project)


def can_read_access_log(user, project: Project) -> bool:
    """A project's access log: its office's focal points and managers (HQ managers too)."""
    return (
        has_role(user, project.office_id, Role.FOCAL_POINT)
        or has_role(user, project.office_id, Role.MANAGER)
        or sees_every_office(user)
    )


def can_start_checklist(user, project: Project) -> bool:
    return not project.archived and has_role(user, project.office_id, Role.STAFF)


def can_edit_checklist(user, checklist) -> bool:
    """For the page: may the user change this checklist now (programme staff of the office,
    and the checklist editable: Checklist.is_editable). Writes go through
    get_checklist_to_change and the workflow instead."""
    return checklist.is_editable and has_role(user, checklist.project.office_id, Role.STAFF)


def can_mark_action_point_done(user, action_point) -> bool:
    """The owner of the action point, or programme staff of the project's office."""
    return action_point.owner_id == user.pk or has_role(
        user, action_point.project.office_id, Role.STAFF
    )


def action_point_owners(project: Project):
    """People who may own an action point of this project: members of its office."""
    return (
        User.objects.filter(memberships__office_id=project.office_id, is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def can_edit_risk_analysis(user, project: Project) -> bool:
    """Programme staff and focal points of the project's office keep its protection risk
    analysis; everyone who sees the project reads it. An archived project's is read-only."""
    return not project.archived and (
        has_role(user, project.office_id, Role.STAFF)
        or has_role(user, project.office_id, Role.FOCAL_POINT)
    )


def get_risk_row_of_project(project: Project, pk) -> RiskRow:
    """A row of the risk analysis of a project the caller already fetched in scope; 404
    for a row of another project."""
    return _get_or_404(
        RiskRow.objects.select_related("owner", "action_point"), pk=pk, analysis__project=project
    )


def can_review_in(user, project: Project) -> bool:
    """Focal points of the project's office (or an office above it) review its checklists."""
    return has_role(user, project.office_id, Role.FOCAL_POINT)


def _acting(user) -> dict[int, frozenset[int]]:
    """For each focal point the user acts for today: the offices they act in (the named
    office and every office under it). Cached on the user object for the request."""
    if not hasattr(user, "_pm_acting"):
        today = timezone.localdate()
        rows = ActingAssignment.objects.active_on(today).filter(acting_id=user.pk)
        pairs = rows.values_list("focal_point_id", "office_id") if user.is_authenticated else []
        held = [SimpleNamespace(role=fp, office_id=office) for fp, office in pairs]
        user._pm_acting = office_tree.cover(held)
    return user._pm_acting


def acting_for(user, office_id: int) -> int | None:
    """The focal point the user acts for today in that office, if any."""
    return next((fp for fp, offices in _acting(user).items() if office_id in offices), None)


def waiting_office_id(checklist) -> int:
    """The office whose focal points decide at the level a checklist waits for."""
    return checklist.waiting_office_id or checklist.project.office_id


def deciding_as(user, checklist) -> tuple[bool, int | None]:
    """Whether the user may decide at the level the checklist waits for (a focal point of
    that level's office or above, or acting for one today), and for whom they act."""
    office_id = waiting_office_id(checklist)
    if has_role(user, office_id, Role.FOCAL_POINT):
        return True, None
    if checklist.status != ChecklistStatus.SUBMITTED:
        return False, None  # acting persons decide, nothing more: no query on other pages
    focal_point_id = acting_for(user, office_id)
    return focal_point_id is not None, focal_point_id


def can_review(user, checklist) -> bool:
    """Focal points of the project's office open the review page, and whoever may decide at
    the level it waits for (deciding has more rules: checklists/workflow decision_refusal)."""
    return can_review_in(user, checklist.project) or deciding_as(user, checklist)[0]


def is_own_submission(user, checklist) -> bool:
    """Separation of duties: nobody reviews a checklist they submitted themselves."""
    return checklist.submitted_by_id is not None and checklist.submitted_by_id == user.pk


def may_decide_on(user, checklist) -> bool:
    """Who may review this checklist: whoever may decide at the level it waits for and did
    not submit it (whether it waits, and whether they decided at another level, is the
    workflow's decision_refusal). The queue and the mail to reviewers apply the same rule."""
    return deciding_as(user, checklist)[0] and not is_own_submission(user, checklist)


def reviewers_of(project: Project, office_id: int | None = None):
    """Who is told that a decision waits: the active focal points of the office of the
    level (the project's office by default) and whoever acts for one there today."""
    office_id = office_id or project.office_id
    today = timezone.localdate()
    return User.objects.filter(
        Q(memberships__office_id=office_id, memberships__role=Role.FOCAL_POINT)
        | Q(
            acting_assignments__office_id=office_id,
            acting_assignments__starts_on__lte=today,
            acting_assignments__ends_on__gte=today,
        ),
        is_active=True,
    ).distinct()


def review_queue(user):
    """Submitted checklists waiting at a level where the user decides (a focal point, or
    acting for one), oldest first; never their own submissions, nor one they decided at
    another level of this round (separation of duties, as the workflow's decision_refusal)."""
    offices = _covered_office_ids(user, Role.FOCAL_POINT).union(*_acting(user).values())
    decided_this_round = Review.objects.filter(
        checklist=OuterRef("pk"), reviewer=user, decided_at__gte=OuterRef("submitted_at")
    )
    return (
        Checklist.objects.submitted()
        .filter(
            Q(waiting_office__isnull=True, project__office__in=offices)
            | Q(waiting_office__in=offices)
        )
        .exclude(submitted_by=user)
        .exclude(Exists(decided_this_round))
        .select_related("project", "phase", "submitted_by")
        .order_by("submitted_at", "pk")
    )


def checklists_to_revise(user):
    """Checklists returned for revision in the offices where the user is programme staff."""
    return (
        Checklist.objects.filter(
            status=ChecklistStatus.RETURNED, project__office__in=offices_with_role(user, Role.STAFF)
        )
        .select_related("project", "phase")
        .order_by("project__code")
    )


def can_view_portfolio(user) -> bool:
    """Managers (and administrators) see dashboards and portfolio reports."""
    return user.is_authenticated and (
        user.is_superuser or any(m.role == Role.MANAGER for m in _memberships(user))
    )


def portfolio_projects(user):
    """Projects in the offices the user manages (every office for HQ managers)."""
    if sees_every_office(user):
        return Project.objects.all()
    return Project.objects.filter(office__in=offices_with_role(user, Role.MANAGER))


def portfolio_scope(user) -> tuple[bool, list[int]]:
    """What a portfolio report asked for now covers: every office, or these offices."""
    if sees_every_office(user):
        return True, []
    return False, sorted(_covered_office_ids(user, Role.MANAGER))


def get_report_file_for_user(user, pk) -> ReportFile:
    """A background report: private to whoever asked for it, since it carries their scope,
    and only while their roles still cover the offices it covers (404 once they do not)."""
    report = _get_or_404(ReportFile.objects, pk=pk, requested_by=user)
    every_office, offices = portfolio_scope(user)
    if not every_office and (report.every_office or not set(report.offices) <= set(offices)):
        raise Http404
    return report


def can_author_frameworks(user) -> bool:
    """Framework editors (the HQ protection unit; a membership with that role) export,
    import, edit and publish framework versions, which every office uses."""
    return user.is_authenticated and (
        user.is_superuser or any(m.role == Role.FRAMEWORK_EDITOR for m in _memberships(user))
    )


def get_framework_for_editor(user, pk) -> Framework:
    """A framework version, for a framework editor (403 for anyone else)."""
    require(can_author_frameworks(user))
    return _get_or_404(Framework.objects, pk=pk)


def get_item_for_editor(user, framework, pk) -> Item:
    """An item of that framework version, for a framework editor."""
    require(can_author_frameworks(user))
    return _get_or_404(framework.items, pk=pk)


def get_office_for_items(user, pk) -> Office:
    """An office's own items: its focal points (or those above it) write them, framework
    editors see every office's to agree to a critical one; 404 outside the user's offices,
    403 for anyone else in them."""
    editor = can_author_frameworks(user)
    office = _get_or_404(Office.objects.all() if editor else visible_offices(user), pk=pk)
    require(editor or has_role(user, office.pk, Role.FOCAL_POINT))
    return office


# --- The read API: the same scope as the pages, for lists of children -------------------


def visible_answers(user):
    """Answers of the checklists the user may read."""
    return Answer.objects.filter(checklist__in=visible_checklists(user))


def visible_action_points(user):
    """Action points (from answers and review conditions) of the projects the user may read."""
    return ActionPoint.objects.filter(project__in=visible_projects(user))


def visible_reviews(user):
    """Reviews of the checklists the user may read."""
    return Review.objects.filter(checklist__in=visible_checklists(user))
