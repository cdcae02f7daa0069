import datetime
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from checklists import workflow
from checklists.models import (
    Decision,
    EndorsementRule,
    Framework,
    Item,
    Phase,
    PhaseCode,
    Principle,
    RuleCondition,
)
from projects import second_factor
from projects.models import (
    Digest,
    Membership,
    Office,
    PopulationFigure,
    Profile,
    Project,
    Region,
    Role,
    Sector,
)

from ._demo_risk_analysis import DEMO_PROJECT, load_demo_risk_analysis

DEMO_PASSWORD = "demo-pass-2026"
# The demo accounts that need a second factor (administrator, HQ-wide roles) share this
# public authenticator key (base32 OBWW C4DQ FVSG K3LP FV2H O3ZN ON2G K4BB, in the README),
# and these public recovery codes: a demo server is not a real one.
DEMO_TOTP_KEY = b"pmapp-demo-two-step!".hex()
DEMO_RECOVERY_CODES = ["demo0001", "demo0002", "demo0003", "demo0004", "demo0005"]

LANGUAGE_CODES = ("en", "fr", "es", "ar")  # the order of each region's names below
REGIONS = [
    (
        "mena",
        "Middle East and North Africa",
        "Moyen-Orient et Afrique du Nord",
        "Oriente Medio y Norte de África",
        "الشرق الأوسط وشمال أفريقيا",
    ),
    ("global", "Global", "Monde", "Mundo", "عالمي"),
]
# code, name, region, is headquarters, parent office (parents first: a tree, docs/endorsement.md)
OFFICES = [
    ("HQ", "Headquarters", "global", True, None),
    ("MENA", "Middle East and North Africa", "mena", False, "HQ"),
    ("IRQ", "Iraq country office", "mena", False, "MENA"),
    ("JOR", "Jordan country office", "mena", False, "MENA"),
]
# username, first name, last name, language, [(office, role)], is administrator
USERS = [
    ("staff.iraq", "Layla", "Hassan", "en", [("IRQ", Role.STAFF)], False),
    ("focal.iraq", "Omar", "Saleh", "en", [("IRQ", Role.FOCAL_POINT)], False),
    ("manager.iraq", "Nadia", "Karim", "fr", [("IRQ", Role.MANAGER)], False),
    ("staff.jordan", "Rami", "Haddad", "en", [("JOR", Role.STAFF)], False),
    ("focal.jordan", "Claire", "Dubois", "fr", [("JOR", Role.FOCAL_POINT)], False),
    ("manager.jordan", "Samir", "Nasser", "es", [("JOR", Role.MANAGER)], False),
    ("focal.mena", "Yusuf", "Haddad", "en", [("MENA", Role.FOCAL_POINT)], False),
    ("focal.hq", "Ingrid", "Larsen", "en", [("HQ", Role.FOCAL_POINT)], False),
    ("manager.hq", "Ana", "Pereira", "en", [("HQ", Role.MANAGER)], False),
    ("editor.hq", "Fatima", "Mansour", "fr", [("HQ", Role.FRAMEWORK_EDITOR)], False),
    ("admin", "Site", "Administrator", "en", [], True),
]
OFFICE_ITEMS = "fixtures/office_items_iraq.json"
TIME_ZONES = {
    "IRQ": "Asia/Baghdad",
    "JOR": "Asia/Amman",
    "MENA": "Asia/Amman",
    "HQ": "Europe/Zurich",
}
PROJECTS = [
    (
        "IRQ-SHL-2026-01",
        "Shelter repairs for returnee families in Ninewa",
        "IRQ",
        ["shelter"],
        "ECHO",
        PhaseCode.DESIGN,
        2026,
        (420, 380, 610, 590, 1200, 1100, 240, 210),
        0.16,
    ),
    (
        "IRQ-CSH-2026-02",
        "Multi-purpose cash for displaced households in Duhok",
        "IRQ",
        ["cash"],
        "BHA",
        PhaseCode.ENDORSEMENT,
        2026,
        (300, 280, 700, 650, 1500, 1300, 200, 190),
        0.15,
    ),
    (
        "IRQ-CMP-2026-03",
        "Camp management in Ameriyat al-Fallujah",
        "IRQ",
        ["cccm", "wash"],
        "UNHCR",
        PhaseCode.IMPLEMENTATION,
        2026,
        (900, 870, 1500, 1450, 2600, 2400, 500, 450),
        0.18,
    ),
    (
        "JOR-TRN-2026-01",
        "Transport assistance for refugees travelling to resettlement",
        "JOR",
        ["transport"],
        "Government of Canada",
        PhaseCode.DESIGN,
        2026,
        (60, 55, 140, 130, 260, 240, 40, 35),
        0.2,
    ),
    (
        "JOR-CSH-2026-02",
        "Cash for rent in Irbid and Mafraq",
        "JOR",
        ["cash", "shelter"],
        "EU",
        PhaseCode.IMPLEMENTATION,
        2026,
        (200, 190, 450, 430, 800, 760, 120, 110),
        0.15,
    ),
    (
        "IRQ-TRN-2026-04",
        "Safe transport to health services for displaced people in Kirkuk",
        "IRQ",
        ["transport", "health"],
        "ECHO",
        PhaseCode.ENDORSEMENT,
        2026,
        (150, 140, 260, 250, 500, 470, 90, 85),
        0.17,
    ),
]
# The Iraq focal point has approved this project's endorsement checklist: it now waits for
# the regional focal point (focal.mena), the second level of the endorsement chain.
WAITING_FOR_REGION = {"IRQ-TRN-2026-04"}
# Budgets (USD): above HQ_ENDORSEMENT_ABOVE, headquarters endorses too.
BUDGETS = {"IRQ-CMP-2026-03": 7_500_000, "IRQ-TRN-2026-04": 1_200_000}
HQ_ENDORSEMENT_ABOVE = 5_000_000


