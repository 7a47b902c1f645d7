"""The languages the hub speaks, and which way each one is written."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    code: str
    native_name: str
    english_name: str
    direction: str = "ltr"


# Every language the hub knows how to present. Which of them are switched on is configuration
# (HUB_LANGUAGES), so a language can be added before all its content is ready.
KNOWN: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("en", "English", "English"),
        Language("cy", "Cymraeg", "Welsh"),
        Language("ar", "العربية", "Arabic", "rtl"),
        Language("ur", "اردو", "Urdu", "rtl"),
        Language("pl", "Polski", "Polish"),
        Language("ro", "Română", "Romanian"),
        Language("bn", "বাংলা", "Bengali"),
        Language("so", "Soomaali", "Somali"),
        Language("pt", "Português", "Portuguese"),
        Language("tr", "Türkçe", "Turkish"),
    )
}

DEFAULT = "en"
