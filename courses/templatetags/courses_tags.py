from django import template

from ..markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    """`{{ lesson.body|markdown }}`: Markdown rendered and sanitised (no author HTML survives)."""
    return render_markdown(text)
