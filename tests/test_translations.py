from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def test_french_catalogue_has_no_untranslated_or_fuzzy_entries():
    catalogue = polib.pofile(str(CATALOGUE))
    assert len(catalogue) > 100
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []


def test_french_catalogue_is_compiled_and_used():
    with translation.override("fr"):
        assert translation.gettext("Skip to main content") == "Aller au contenu principal"


@pytest.mark.parametrize("code", [code for code, _name in settings.LANGUAGES])
def test_every_language_has_a_catalogue(code):
    if code == settings.LANGUAGE_CODE:
        return
    assert (Path(settings.BASE_DIR) / "locale" / code / "LC_MESSAGES" / "django.po").exists()
