"""Where one autosave's time goes, on the database DATABASE_URL names (the small one or
the bench/reports.py data set): the request through every middleware, in this process.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/pmapp_size2k
    .venv/bin/python bench/profile_save.py

Prints the median time of a save, the SQL statements of one save with their time, and the
functions that took the most time over SAVES saves (cProfile, own time and cumulative).
"""

import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import field  # noqa: E402  (sets up Django with the servers' settings)

connection, Client = field.connection, field.Client

SAVES = int(os.environ.get("SAVES", "200"))


def main() -> None:
    cast = field.prepare()
    checklist = cast["checklist"]
    answers = list(checklist.answers.order_by("item__order")[:20])
    versions = {a.pk: a.version for a in answers}
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(cast["user"])
    timings: list[tuple[str, float]] = []

    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append((sql[:110], (time.perf_counter() - started) * 1000))

    def save(n):
        answer = answers[n % len(answers)]
        data = {
            f"a{answer.pk}-response": "yes",
            f"a{answer.pk}-comment": f"Checked on site, visit {n}.",
            f"a{answer.pk}-version": versions[answer.pk],
        }
        response = client.post(
            f"/checklists/{checklist.pk}/answers/{answer.pk}/",
            data,
            HTTP_ACCEPT="application/json",
        )
        assert response.status_code == 200, response.content[:300]
        versions[answer.pk] = response.json()["version"]

    for n in range(30):
        save(n)
    durations = []
    for n in range(30, 30 + SAVES):
        started = time.perf_counter()
        save(n)
        durations.append((time.perf_counter() - started) * 1000)
    with connection.execute_wrapper(timer):
        for n in range(SAVES):
            save(SAVES + 31 + n)
    print(f"projects: {field.Project.objects.count():,}")
    print(f"one save, median of {SAVES}: {statistics.median(durations):.1f} ms in process")
    by_statement: dict[str, list[float]] = {}
    for sql, ms in timings:
        by_statement.setdefault(sql, []).append(ms)
    print(f"statements of one save: {len(timings) / SAVES:.0f}, median and mean of {SAVES}:")
    for sql, times in by_statement.items():
        print(f"  {statistics.median(times):6.2f} ms {statistics.mean(times):6.2f} ms  {sql}")
    profile = cProfile.Profile()
    profile.enable()
    for n in range(2 * SAVES + 40, 3 * SAVES + 40):
        save(n)
    profile.disable()
    stats = pstats.Stats(profile).strip_dirs()
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
