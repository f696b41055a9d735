"""Article HTML is cleaned on save, so templates can mark it safe."""

import nh3

ARTICLE_TAGS = frozenset(
    {
        "p", "br", "h2", "h3", "blockquote", "ul", "ol", "li", "a",
        "strong", "em", "figure", "figcaption", "img",
    }
)  # fmt: skip
ARTICLE_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
}
# Anything else, javascript: and data: included, loses the attribute.
URL_SCHEMES = frozenset({"http", "https", "mailto"})


def article_html_clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=set(ARTICLE_TAGS),
        attributes={tag: set(names) for tag, names in ARTICLE_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        # Links to other sites must not get a handle on our window.
        link_rel="noopener",
        strip_comments=True,
    )
