"""Bilingual content: models keep `<field>_zh` and `<field>_en`; show the one of the active language."""

from django.utils import translation


def is_chinese() -> bool:
    return (translation.get_language() or "zh-hans").startswith("zh")


def localized(obj, field: str) -> str:
    """`obj.<field>_zh` under zh-hans, else `obj.<field>_en` (falling back to Chinese when empty)."""
    zh = getattr(obj, f"{field}_zh")
    return zh if is_chinese() else (getattr(obj, f"{field}_en") or zh)
