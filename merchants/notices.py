"""The merchant notification centre: how a stored notice (code + parameters) becomes text.

Apps above merchants register a renderer per notice code from their `AppConfig.ready()`::

    from merchants.notices import register_notice_renderer

    register_notice_renderer("evaluation.revoked", render_revoked)

where ``render_revoked(params: dict) -> RenderedNotice`` builds the text in the active language
(call it inside `translation.override(...)` to render for an e-mail reader). A code nobody
registered renders as a neutral "notice" rather than failing the page.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class RenderedNotice:
    title: str
    lines: list[str] = field(default_factory=list)  # paragraphs, plain text
    link_url: str = ""  # a page of the back office (relative) or a course
    link_label: str = ""


_RENDERERS: dict[str, Callable[[dict], RenderedNotice]] = {}


def register_notice_renderer(code: str, renderer: Callable[[dict], RenderedNotice]) -> None:
    _RENDERERS[code] = renderer


def render_notice(code: str, params: dict) -> RenderedNotice:
    renderer = _RENDERERS.get(code)
    if renderer is None:
        return RenderedNotice(title=_("Notice from the platform"))
    try:
        return renderer(params)
    except (KeyError, TypeError, ValueError):  # parameters of an older release: show what we can
        return RenderedNotice(title=_("Notice from the platform"))
