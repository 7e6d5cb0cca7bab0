"""Staff pages read in English show the configured English names (programme, cycle, stage, category) and English
punctuation after English labels; the only Chinese left is data nobody translated (applicants', experts' names).
The Chinese pages keep their full-width punctuation."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from awards.selectors import cycle_budget
from core.models import ActivityLog
from reviews import services
from reviews.selectors.history import HistoryReader

HAN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")
ENGLISH_LABEL_THEN_FULL_WIDTH = re.compile(r"[A-Za-z][：（）；]")


def _visible_text(html: str) -> str:
    main = html[html.index("<main"):html.index("</main>")]
    main = re.sub(r"(?s)<(script|style|template)\b.*?</\1>", " ", main)
    # The document panel (documents/) quotes documents' Chinese titles and is not a staff template.
    main = re.sub(r"(?s)<section class=\"card mb-3 document-panel\".*?</section>", " ", main)
    return unescape(re.sub(r"<[^>]+>", " ", main))


@pytest.fixture
def english_names(cn_cycle):
    programme = cn_cycle.programme
    programme.name_en = "Changning Quality Award"
    programme.save(update_fields=["name_en"])
    cn_cycle.name_en = "2023 round"
    cn_cycle.save(update_fields=["name_en"])
    for stage in cn_cycle.stages.all():
        stage.name_en = f"Stage {stage.code}"
        stage.save(update_fields=["name_en"])
    for category in cn_cycle.categories.all():
        category.name_en = f"Category {category.code}"
        category.save(update_fields=["name_en"])
    return cn_cycle


@pytest.fixture
def in_review(english_names, cn_staff, make_application, make_expert):
    app = make_application(english_names, stage="material-review", staff=cn_staff, name="英文页面示例有限公司")
    expert = make_expert(name="英文页面专家")
    services.assign_expert(stage=english_names.stages.get(code="material-review"), application=app, expert=expert,
                           actor=cn_staff)
    return app, expert


# (URL name, its arguments after the cycle's code): "app" stands for the application's pk.
PAGES = [("awards:cycle_overview", ()), ("reviews:staff_application", ("app",)), ("reviews:stage_detail", ("material-review",)),
         ("reviews:ranking", ("material-review",)), ("reviews:recommendations", ()), ("reviews:approval", ()),
         ("reviews:dashboard", ())]


# Chinese data the tests' configuration gives no English for, or that is Chinese by nature: document numbers, the
# 申报表's own wording of the budget total (also printed in the Chinese documents), the 表彰比例 gloss.
UNTRANSLATED_DATA = ["表彰比例", "《卓越绩效评价准则》", "《上海市政府质量奖个人评价准则》", "权重为系统默认值，管理办法未载明，请评审办公室按实际确认。",
                     "区长质量奖评审联席会议", "长府〔2023〕12号", "法人", "联系人"]


@pytest.mark.parametrize(("url_name", "args"), PAGES)
def test_staff_pages_in_english_show_no_chinese_labels(url_name, args, in_review, cn_staff, client, settings):
    app, expert = in_review
    cycle = app.cycle
    client.force_login(cn_staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    chinese_names = [cycle.programme.name, cycle.name] + [s.name for s in cycle.stages.all()] + [
        c.name for c in cycle.categories.all()]
    data = [app.applicant_name, expert.name, expert.employer, cycle.programme.organiser.name,
            cycle.programme.organiser.office_name, cycle.programme.host, cycle.programme.undertaker,
            cycle.funding_source, cycle.work_plan_funding_source, cycle.held_on_text, cycle.previous_held_on_text,
            cycle_budget(cycle).total_label, *UNTRANSLATED_DATA]
    path = reverse(url_name, args=[cycle.code, *(app.pk if a == "app" else a for a in args)])
    response = client.get(path)
    assert response.status_code == 200
    text = _visible_text(response.content.decode())
    assert "Changning Quality Award (2023 round)" in text
    assert [name for name in chinese_names if name in text] == []
    assert ENGLISH_LABEL_THEN_FULL_WIDTH.findall(text) == []
    for value in data:
        text = text.replace(value or "\0", " ")
    assert HAN.findall(text) == []


def test_the_chinese_pages_keep_chinese_names_and_punctuation(in_review, cn_staff, client):
    app, _expert = in_review
    cycle = app.cycle
    client.force_login(cn_staff)
    page = client.get(reverse("reviews:staff_application", args=[cycle.code, app.pk])).content.decode()
    assert f"{cycle.programme.name}（{cycle.name}）" in page and "当前环节：资料评审" in page
    ranking = client.get(reverse("reviews:ranking", args=[cycle.code, "material-review"])).content.decode()
    assert "汇总方式：" in ranking and "Stage material-review" not in ranking


def test_a_scoresheets_written_words_are_labelled_in_the_history(in_review):
    app, _expert = in_review
    entry = ActivityLog(action="reviews.scores.save", before={"texts": {}},
                        after={"texts": {"4.1.1": {"strengths": "方法系统", "improvements": "量化目标"}}})
    changes = HistoryReader(app).changes(entry)
    assert [(c.label, c.before, c.after) for c in changes] == [
        ("评语 4.1.1 · 优势", None, "方法系统"), ("评语 4.1.1 · 改进机会", None, "量化目标")]


def test_the_next_cycles_date_and_time_boxes_are_each_named(english_names, cn_staff, client):
    client.force_login(cn_staff)
    page = client.get(reverse("awards:cycle_clone", args=[english_names.code])).content.decode()
    for name, label in (("opens_at", "申报开始"), ("closes_at", "申报截止")):
        assert re.search(rf'<input type="date" name="{name}_0"[^>]* aria-label="{label} · 日期"', page)
        assert re.search(rf'<input type="time" name="{name}_1"[^>]* aria-label="{label} · 时间"', page)
