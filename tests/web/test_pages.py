"""What the pages make of a message's text: links to the pages it names, code spans as code,
and nothing else as markup."""

from __future__ import annotations

from forcebridge.web.pages import linked


def test_a_code_span_is_shown_as_code_and_markup_inside_it_as_text() -> None:
    said = linked("Start `forcebridge worker`, not `<script>alert(1)</script>` or <b>`x`</b>.")

    assert str(said) == (
        "Start <code>forcebridge worker</code>, not "
        "<code>&lt;script&gt;alert(1)&lt;/script&gt;</code> or &lt;b&gt;<code>x</code>&lt;/b&gt;."
    )


def test_a_lone_backtick_and_a_page_named_in_one_stay_as_they_are() -> None:
    said = linked("it's a ` and `the Connections page`")

    assert str(said) == 'it&#39;s a ` and `<a href="/connections">the Connections page</a>`'
