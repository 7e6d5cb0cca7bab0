"""Django's {# … #} comment is one line only: a comment opened on one line and closed on another is
printed on the page as text. Every template must use {% comment %} for a comment of several lines."""

from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _templates():
    for folder in [ROOT / "templates", *ROOT.glob("*/templates")]:
        if ".venv" not in folder.parts:
            yield from folder.rglob("*.html")
            yield from folder.rglob("*.txt")


def test_no_template_opens_a_one_line_comment_it_does_not_close_on_that_line():
    open_comments = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _templates()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if line.count("{#") > line.count("#}")
    ]
    assert list(_templates()), "no templates found"
    assert open_comments == []
