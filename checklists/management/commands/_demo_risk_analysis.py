"""The demo design project's protection risk analysis: five risks, one mitigation turned
into an action point. Written through the workflow, as a person would, once."""

import datetime

from checklists import workflow
from checklists.models import RiskRow

DEMO_PROJECT = "IRQ-SHL-2026-01"
# activity, threat, who is at risk, (age, gender, disability, other), vulnerability,
# capacities, likelihood, impact, mitigation, days from the start to the review
RISKS = [
    (
        "Selecting families for shelter repairs",
        "Families left out accuse neighbours; tension and threats in the village.",
        "Families not selected, and the volunteers who list families.",
        (False, False, False, True),
        "Returnees without documents are often left off local lists.",
        "Mukhtars and a women's committee already settle disputes.",
        4,
        3,
        "Publish the criteria in Arabic and Kurdish, and let the committee check the list.",
        45,
    ),
    (
        "Distributing repair kits at one site",
        "Crowding and pushing at the distribution; older people and women pushed away.",
        "Older people, women alone and people with a disability.",
        (True, True, True, False),
        "Long walk to the site; no shade or seats.",
        "Neighbours help carry kits for older people.",
        3,
        4,
        "Deliver kits to homes of people who cannot come, and run a separate queue.",
        30,
    ),
    (
        "Workers repairing homes",
        "Sexual exploitation or abuse by contractors' workers inside homes.",
        "Women and girls at home during the works.",
        (True, True, False, False),
        "Households headed by women, with no adult man at home.",
        "Community focal points know the hotline number.",
        2,
        5,
        "Every worker signs the code of conduct and is briefed; two-person teams only.",
        60,
    ),
    (
        "Collecting household data for the selection",
        "Lists with names and addresses shared with people who should not have them.",
        "Every household registered.",
        (False, False, False, True),
        "Some families fear being known as returnees from certain areas.",
        "",
        2,
        4,
        "Keep the lists in the project's database only; no paper lists at the site.",
        90,
    ),
    (
        "Telling people about the project",
        "People with a hearing or sight impairment miss the information and the complaints line.",
        "People with a disability and older people.",
        (True, False, True, False),
        "Information only on posters and in meetings.",
        "Families pass news by phone.",
        3,
        2,
        "Add voice messages and home visits; check with an organisation of persons with "
        "disabilities.",
        75,
    ),
]


def load_demo_risk_analysis(project, *, staff) -> None:
    """Give the project its demo risk analysis, unless it has one (safe to run again)."""
    if RiskRow.objects.filter(analysis__project=project).exists():
        return
    rows = []
    for risk in RISKS:
        activity, threat, at_risk, groups, vulnerability, capacities, *rest = risk
        likelihood, impact, mitigation, days = rest
        values = {
            "activity": activity,
            "threat": threat,
            "at_risk": at_risk,
            "by_age": groups[0],
            "by_gender": groups[1],
            "by_disability": groups[2],
            "by_other_diversity": groups[3],
            "vulnerability": vulnerability,
            "capacities": capacities,
            "likelihood": likelihood,
            "impact": impact,
            "mitigation": mitigation,
            "owner": staff,
            "review_date": project.start_date + datetime.timedelta(days=days),
        }
        rows.append(workflow.save_risk_row(project=project, user=staff, values=values))
    workflow.risk_row_to_action_point(row=rows[2], user=staff)
