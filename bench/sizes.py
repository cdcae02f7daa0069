"""The field figures at three sizes in one run: a new database, and the bench/reports.py
data set at 2,000 and at 8,000 projects; then the ratio between the sizes.

    .venv/bin/python bench/sizes.py

Needs PostgreSQL on 127.0.0.1:5432 (user postgres; PGHOST/PGUSER change it) and wrk. Makes
the three databases when they are missing (pmapp_sizesmall, pmapp_size2k, pmapp_size8k;
building the 8,000 projects takes about four minutes) and runs VACUUM ANALYZE on each, as
production's autovacuum would (index-only scans need the visibility map it writes). Each
size runs bench/field.py, which serves its own floor (a bare Django template of the same
100 items) in the same run; its figures are ratios to that floor, counts, or medians on
this machine, never timed tests.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
HOST, USER = os.environ.get("PGHOST", "127.0.0.1"), os.environ.get("PGUSER", "postgres")
# (label, database, offices of 100 projects for bench/reports.py; 0: no data set)
SIZES = [("new database", "pmapp_sizesmall", 0), ("2,000", "pmapp_size2k", 20)]
SIZES.append(("8,000", "pmapp_size8k", 80))


def database_url(name: str) -> str:
    return f"postgres://{USER}@{HOST}:5432/{name}"


def run(command, **env) -> str:
    environment = {**os.environ, "DEBUG": "false", "SECRET_KEY": "bench-only-" + "k" * 40}
    result = subprocess.run(
        command, cwd=ROOT, env={**environment, **env}, capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def ensure_database(name: str, offices: int) -> None:
    exists = run(
        [
            "psql",
            "-h",
            HOST,
            "-U",
            USER,
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname = '{name}'",
        ]
    )
    if not exists.strip():
        run(["createdb", "-h", HOST, "-U", USER, name])
    url = database_url(name)
    run([PYTHON, "manage.py", "migrate", "--no-input", "-v0"], DATABASE_URL=url)
    if offices:
        build = (
            "import bench.reports as r; r.build();"
            "from checklists.models import PrincipleTally;"
            "from django.core.management import call_command;"
            "PrincipleTally.objects.exists() or call_command('refresh_tallies')"
        )
        run([PYTHON, "-c", build], DATABASE_URL=url, BENCH_OFFICES=str(offices))
    run(["psql", "-h", HOST, "-U", USER, "-qc", "VACUUM ANALYZE", name])


def main() -> None:
    results = {}
    for label, name, offices in SIZES:
        ensure_database(name, offices)
        with tempfile.NamedTemporaryFile(suffix=".json") as figures:
            print(f"== {label} ({name})", flush=True)
            output = run(
                [PYTHON, "bench/field.py"],
                DATABASE_URL=database_url(name),
                BENCH_JSON=figures.name,
            )
            print(output, flush=True)
            results[label] = json.loads(Path(figures.name).read_text())
    print(table(results))


ROWS = [
    ("projects", "projects", "{:,.0f}", None),
    ("checklist page, ratio to the floor", "checklist_ratio", "{:.2f}x", ">= 0.5x"),
    ("project page, ratio to the floor", "project_ratio", "{:.2f}x", ">= 0.5x"),
    ("autosave, one client, saves/s", "saves_one", "{:.1f}", ">= 40"),
    ("autosave, one client, p50 ms", "save_p50_ms", "{:.1f}", "< 25"),
    ("autosave, SQL statements per save", "save_statements", "{:.0f}", "the same at every size"),
    ("autosave, 4 clients, saves/s", "saves_four", "{:.1f}", ">= 1.8x one client"),
    ("autosave, 4 clients, slowest of its rounds", "saves_four_slowest", "{:.1f}", None),
    ("autosave, 16 clients, saves/s", "saves_sixteen", "{:.1f}", ">= 4 clients' slowest round"),
    (
        "dashboard, every project, one client, p50 ms",
        "dashboard_p50_ms",
        "{:.0f}",
        "< 300 at 2,000; 8,000 <= 2x 2,000",
    ),
    ("dashboard, SQL statements", "dashboard_statements", "{:.0f}", "the same at every size"),
]


def table(results: dict) -> str:
    """A Markdown table: each figure at each size, and the 8,000 to 2,000 ratio."""
    labels = list(results)
    lines = [
        "| figure | " + " | ".join(labels) + " | 8,000 / 2,000 | target |",
        "| --- |" + " --- |" * (len(labels) + 2),
    ]
    for title, key, form, target in ROWS:
        values = [results[label][key] for label in labels]
        ratio = results["8,000"][key] / results["2,000"][key]
        cells = " | ".join(form.format(value) for value in values)
        lines.append(f"| {title} | {cells} | {ratio:.2f}x | {target or ''} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
