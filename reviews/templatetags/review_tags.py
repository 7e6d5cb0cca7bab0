"""Template helpers for e-mails and pages of the decisions app."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy

from awards.selectors import format_wan
from reviews import workflow
from reviews.selectors.cycles import cycle_stages

register = template.Library()

# The tabs of a cycle's staff pages, /staff/cycles/<code>/…: (section, label, URL name). A page of the
# decisions hub (reviews/_base.html) is named after its tab; "meetings" pages sit under the "home" tab.
CYCLE_TABS = (
    ("overview", gettext_lazy("概况"), "awards:cycle_overview"),
    ("applications", gettext_lazy("评审工作台"), "reviews:staff_queue"),
    ("home", gettext_lazy("进度与会议"), "reviews:cycle_home"),
    ("recommendations", gettext_lazy("推荐名单"), "reviews:recommendations"),
    ("publicity", gettext_lazy("公示与异议"), "reviews:publicity_manage"),
    ("approval", gettext_lazy("批准"), "reviews:approval"),
    ("awards", gettext_lazy("颁奖与奖金"), "reviews:awards"),
    ("dashboard", gettext_lazy("统计看板"), "reviews:dashboard"),
    ("exports", gettext_lazy("导出 Excel"), "reviews:exports"),
)
HUB_TITLE = gettext_lazy("评审决定")


@register.simple_tag
def cycle_tabs(cycle, section):
    """The tabs of the cycle's staff pages, the one of `section` marked active."""
    return [{"label": label, "url": reverse(url_name, args=[cycle.code]),
             "active": section == key or (key == "home" and section == "meetings")} for key, label, url_name in CYCLE_TABS]


@register.simple_tag
def section_title(section):
    """The name of a decisions-hub page: its tab's label (评审决定 for a page of no tab)."""
    return next((label for key, label, _url in CYCLE_TABS if key == section), HUB_TITLE)


@register.simple_tag
def publicity_for_stage(stage):
    """The 公示 published for a stage, or None (used by the e-mail sent when a candidate enters it)."""
    if stage is None:
        return None
    from reviews.models import Publicity

    return Publicity.objects.filter(stage=stage).first()


@register.simple_tag
def approval_for_stage(stage):
    if stage is None:
        return None
    from reviews.models import Approval

    return Approval.objects.filter(stage=stage).first()


@register.simple_tag
def award_of(application):
    from reviews.models import Award

    return Award.objects.filter(application=application).select_related("category").first()


@register.simple_tag
def publicity_url(publicity):
    from reviews.services import public_url

    return public_url(reverse("reviews:public_publicity", args=[publicity.pk]))


@register.filter
def aggregation_label(method) -> str:
    """算术平均 for "mean": the summary method in words, never its code (the labels of the stage parameter)."""
    from reviews.workflow import param_choice_label

    return param_choice_label("scored_review", "aggregation", method) if method else ""


@register.filter
def wan(amount):
    return format_wan(amount)



@register.filter
def award_title(application):
    """长宁区政府质量奖（区长质量奖先进质量管理模式（项目））, or just the programme when the category is the award itself."""
    programme, category = application.cycle.programme, application.category
    if not category.name or category.name == programme.name:
        return programme.display_name
    if programme.display_name != programme.name:  # English reader
        return f"{programme.display_name} ({category.display_name})"
    return f"{programme.name}（{category.name}）"


@register.simple_tag(takes_context=True)
def cycle_pipeline(context, cycle):
    """The cycle's stages in order (read once per cycle instance), and the stage kinds whose pages differ."""
    context["assigning_kinds"] = workflow.kinds_where("assigns_experts")
    context["ranked_kinds"] = workflow.kinds_where("ranked")
    return cycle_stages(cycle)
