"""Lesson Markdown is rendered and sanitised: no author HTML reaches the page."""

from courses.markdown import render_markdown


def test_script_tag_is_removed_with_its_content():
    html = render_markdown("Keep the waybill.<script>alert('x')</script>")
    assert html == "<p>Keep the waybill.</p>"


def test_event_handlers_images_and_javascript_links_are_removed():
    html = render_markdown(
        '<img src=x onerror="alert(1)"> [click](javascript:alert(1)) <div onclick="x()">raw</div>'
    )
    assert "onerror" not in html
    assert "<img" not in html
    assert "javascript:" not in html
    assert "onclick" not in html
    assert "<div" not in html
    assert '<a rel="noopener noreferrer nofollow">click</a>' in html


def test_markdown_structure_is_kept():
    html = render_markdown(
        "## Title\n\n- **one**\n- `two`\n\n|a|b|\n|-|-|\n|1|2|\n\n[doc](https://example.com)"
    )
    assert "<h2>Title</h2>" in html
    assert "<li><strong>one</strong></li>" in html
    assert "<li><code>two</code></li>" in html
    assert "<td>1</td>" in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">doc</a>' in html