class Command(BaseCommand):
    help = (
        "Create the demo offices, accounts and projects. Safe to run again; refuses in production."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load the demo accounts even with DEBUG off (they have a public password).",
        )

    def handle(self, *args, **options):
        # Demo events would otherwise mail the (fictitious) demo users.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            self._load(*args, **options)

    @transaction.atomic
    def _load(self, *args, allow_production, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "Demo accounts share a public password: not loaded while DEBUG is off. "
                "Use --allow-production on a demonstration server only."
            )
        offices = self._offices()
        users = self._users(offices)
        self._office_items(offices, users)  # before the projects: their checklists get them
        if Phase.objects.exists():
            self._endorsement_rules(offices)
        self._projects(offices, users)
        self.stdout.write(self.style.SUCCESS(self.accounts_text()))

    @staticmethod
    def _offices() -> dict:
        regions = {}
        for code, *names in REGIONS:
            regions[code], _ = Region.objects.update_or_create(
                code=code,
                defaults={
                    f"name_{lang}": name for lang, name in zip(LANGUAGE_CODES, names, strict=True)
                },
            )
        offices = {}
        for code, name, region, is_hq, parent in OFFICES:
            offices[code], _ = Office.objects.update_or_create(
                code=code,
                defaults={
                    "name": name,
                    "region": regions[region],
                    "is_headquarters": is_hq,
                    "parent": offices.get(parent),
                },
            )
        return offices

    @staticmethod
    def _endorsement_rules(offices) -> None:
        """The default chain of the endorsement phase: the region endorses after the country
        for transport and camp management, a critical item said not to apply or with an
        action point, or an approval with conditions; HQ for a budget above 5 million USD."""
        phase = Phase.objects.get(code=PhaseCode.ENDORSEMENT)
        mena, hq = offices["MENA"], offices["HQ"]
        defaults = [
            (mena, mena, 1, RuleCondition.SECTORS, None),
            (mena, mena, 2, RuleCondition.CRITICAL_ITEM, None),
            (mena, mena, 3, RuleCondition.CONDITIONS_BELOW, None),
            (hq, hq, 4, RuleCondition.BUDGET_ABOVE, HQ_ENDORSEMENT_ABOVE),
        ]
        for office, level_office, order, condition, amount in defaults:
            rule, created = EndorsementRule.objects.get_or_create(
                office=office,
                phase=phase,
                level_office=level_office,
                condition=condition,
                defaults={"order": order, "amount": amount},
            )
            if created and condition == RuleCondition.SECTORS:
                rule.sectors.set(Sector.objects.filter(code__in=["transport", "cccm"]))

    @staticmethod
    def _users(offices) -> dict:
        users = {}
        for username, first, last, language, memberships, is_admin in USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.org",
                    "is_staff": is_admin,
                    "is_superuser": is_admin,
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
                office_code = memberships[0][0] if memberships else "HQ"
                Profile.objects.get_or_create(
                    user=user,
                    defaults={
                        "language": language,
                        "time_zone": TIME_ZONES[office_code],
                        # The demo shows the morning summary e-mail (issue 29).
                        "digest": Digest.DAILY,
                    },
                )
            for office, role in memberships:
                Membership.objects.get_or_create(user=user, office=offices[office], role=role)
            if created and second_factor.required_of(user):
                Command._demo_second_factor(user)
            users[username] = user
        return users

    @staticmethod
    def _demo_second_factor(user) -> None:
        TOTPDevice.objects.create(user=user, name="app", key=DEMO_TOTP_KEY, confirmed=True)
        device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
        StaticToken.objects.bulk_create(
            StaticToken(device=device, token=code) for code in DEMO_RECOVERY_CODES
        )

    @staticmethod
    def _office_items(offices, users) -> None:
        """The Iraq office's own items (fixtures/office_items_iraq.json), published by its
        focal point, once."""
        content = json.loads((Path(settings.BASE_DIR) / OFFICE_ITEMS).read_text("utf-8"))
        office = offices[content["office"]]
        if Framework.objects.filter(office=office).exists():
            return
        focal = users["focal.iraq"]
        draft = workflow.start_office_draft(office=office, user=focal)
        for entry in content["items"]:
            texts = {
                f"{text}_{lang}": value
                for text in ("question", "guidance")
                for lang, value in entry[text].items()
            }
            item = Item(
                framework=draft,
                code=entry["code"],
                phase=Phase.objects.get(code=entry["phase"]),
                principle=Principle.objects.get(code=entry["principle"]),
                order=entry["order"],
                **texts,
            )
            workflow.save_office_item(item=item, user=focal, changes={}, sectors=[])
        workflow.publish_office_items(framework=draft, user=focal)

    def _projects(self, offices, users) -> None:
        sectors = {s.code: s for s in Sector.objects.all()}
        if not Phase.objects.exists() or not sectors:
            raise CommandError("Load the framework first: python manage.py load_framework")
        for code, title, office, sector_codes, donor, phase, year, people, share in PROJECTS:
            # A new project starts in design; _walk_to_phase takes it through the workflow.
            project, created = Project.objects.get_or_create(
                code=code,
                defaults={
                    "title": title,
                    "office": offices[office],
                    "donor": donor,
                    "start_date": datetime.date(year, 1, 1),
                    "end_date": datetime.date(year, 12, 31),
                    "description": title + ".",
                    "created_by": users[f"staff.{'iraq' if office == 'IRQ' else 'jordan'}"],
                    "budget": BUDGETS.get(code),
                },
            )
            if created:
                project.sectors.set([sectors[c] for c in sector_codes])
                self._add_population(project, people, share)
                self._walk_to_phase(project, phase, users, office)
            if code == DEMO_PROJECT:
                load_demo_risk_analysis(project, staff=users["staff.iraq"])

    def _walk_to_phase(self, project, target_phase, users, office):
        """Fill, submit and approve the checklists of earlier phases, so the demo shows
        projects at every step: endorsed ones, one waiting for review, a monitoring round."""
        suffix = "iraq" if office == "IRQ" else "jordan"
        staff, focal = users[f"staff.{suffix}"], users[f"focal.{suffix}"]
        order = [PhaseCode.DESIGN, PhaseCode.ENDORSEMENT, PhaseCode.IMPLEMENTATION]
        for phase_code in order[: order.index(target_phase) + 1]:
            project.refresh_from_db()
            checklist = workflow.start_checklist(project=project, user=staff)
            answers = list(checklist.answers.select_related("item").order_by("item__code"))
            last = phase_code == target_phase
            for index, answer in enumerate(answers):
                if last and index >= len(answers) // 2:
                    break  # the current phase's checklist is half done
                workflow.save_answer(
                    checklist=checklist,
                    answer_id=answer.pk,
                    user=staff,
                    values=self._demo_answer(index, staff, project, answer.item),
                    based_on_version=0,
                )
            if last and target_phase != PhaseCode.ENDORSEMENT:
                continue
            if last:
                # Fill the rest so it can wait in the focal point's review queue.
                for answer in answers[len(answers) // 2 :]:
                    workflow.save_answer(
                        checklist=checklist,
                        answer_id=answer.pk,
                        user=staff,
                        values=workflow.AnswerInput(response="yes"),
                        based_on_version=0,
                    )
            workflow.submit_checklist(checklist=checklist, user=staff)
            if not last:
                self._endorse(checklist, [focal, users["focal.mena"], users["focal.hq"]])
            elif project.code in WAITING_FOR_REGION:
                self._endorse(checklist, [focal])

    @staticmethod
    def _endorse(checklist, deciders) -> None:
        """Approve at each level of the chain, one decider per level, while they last."""
        for decider in deciders:
            checklist.refresh_from_db()
            if checklist.status != "submitted":
                return
            workflow.decide_checklist(
                checklist=checklist,
                reviewer=decider,
                decision=Decision.APPROVED,
                comment="Good analysis; keep the feedback mechanism budgeted.",
            )

    @staticmethod
    def _demo_answer(index, owner, project, item):
        due = project.start_date + datetime.timedelta(days=60 + index)
        if index % 5 == 3:
            return workflow.AnswerInput(
                response="partial",
                comment="Done in two of the three sites.",
                action_description="Extend the measure to the remaining site.",
                action_owner=owner,
                action_due=due,
            )
        if index % 7 == 6 and item.not_applicable_allowed:
            return workflow.AnswerInput(
                response="na", not_applicable_reason="The project has no activity of this kind."
            )
        return workflow.AnswerInput(response="yes", comment="")

    def _add_population(self, project, people, share):
        # people: (female 0-5, male 0-5, female 6-17, male 6-17, ...); a share has a disability.
        cells = []
        for index, age in enumerate(["0-5", "6-17", "18-59", "60+"]):
            for sex_index, sex in enumerate(["female", "male"]):
                total = people[index * 2 + sex_index]
                with_disability = round(total * share)
                cells += [
                    PopulationFigure(
                        project=project,
                        sex=sex,
                        age_group=age,
                        with_disability=True,
                        people=with_disability,
                    ),
                    PopulationFigure(
                        project=project,
                        sex=sex,
                        age_group=age,
                        with_disability=False,
                        people=total - with_disability,
                    ),
                ]
        PopulationFigure.objects.bulk_create(cells)

    @staticmethod
    def accounts_text() -> str:
        lines = [
            f"Demo accounts (password for all: {DEMO_PASSWORD}; two-step sign-in for "
            "manager.hq, editor.hq and admin: authenticator key "
            "OBWWC4DQFVSGK3LPFV2HO3ZNON2GK4BB, or a recovery code demo0001 to demo0005):"
        ]
        for username, first, last, _lang, memberships, _is_admin in USERS:
            roles = ", ".join(f"{Role(role).label} {office}" for office, role in memberships)
            lines.append(
                f"  {username:<16} {first} {last}: {roles or 'Administrator (Django admin)'}"
            )
        return "\n".join(lines)
