import zoneinfo

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
    _("Use letters, digits, dots, dashes or underscores only, with no spaces."),
)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("Unknown time zone. Use a name such as Asia/Baghdad or Europe/Geneva.")
        )


# Said once, checked twice: by clean() next to the field, and by the database itself.
END_BEFORE_START = _("The end date cannot be before the start date.")


def first_phase_id() -> int:
    """A new project starts in the first phase of the life-cycle (design); from there only
    the workflow moves it (checklists/workflow)."""
    phase_model = apps.get_model("checklists", "Phase")
    return phase_model.objects.order_by("order", "code").values_list("pk", flat=True).first()


class Region(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name


# Offices form a tree of at most four levels: sub-office, country, region, headquarters.
# The bound keeps every scope lookup one query (projects/permissions).
OFFICE_TREE_DEPTH = 4


class Office(models.Model):
    """A country office or sub-office: the unit of scope for every permission. A role held
    in an office holds in every office under it."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=120)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="offices", verbose_name=_("region")
    )
    is_headquarters = models.BooleanField(
        _("headquarters"),
        default=False,
        help_text=_("Managers of a headquarters office see the projects of every office."),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent office"),
        help_text=_(
            "The office above this one (a sub-office's country office, a country's region). "
            "Roles held in the parent office hold in this office too."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.parent_id is None:
            return
        above, levels = self.parent, 2
        while above is not None:
            if above.pk == self.pk:
                raise ValidationError(
                    {"parent": _("An office cannot be under itself. Choose another parent.")}
                )
            above, levels = above.parent, levels + 1
        if levels - 1 + self._levels_below() > OFFICE_TREE_DEPTH:
            raise ValidationError(
                {
                    "parent": _(
                        "Offices go at most %(levels)s levels deep (sub-office, country, "
                        "region, headquarters). Choose a parent higher up."
                    )
                    % {"levels": OFFICE_TREE_DEPTH}
                }
            )

    def _levels_below(self) -> int:
        """How many levels of offices hang under this one (0 for none)."""
        if self.pk is None:
            return 0
        levels, offices = 0, [self.pk]
        while offices := list(
            Office.objects.filter(parent__in=offices).values_list("pk", flat=True)
        ):
            levels += 1
        return levels


class Role(models.TextChoices):
    STAFF = "staff", _("Programme staff")
    FOCAL_POINT = "focal_point", _("Protection focal point")
    MANAGER = "manager", _("Manager")
    # The HQ protection unit: exports, imports, edits and publishes framework versions.
    FRAMEWORK_EDITOR = "framework_editor", _("Framework editor")


class Membership(models.Model):
    """A user's role in one office. A user may hold several roles in several offices."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("office")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # Given at sign-in from the organisation's groups (SignInGroup); such a membership goes
    # when the group does. Memberships an administrator gives by hand are never touched.
    from_sign_in = models.BooleanField(
        _("from the organisation's groups"),
        default=False,
        help_text=_("Given at sign-in from a group of the organisation's account."),
    )

    class Meta:
        ordering = ["office__name", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "office", "role"], name="membership_unique_user_office_role"
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.office} · {self.get_role_display()}"


class Digest(models.TextChoices):
    """How often a person gets the e-mail of what waits for them (checklists/digests.py)."""

    NONE = "none", _("No summary e-mail")
    DAILY = "daily", _("Every morning")
    WEEKLY = "weekly", _("Every Monday morning")


class Profile(models.Model):
    """What the app remembers about a user beyond Django's auth: their language."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("Language of the interface and of the e-mails this user receives."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        validators=[validate_time_zone],
        default="UTC",
        help_text=_("Dates and times are shown in this time zone."),
    )
    digest = models.CharField(
        _("summary e-mail"),
        max_length=10,
        choices=Digest.choices,
        default=Digest.NONE,
        help_text=_(
            "An e-mail with what waits for you: checklists to review, checklists returned to "
            "you, overdue action points. Only counts and links; never sent when nothing waits."
        ),
    )
    # The day (in the person's time zone) the last digest was made, sent or with nothing to
    # tell: a second run that day (or week) sends nothing twice.
    digest_made_on = models.DateField(
        _("last summary e-mail made on"), null=True, blank=True, editable=False
    )
    # The organisation account's stable identifier ("sub"), set at the first sign-in with it.
    sign_in_subject = models.CharField(
        _("organisation account"), max_length=255, unique=True, null=True, blank=True
    )
    # When the provider last confirmed this organisation account (a sign-in, or the session
    # check every few minutes); emptied when a check fails. The account's API tokens stop
    # when it is older than API_TOKEN_PROVIDER_CHECK_HOURS (projects/access_tokens.py).
    provider_checked_at = models.DateTimeField(
        _("last confirmed by the organisation's sign-in"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return str(self.user)


class SignInGroup(models.Model):
    """A group (or role, or other claim value) of the organisation's accounts, and the
    membership it gives in the app: an administrator's mapping, applied at each sign-in."""

    group = models.CharField(
        _("group"),
        max_length=255,
        help_text=_("The value in the sign-in's groups claim, for example pm-iraq-staff."),
    )
    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="sign_in_groups", verbose_name=_("office")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        ordering = ["group", "office__name", "role"]
        verbose_name = _("sign-in group")
        verbose_name_plural = _("sign-in groups")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "office", "role"], name="signingroup_unique_group_office_role"
            )
        ]

    def __str__(self):
        return f"{self.group} → {self.office} · {self.get_role_display()}"


