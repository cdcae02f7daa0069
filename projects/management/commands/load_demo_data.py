import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from checklists.models import Phase
from projects.models import (
    Membership,
    Office,
    PopulationFigure,
    Profile,
    Project,
    Region,
    Role,
    Sector,
)

DEMO_PASSWORD = "demo-pass-2026"

REGIONS = [
    ("mena", "Middle East and North Africa", "Moyen-Orient et Afrique du Nord"),
    ("global", "Global", "Monde"),
]
OFFICES = [
    ("IRQ", "Iraq country office", "mena", False),
    ("JOR", "Jordan country office", "mena", False),
    ("HQ", "Headquarters", "global", True),
]
# username, first name, last name, language, [(office, role)], is administrator
USERS = [
    ("staff.iraq", "Layla", "Hassan", "en", [("IRQ", Role.STAFF)], False),
    ("focal.iraq", "Omar", "Saleh", "en", [("IRQ", Role.FOCAL_POINT)], False),
    ("manager.iraq", "Nadia", "Karim", "fr", [("IRQ", Role.MANAGER)], False),
    ("staff.jordan", "Rami", "Haddad", "en", [("JOR", Role.STAFF)], False),
    ("focal.jordan", "Claire", "Dubois", "fr", [("JOR", Role.FOCAL_POINT)], False),
    ("manager.jordan", "Samir", "Nasser", "en", [("JOR", Role.MANAGER)], False),
    ("manager.hq", "Ana", "Pereira", "en", [("HQ", Role.MANAGER)], False),
    ("admin", "Site", "Administrator", "en", [], True),
]
PROJECTS = [
    (
        "IRQ-SHL-2026-01",
        "Shelter repairs for returnee families in Ninewa",
        "IRQ",
        ["shelter"],
        "ECHO",
        "design",
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
        "endorsement",
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
        "implementation",
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
        "design",
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
        "implementation",
        2026,
        (200, 190, 450, 430, 800, 760, 120, 110),
        0.15,
    ),
]


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

    @transaction.atomic
    def handle(self, *args, allow_production, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "Demo accounts share a public password: not loaded while DEBUG is off. "
                "Use --allow-production on a demonstration server only."
            )
        regions = {}
        for code, name_en, name_fr in REGIONS:
            regions[code], _ = Region.objects.update_or_create(
                code=code, defaults={"name_en": name_en, "name_fr": name_fr}
            )
        offices = {}
        for code, name, region, is_hq in OFFICES:
            offices[code], _ = Office.objects.update_or_create(
                code=code,
                defaults={"name": name, "region": regions[region], "is_headquarters": is_hq},
            )
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
                Profile.objects.get_or_create(user=user, defaults={"language": language})
            for office, role in memberships:
                Membership.objects.get_or_create(user=user, office=offices[office], role=role)
            users[username] = user

        phases = {p.code: p for p in Phase.objects.all()}
        sectors = {s.code: s for s in Sector.objects.all()}
        if not phases or not sectors:
            raise CommandError("Load the framework first: python manage.py load_framework")
        for code, title, office, sector_codes, donor, phase, year, people, share in PROJECTS:
            project, created = Project.objects.get_or_create(
                code=code,
                defaults={
                    "title": title,
                    "office": offices[office],
                    "donor": donor,
                    "start_date": datetime.date(year, 1, 1),
                    "end_date": datetime.date(year, 12, 31),
                    "current_phase": phases[phase],
                    "description": title + ".",
                    "created_by": users[f"staff.{'iraq' if office == 'IRQ' else 'jordan'}"],
                },
            )
            if created:
                project.sectors.set([sectors[c] for c in sector_codes])
                self._add_population(project, people, share)
        self.stdout.write(self.style.SUCCESS(self.accounts_text()))

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
        lines = [f"Demo accounts (password for all: {DEMO_PASSWORD}):"]
        for username, first, last, _lang, memberships, _is_admin in USERS:
            roles = ", ".join(f"{Role(role).label} {office}" for office, role in memberships)
            lines.append(
                f"  {username:<16} {first} {last}: {roles or 'Administrator (Django admin)'}"
            )
        return "\n".join(lines)
