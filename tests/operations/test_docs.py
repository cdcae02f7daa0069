"""The README and the guides in docs/: the README stays short and links to each guide, every
link in them leads to a file (and a heading) that exists, and the settings reference lists
every environment variable pmapp/settings.py reads."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDES = ["users", "administrators", "deployment", "api", "operations", "data-protection"]
DOCUMENTS = sorted([ROOT / "README.md", ROOT / "CHANGELOG.md", *(ROOT / "docs").rglob("*.md")])

sys.path.insert(0, str(ROOT / "bin"))


def settings_reference():
    import importlib.machinery
    import importlib.util

    loader = importlib.machinery.SourceFileLoader(
        "settings_reference", str(ROOT / "bin" / "settings-reference")
    )
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


def links(text: str) -> list[str]:
    """Targets of Markdown links and images, outside code blocks and code spans."""
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    text = re.sub(r"`[^`\n]*`", "", text)
    return re.findall(r"!?\[[^\]]*\]\(([^)\s]+)\)", text)


def anchor(heading: str) -> str:
    """The anchor GitHub (and most Markdown viewers) give a heading."""
    heading = re.sub(r"[`*_]", "", heading.strip().lower())
    heading = re.sub(r"[^\w\- ]", "", heading)
    return heading.replace(" ", "-")


def anchors_of(path: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", path.read_text(), flags=re.DOTALL)
    return {anchor(match) for match in re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE)}


def test_the_readme_is_short_and_leads_to_every_guide():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.encode()) < 10_000
    assert "make run" in readme and "make test" in readme
    for guide in GUIDES:
        assert f"(docs/{guide}.md)" in readme, f"the README does not link to docs/{guide}.md"
        assert (ROOT / "docs" / f"{guide}.md").exists()


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_link_leads_somewhere(document):
    problems = []
    for target in links(document.read_text()):
        if re.match(r"^[a-z]+:", target):
            continue  # an outside address: not fetched here (no network in CI)
        path_part, _hash, fragment = target.partition("#")
        destination = (document.parent / path_part).resolve() if path_part else document
        if not destination.exists():
            problems.append(f"{target}: no such file")
        elif fragment and destination.suffix == ".md" and fragment not in anchors_of(destination):
            problems.append(f"{target}: no heading #{fragment} in {destination.name}")
    assert not problems, "\n".join(problems)


def test_the_link_checker_sees_a_broken_link(tmp_path):
    # The check above cannot pass by finding nothing.
    page = tmp_path / "page.md"
    page.write_text("# Title\n[ok](#title) [broken](missing.md) [gone](#nowhere) `[no](x.md)`\n")
    assert links(page.read_text()) == ["#title", "missing.md", "#nowhere"]
    assert anchors_of(page) == {"title"}
    assert anchor("8. The services: web, worker") == "8-the-services-web-worker"
    assert anchor("Signing in with the organisation's account") == (
        "signing-in-with-the-organisations-account"
    )


def test_the_settings_reference_lists_every_variable_the_settings_read():
    reference = settings_reference()
    settings_source = (ROOT / "pmapp" / "settings.py").read_text()
    read = [name for name, _default in reference.environment_reads(settings_source)]
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "S3_BUCKET", "SENTRY_DSN"} <= set(read)
    listed = reference.current_rows((ROOT / "docs" / "deployment.md").read_text())
    missing = [name for name in read if name not in listed]
    assert not missing, f"run python bin/settings-reference; missing: {missing}"
    assert not [name for name in listed if name not in read], "variables no longer read"
    undescribed = [name for name, row in listed.items() if row[1] == reference.UNDESCRIBED]
    assert not undescribed, f"describe {undescribed} in docs/deployment.md"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bin" / "settings-reference"), "--check"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def test_the_settings_reference_sees_every_way_of_reading_the_environment():
    reference = settings_reference()
    source = (
        "import os\n"
        'A = os.environ.get("A", "1")\n'
        'B = envbool("B", "true")\n'
        'C = envint("C", str(2 * 3))\n'
        'D = os.environ["D"]\n'
        'E = os.getenv("E")\n'
        'F = envlist("F", "")\n'
    )
    assert reference.environment_reads(source) == [
        ("A", "`1`"),
        ("B", "`true`"),
        ("C", "`str(2 * 3)`"),
        ("D", "(none)"),
        ("E", "(none)"),
        ("F", "empty"),
    ]