class Sector(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self):
        return self.name


class ProjectQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived=False)

    def for_offices(self, offices):
        return self.filter(office__in=offices)


class Project(models.Model):
    code = models.CharField(
        _("project code"),
        max_length=40,
        unique=True,
        validators=[code_validator],
        help_text=_("The code your office uses for this project, for example IRQ-SHL-2026-01."),
        error_messages={"unique": _("Another project already uses this code. Choose another.")},
    )
    title = models.CharField(_("title"), max_length=200)
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="projects", verbose_name=_("office")
    )
    sectors = models.ManyToManyField(
        Sector, related_name="projects", verbose_name=_("sectors"), blank=False
    )
    donor = models.CharField(_("donor"), max_length=120, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    description = models.TextField(_("description"), blank=True, max_length=5000)
    budget = models.DecimalField(
        _("budget (USD)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The project's total budget in US dollars, if known."),
    )
    current_phase = models.ForeignKey(
        "checklists.Phase",
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("current phase"),
        default=first_phase_id,
        editable=False,
        help_text=_("Moves only through the workflow: approvals and the move to evaluation."),
    )
    archived = models.BooleanField(
        _("archived"), default=False, help_text=_("Archived projects are kept but hidden.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="created_projects",
        verbose_name=_("created by"),
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "code"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="project_end_not_before_start",
                violation_error_message=END_BEFORE_START,
            )
        ]

    def __str__(self):
        return f"{self.code} · {self.title}"

    def get_absolute_url(self):
        return reverse("checklists:project", kwargs={"pk": self.pk})

    def population_table(self) -> dict:
        """The target population as shown on the project page and in its report."""
        figures = {
            (f.sex, f.age_group, f.with_disability): f.people for f in self.population_figures.all()
        }
        rows = [
            (
                age_label,
                [
                    figures.get((sex, age, with_disability), 0)
                    for sex, _label in Sex.choices
                    for with_disability in (True, False)
                ],
            )
            for age, age_label in AgeGroup.choices
        ]
        return {
            "rows": rows,
            "total": sum(figures.values()),
            "with_disability": sum(v for (_s, _a, disabled), v in figures.items() if disabled),
        }

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": END_BEFORE_START})


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class AgeGroup(models.TextChoices):
    # The common humanitarian age groups for sex, age and disability disaggregated data.
    CHILD_0_5 = "0-5", _("0–5 years")
    CHILD_6_17 = "6-17", _("6–17 years")
    ADULT_18_59 = "18-59", _("18–59 years")
    OLDER_60 = "60+", _("60 years and over")


class PopulationFigure(models.Model):
    """Number of people a project targets in one sex x age group x disability cell."""

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="population_figures",
        verbose_name=_("project"),
    )
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices)
    age_group = models.CharField(_("age group"), max_length=10, choices=AgeGroup.choices)
    with_disability = models.BooleanField(_("with disability"))
    people = models.PositiveIntegerField(_("number of people"), default=0)

    class Meta:
        verbose_name = _("target population figure")
        verbose_name_plural = _("target population figures")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "sex", "age_group", "with_disability"],
                name="population_figure_unique_cell",
            )
        ]

    def __str__(self):
        return (
            f"{self.project.code} {self.sex} {self.age_group} {self.with_disability}: {self.people}"
        )


# The records of an account's life (tokens, events, signed-in sessions) live beside, in
# their own module; imported here, they are this app's models like the others.
from .account_records import (  # noqa: E402, F401
    AccessToken,
    AccessTokenQuerySet,
    AccountEvent,
    AccountEventKind,
    SignedInSession,
    SignedInSessionQuerySet,
)
