"""The floor of the page benchmarks: a bare Django app serving a plain template of the same
100 radio groups as the 100-item checklist page, with nothing else (no database, no
session, no middleware). bench/field.py serves it with gunicorn beside the app and reports
the app's throughput as a ratio of this one's, measured in the same run.

    DJANGO_SETTINGS_MODULE=bench.floor gunicorn bench.floor:application
"""

from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="floor-only-" + "f" * 40,
        ALLOWED_HOSTS=["127.0.0.1"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates"}],
        USE_I18N=False,
    )

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.template import engines  # noqa: E402
from django.urls import path  # noqa: E402

ITEMS = [{"id": n, "question": f"Question {n}: is it done as planned?"} for n in range(100)]
CHOICES = [("yes", "Yes"), ("partial", "Partially"), ("no", "No"), ("na", "Not applicable")]
TEMPLATE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Floor</title></head>
<body><main><h1>Checklist</h1><form method="post">
{% for item in items %}<fieldset><legend>{{ item.question }}</legend>
{% for value, label in choices %}<label><input type="radio" name="a{{ item.id }}-response" \
value="{{ value }}"> {{ label }}</label>
{% endfor %}</fieldset>
{% endfor %}<button type="submit">Save</button></form></main></body></html>"""


def radio_groups(request):
    return HttpResponse(COMPILED.render({"items": ITEMS, "choices": CHOICES}))


urlpatterns = [path("", radio_groups)]
application = get_wsgi_application()
COMPILED = engines["django"].from_string(TEMPLATE)  # compiled once, as the app's are
