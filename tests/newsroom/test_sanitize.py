import pytest

from newsroom.sanitize import article_html_clean
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_article_body_is_cleaned_on_save():
    article = ArticleFactory(
        body=(
            "<p onclick='steal()'>Hello</p><script>alert(1)</script>"
            '<img src="x.png" alt="A quay" onerror="alert(2)">'
            '<a href="javascript:alert(3)">bad link</a>'
            '<a href="https://example.org/report">good link</a>'
        )
    )
    article.refresh_from_db()
    assert "<script" not in article.body
    assert "alert(1)" not in article.body
    assert "onerror" not in article.body
    assert "onclick" not in article.body
    assert "javascript:" not in article.body
    assert '<img src="x.png" alt="A quay">' in article.body
    assert '<a href="https://example.org/report" rel="noopener">good link</a>' in article.body


def test_cleaned_body_reaches_the_page_without_scripts(client):
    article = ArticleFactory(body="<p>Safe words</p><script>alert('x')</script>")
    response = client.get(article.get_absolute_url())
    assert b"Safe words" in response.content
    assert b"alert('x')" not in response.content


@pytest.mark.parametrize(
    "markup",
    [
        "<p>Para</p>",
        "<h2>Heading</h2>",
        "<h3>Sub</h3>",
        "<blockquote>Quote</blockquote>",
        "<ul><li>One</li></ul>",
        "<ol><li>First</li></ol>",
        "<strong>Bold</strong>",
        "<em>Soft</em>",
        '<figure><img src="/media/a.png" alt="A"><figcaption>Cap</figcaption></figure>',
    ],
)
def test_ordinary_article_markup_is_kept(markup):
    assert article_html_clean(markup) == markup


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ('<iframe src="https://evil.example"></iframe><p>x</p>', "<p>x</p>"),
        ('<p style="color:red">x</p>', "<p>x</p>"),
        ('<a href="data:text/html,hi">x</a>', '<a rel="noopener">x</a>'),
        ("<svg onload=alert(1)></svg>", ""),
    ],
)
def test_dangerous_markup_is_removed(dirty, clean):
    assert article_html_clean(dirty) == clean
