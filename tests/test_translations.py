from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def catalogue_of(code: str) -> Path:
    return Path(settings.BASE_DIR) / "locale" / code / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_catalogue_has_no_untranslated_or_fuzzy_entries(code):
    catalogue = polib.pofile(str(catalogue_of(code)))
    assert len(catalogue) > 100
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize(
    ("code", "expected"),
    [("fr", "Aller au contenu principal"), ("es", "Ir al contenido principal")],
)
def test_catalogues_are_compiled_and_used(code, expected):
    with translation.override(code):
        assert translation.gettext("Skip to main content") == expected


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_catalogue_keeps_the_placeholders_and_markup(code):
    import re

    pattern = re.compile(r"%\(\w+\)s|%s|<[^>]+>")
    for entry in polib.pofile(str(catalogue_of(code))):
        translations = [entry.msgstr] if not entry.msgid_plural else entry.msgstr_plural.values()
        for text in translations:
            assert sorted(pattern.findall(text)) == sorted(pattern.findall(entry.msgid)), (
                entry.msgid
            )


def test_spanish_is_offered_in_its_own_name(client, db):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<option value="es" lang="es"' in page and "Español" in page
    assert "Iniciar sesión" in page


@pytest.mark.parametrize("code", [code for code, _name in settings.LANGUAGES])
def test_every_language_has_a_catalogue(code):
    if code == settings.LANGUAGE_CODE:
        return
    assert (Path(settings.BASE_DIR) / "locale" / code / "LC_MESSAGES" / "django.po").exists()
