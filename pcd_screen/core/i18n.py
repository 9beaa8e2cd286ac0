"""Report strings in other languages: gettext catalogs under pcd_screen/locale/ (made with Babel).

Rules, vocabularies and sources carry their own texts per language (data files); this module
covers the fixed words of the reports. `make i18n` extracts, updates and compiles the catalogs.
"""

from __future__ import annotations

import gettext
from functools import lru_cache

from pcd_screen.core.paths import PACKAGE_DIR

LOCALE_DIR = PACKAGE_DIR / "locale"
DOMAIN = "messages"
LANGUAGES = ("en", "nl", "fr")


def N_(message: str) -> str:  # noqa: N802 - the conventional name the extractor looks for
    """Mark a string for translation where it is defined; translate it where it is shown."""
    return message


SEVERITY_LABELS = {
    "critical": N_("critical"),
    "high": N_("high"),
    "medium": N_("medium"),
    "low": N_("low"),
    "info": N_("info"),
}


@lru_cache(maxsize=4)
def translations(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang])
