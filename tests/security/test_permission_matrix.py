"""Every URL of the portal × every role → the expected status, with no leak and no change by a refused POST.

The URL list is taken from the URLconf itself (django.urls.get_resolver(), walked recursively), so a
URL someone adds later fails `test_every_url_pattern_is_in_the_matrix` until it gets a row in
MATRIX below. Skipped, with the reason:
- `set_language` (i18n/setlang/): Django's own language switch; it stores a cookie and redirects,
  it touches no data of ours.
- the `admin:` namespace: django.contrib.admin's own views and the ModelAdmin pages. The admin is
  for programme admins (is_staff) only and its organiser scoping is pinned in tests/awards/test_admin.py;
  here only "non-staff users are sent to the admin login" is checked for the admin index.
- static files: not in the URLconf (served by WhiteNoise), so nothing to skip.

Statuses: 200, 400 (form re-rendered with errors), 403, 404 (objects a user may not see are
denied with 404, not 403), 405 (wrong method), 409 (state conflict), LOGIN (302 to the login page,
with ?next=), R (302 somewhere else: the action's own redirect).

Each GET and POST runs inside a savepoint that is rolled back, so every request sees the same world.
A POST sends the data that would succeed for an allowed role (POST_DATA); for a refused role the
activity log, every table's row count, the application rows and the files under MEDIA_ROOT stay
exactly as they were.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from applications.models import Application

from .world import (
    A_CREDIT_CODE,
    A_FULL_NAME,
    A_ORG_NAME,
    JOINT_UNITS,
    XH_CREDIT_CODE,
    XH_ORG_NAME,
    ROLES,
    World,
    pdf_upload,
)

LOGIN = "login"
R = "redirect"
OK, BAD, FORBIDDEN, NF, NA, CONFLICT = 200, 400, 403, 404, 405, 409
MOVED, MOVED_KEEPING_METHOD = 301, 308  # the staff addresses of before the pipeline became one app
REFUSED = {LOGIN, FORBIDDEN, NF, NA}

SKIPPED_NAMESPACES = ("admin",)
SKIPPED_NAMES = {"set_language"}


# ---------------------------------------------------------------------------------------------
# Role groups: readable rows


def row(default, **overrides) -> dict:
    unknown = set(overrides) - set(ROLES)
    assert not unknown, unknown
    return {role: overrides.get(role, default) for role in ROLES}


def public(status=OK, **overrides) -> dict:
    return row(status, **overrides)


def signed_in(status=OK, **overrides) -> dict:
    return row(status, **{"anonymous": LOGIN, **overrides})


def staff_this(status=OK, **overrides) -> dict:
    """The organiser's review staff and programme admin; everybody else signed in gets 404."""
    return row(NF, **{"anonymous": LOGIN, "staff_this": status, "programme_admin": status, **overrides})


def staff_any(status=OK, **overrides) -> dict:
    """Review staff of any organiser (each sees their own organiser's data)."""
    return row(NF, **{"anonymous": LOGIN, "staff_this": status, "staff_other": status, "programme_admin": status, **overrides})


def owner_a(status=OK, **overrides) -> dict:
    return row(NF, **{"anonymous": LOGIN, "applicant_a": status, **overrides})


POST_ONLY = signed_in(NA)  # GET on a POST-only view: 405 once signed in
GET_ONLY = signed_in(NA)


# ---------------------------------------------------------------------------------------------
# The matrix: url name → {"get": {role: status}, "post": {role: status}}

MATRIX: dict[str, dict[str, dict]] = {
    # -- accounts (public pages; password change needs a session) ------------------------------
    "accounts:login": {"get": public(), "post": public(BAD)},
    "accounts:logout": {"get": public(NA), "post": public(R)},
    "accounts:signup": {"get": public(R, anonymous=OK), "post": public(R, anonymous=BAD)},
    "accounts:verify_pending": {"get": public(), "post": public()},
    "accounts:verify_resend": {"get": public(NA), "post": public(R)},
    "accounts:verify": {"get": public(BAD), "post": public(BAD)},  # a forged token is refused
    "accounts:password_reset": {"get": public(), "post": public(R)},
    "accounts:password_reset_done": {"get": public(), "post": public(NA)},
    "accounts:password_reset_confirm": {"get": public(), "post": public()},  # "invalid link" page
    "accounts:password_reset_complete": {"get": public(), "post": public(NA)},
    "accounts:password_change": {"get": signed_in(), "post": signed_in()},  # re-rendered with errors
    "accounts:password_change_done": {"get": signed_in(), "post": signed_in(NA)},
    # Two-step verification (not demanded in the test settings: nobody here has enrolled, so the
    # verification page sends them on, and there are no new recovery codes to show).
    "accounts:2fa_setup": {"get": signed_in(), "post": signed_in(BAD)},  # no code typed
    "accounts:2fa_verify": {"get": signed_in(R), "post": signed_in(R)},
    "accounts:2fa_recovery_codes": {"get": signed_in(R), "post": signed_in(R)},
    "accounts:security": {"get": signed_in(), "post": signed_in(R)},
    # OpenID Connect single sign-on: off in the test settings, so the pages do not exist.
    "accounts:oidc_login": {"get": public(NF), "post": public(NF)},
    "accounts:oidc_callback": {"get": public(NF), "post": public(NF)},
    # -- staff configuration pages ----------------------------------------------------------------
    "awards:cycle_list": {"get": staff_any(), "post": staff_any()},
    "awards:cycle_overview": {"get": staff_this(), "post": staff_this()},
    "awards:cycle_clone": {"get": staff_this(), "post": staff_this(R)},  # the next 届 is created
    "awards:past_winners": {"get": staff_this(), "post": staff_this(BAD)},  # no file sent
    # -- expert side --------------------------------------------------------------------------------
    "reviews:expert_home": {"get": row(NF, anonymous=LOGIN, expert_assigned=OK, expert_conflicted=OK),
                            "post": row(NF, anonymous=LOGIN, expert_assigned=OK, expert_conflicted=OK)},
    "reviews:expert_application": {"get": row(NF, anonymous=LOGIN, expert_assigned=OK),
                                   "post": row(NF, anonymous=LOGIN, expert_assigned=OK)},
    "reviews:expert_scoresheet": {"get": row(NF, anonymous=LOGIN, expert_assigned=OK),
                                  "post": row(NF, anonymous=LOGIN, expert_assigned=BAD)},  # items not scored yet
    # Until the expert has submitted their own scores they are sent to their scoresheet.
    "reviews:expert_scores": {"get": row(NF, anonymous=LOGIN, expert_assigned=R),
                              "post": row(NF, anonymous=LOGIN, expert_assigned=R)},
    # One access rule (reviews.access) for every download address of an attachment: its owner too.
    "reviews:attachment_download": {"get": staff_this(expert_assigned=OK, applicant_a=OK), "post": staff_this(expert_assigned=OK, applicant_a=OK)},
    # -- staff: expert pool -----------------------------------------------------------------------
    "reviews:expert_pool": {"get": staff_any(), "post": staff_any()},
    "reviews:expert_new": {"get": staff_any(), "post": staff_any(BAD)},
    "reviews:expert_edit": {"get": staff_this(), "post": staff_this(R)},
    # -- staff: queue and application page ---------------------------------------------------------
    "reviews:staff_queue": {"get": staff_this(), "post": staff_this()},
    "reviews:staff_bulk": {"get": POST_ONLY, "post": staff_this()},
    # Saved queue filters: each staff user's own (another's is 404, also for the programme admin).
    "reviews:staff_queue_filter_save": {"get": POST_ONLY, "post": staff_this(R)},
    "reviews:staff_queue_filter_delete": {"get": POST_ONLY, "post": staff_this(R, programme_admin=NF)},
    "reviews:staff_application": {"get": staff_this(), "post": staff_this()},
    "reviews:staff_transition": {"get": POST_ONLY, "post": staff_this(R)},
    "reviews:staff_reveal_identity": {"get": POST_ONLY, "post": staff_this(R)},
    "reviews:staff_eligibility": {"get": POST_ONLY, "post": staff_this(R)},
    "reviews:staff_eligibility_rerun": {"get": POST_ONLY, "post": staff_this(R)},
    "reviews:staff_supplement": {"get": POST_ONLY, "post": staff_this(R)},
    "reviews:staff_assign": {"get": POST_ONLY, "post": staff_this(R)},
    "reviews:staff_conflict": {"get": POST_ONLY, "post": staff_this(R)},
    "reviews:staff_unassign": {"get": POST_ONLY, "post": staff_this(R)},
    "reviews:staff_reopen": {"get": POST_ONLY, "post": staff_this(R)},
    # 评价反馈报告: the organiser's staff (and the stage's panel leader; the world's expert leads no panel here).
    "reviews:feedback_edit": {"get": staff_this(), "post": staff_this(BAD)},  # no submitted scoresheet yet: a clear 400
    # -- staff: stages -----------------------------------------------------------------------------
    "reviews:stage_detail": {"get": staff_this(), "post": staff_this()},
    "reviews:stage_auto_assign": {"get": POST_ONLY, "post": staff_this(R)},
    "reviews:panel_new": {"get": staff_this(), "post": staff_this(R)},
    "reviews:panel_edit": {"get": staff_this(), "post": staff_this(R)},
    # A is at 资格审查 and the day lies beyond the holiday calendar: staff are refused with the reason (400);
    # slots that succeed are booked in tests/reviews/test_review_guards.py.
    "reviews:schedule": {"get": staff_this(), "post": staff_this(BAD)},
    "reviews:schedule_cancel": {"get": POST_ONLY, "post": staff_this(R)},
    "reviews:ranking": {"get": staff_this(), "post": staff_this(BAD)},  # nothing scored: no cut-off to apply
    "reviews:calibration": {"get": staff_this(), "post": staff_this(R)},  # the aggregation method changed
    # -- documents: A's 申报书 — the owner, the organiser's staff, and the assigned expert who declared
    #    no conflict (the expert packet); never the conflicted expert ----------------------------------
    "documents:request": {"get": POST_ONLY, "post": staff_this(R, applicant_a=R, expert_assigned=R)},
    "documents:status": {"get": staff_this(applicant_a=OK, expert_assigned=OK), "post": GET_ONLY},
    "documents:download": {"get": staff_this(applicant_a=OK, expert_assigned=OK), "post": GET_ONLY},
    "documents:retry": {"get": POST_ONLY, "post": staff_this(R, applicant_a=R, expert_assigned=R)},
    # -- decisions: the public 公示 page (ended: objections refused with 403) ------------------------
    "reviews:public_publicity": {"get": public(), "post": public(FORBIDDEN)},
    # -- decisions: staff --------------------------------------------------------------------------
    "reviews:cycle_home": {"get": staff_this(), "post": staff_this()},
    "reviews:dashboard": {"get": staff_this(), "post": staff_this()},
    "reviews:meeting_new": {"get": staff_this(), "post": staff_this(R)},
    "reviews:recommendations": {"get": staff_this(), "post": staff_this(BAD)},  # list already approved
    "reviews:publicity_manage": {"get": staff_this(), "post": staff_this()},
    "reviews:publicity_submit": {"get": POST_ONLY, "post": staff_this(R)},
    "reviews:approval": {"get": staff_this(), "post": staff_this()},
    "reviews:awards": {"get": staff_this(), "post": staff_this()},
    "reviews:export": {"get": staff_this(R), "post": staff_this(R)},  # opens / asks on the exports page
    "reviews:exports": {"get": staff_this(), "post": staff_this(R)},
    "reviews:export_status": {"get": staff_this(), "post": GET_ONLY},
    "reviews:export_download": {"get": staff_this(), "post": GET_ONLY},
    "reviews:export_retry": {"get": POST_ONLY, "post": staff_this(R)},  # a finished job: nothing to retry
    "reviews:meeting_detail": {"get": staff_this(), "post": staff_this(R)},
    "reviews:meeting_edit": {"get": staff_this(), "post": staff_this(R)},
    "reviews:meeting_apply": {"get": POST_ONLY, "post": staff_this(R)},
    "reviews:meeting_minutes": {"get": staff_this(), "post": staff_this()},
    "reviews:objection_detail": {"get": staff_this(), "post": staff_this(BAD)},
    "reviews:objection_attachment": {"get": staff_this(), "post": staff_this()},
    "reviews:award_payment": {"get": POST_ONLY, "post": staff_this(R)},
    "reviews:award_benefit": {"get": POST_ONLY, "post": staff_this(R)},
    "reviews:award_complete": {"get": POST_ONLY, "post": staff_this(R)},
    "reviews:application_notifications": {"get": staff_this(), "post": staff_this(R)},
    # -- old staff addresses: moved for everybody (the page moved to checks permissions) ------------
    "reviews:legacy_expert_pool": {"get": public(MOVED), "post": public(MOVED_KEEPING_METHOD)},
    "reviews:legacy_staff_cycle": {"get": public(MOVED), "post": public(MOVED_KEEPING_METHOD)},
    "reviews:legacy_decision_object": {"get": public(MOVED), "post": public(MOVED_KEEPING_METHOD)},
    "reviews:legacy_decisions_cycle": {"get": public(MOVED), "post": public(MOVED_KEEPING_METHOD)},
    # …except the one without a cycle code: only who may see the application learns where it went.
    "reviews:legacy_notifications": {"get": staff_this(MOVED), "post": staff_this(MOVED_KEEPING_METHOD)},
    # -- applicant portal: public calls ------------------------------------------------------------
    "applications:call": {"get": public(), "post": public()},
    "applications:blank_form": {"get": public(), "post": public()},
    # Anyone signed in may start an application of their own.
    "applications:start": {"get": signed_in(), "post": signed_in(BAD)},
    "applications:dashboard": {"get": signed_in(), "post": signed_in()},
    # Everyone signed in downloads their own data (PIPL); nobody else's.
    "applications:my_data": {"get": signed_in(), "post": signed_in()},
    "applications:organisation_new": {"get": signed_in(), "post": signed_in(BAD)},
    "applications:organisation_edit": {"get": owner_a(), "post": owner_a(R)},
    "applications:person_edit": {"get": signed_in(), "post": signed_in(BAD)},
    # -- applicant portal: A's application (in review) ---------------------------------------------
    "applications:detail": {"get": owner_a(), "post": owner_a()},
    "applications:edit": {"get": owner_a(R), "post": owner_a(R)},  # in review: not editable → detail
    "applications:check": {"get": owner_a(), "post": owner_a(CONFLICT)},  # already submitted
    "applications:receipt": {"get": owner_a(), "post": owner_a()},
    "applications:withdraw": {"get": POST_ONLY, "post": owner_a(R)},
    "applications:attachment_upload": {"get": POST_ONLY, "post": owner_a(BAD)},  # not editable in review
    "applications:attachment_delete": {"get": POST_ONLY, "post": owner_a(R)},
    # One access rule (reviews.access) for every download address: the expert who declared no conflict too.
    "applications:attachment_download": {"get": staff_this(applicant_a=OK, expert_assigned=OK), "post": staff_this(applicant_a=OK, expert_assigned=OK)},
    # -- recommending units --------------------------------------------------------------------------
    "applications:nominations": {"get": row(NF, anonymous=LOGIN, recommender=OK),
                                 "post": row(NF, anonymous=LOGIN, recommender=R)},
    "applications:nomination_cancel": {"get": POST_ONLY, "post": row(NF, anonymous=LOGIN, recommender=R)},
    # The invitation link is the credential (sent to the nominee's e-mail); accepting needs an
    # organisation profile of the signed-in user for this organisation category: refused otherwise.
    "applications:nomination_accept": {"get": public(), "post": public(BAD, anonymous=OK)},
    # -- staff: credit blacklist (each organiser its own list) --------------------------------------
    "applications:blacklist": {"get": staff_any(), "post": staff_any(OK, staff_other=BAD)},
    # -- core --------------------------------------------------------------------------------------
    "core:home": {"get": public(), "post": public()},
    "core:health": {"get": public(), "post": public()},
    "core:favicon": {"get": public(R), "post": public(R)},  # a redirect to the static icon
}


# ---------------------------------------------------------------------------------------------
# URL kwargs and POST data from the world


def _uid(world: World) -> str:
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    return urlsafe_base64_encode(force_bytes(world.user("applicant_a").pk))


def url_kwargs(world: World) -> dict[str, dict]:
    i, c = world.ids, world.cycles
    cq = {"code": c["cq"]}
    app_a = {"code": c["cq"], "pk": i["app_a"]}
    return {
        "accounts:verify": {"uidb64": _uid(world), "token": "forged-token"},
        "accounts:password_reset_confirm": {"uidb64": _uid(world), "token": "forged-token"},
        "awards:cycle_overview": cq,
        "awards:cycle_clone": cq,
        "awards:past_winners": {"code": "changning-quality"},
        "reviews:expert_application": {"pk": i["app_a"]},
        "reviews:expert_scoresheet": {"pk": i["app_a"], "stage_code": "material-review"},
        "reviews:expert_scores": {"pk": i["app_a"], "stage_code": "material-review"},
        "reviews:attachment_download": {"pk": i["attachment_a"]},
        "reviews:expert_edit": {"pk": i["expert_ok"]},
        "reviews:staff_queue": cq,
        "reviews:staff_bulk": cq,
        "reviews:staff_queue_filter_save": cq,
        "reviews:staff_queue_filter_delete": {"code": c["cq"], "pk": i["saved_filter"]},
        "reviews:staff_application": app_a,
        "reviews:staff_transition": app_a,
        "reviews:staff_reveal_identity": app_a,
        "reviews:staff_eligibility": app_a,
        "reviews:staff_eligibility_rerun": app_a,
        "reviews:staff_supplement": app_a,
        "reviews:staff_assign": app_a,
        "reviews:staff_conflict": app_a,
        "reviews:staff_unassign": {"code": c["cq"], "pk": i["assignment_ok"]},
        "reviews:staff_reopen": {"code": c["cq"], "pk": i["scoresheet"]},
        "reviews:feedback_edit": {"code": c["cq"], "pk": i["app_a"], "stage_code": "material-review"},
        "reviews:stage_detail": {"code": c["cq"], "stage_code": "material-review"},
        "reviews:stage_auto_assign": {"code": c["cq"], "stage_code": "material-review"},
        "reviews:panel_new": {"code": c["cq"], "stage_code": "presentation"},
        "reviews:panel_edit": {"code": c["cq"], "stage_code": "presentation", "panel_pk": i["panel"]},
        "reviews:schedule": {"code": c["cq"], "stage_code": "presentation"},
        "reviews:schedule_cancel": {"code": c["cq"], "stage_code": "presentation", "entry_pk": i["schedule_entry"]},
        "reviews:ranking": {"code": c["cq"], "stage_code": "material-review"},
        "reviews:calibration": {"code": c["cq"], "stage_code": "material-review"},
        "documents:status": {"public_id": i["document"]},
        "documents:download": {"public_id": i["document"]},
        "documents:retry": {"public_id": i["document"]},
        "reviews:public_publicity": {"key": str(i["publicity"])},
        "reviews:cycle_home": cq,
        "reviews:dashboard": cq,
        "reviews:meeting_new": {"code": c["hq"], "stage_code": "selection"},
        "reviews:recommendations": cq,
        "reviews:publicity_manage": cq,
        "reviews:publicity_submit": cq,
        "reviews:approval": cq,
        "reviews:awards": cq,
        "reviews:export": {"code": c["cq"], "kind": "applications"},
        "reviews:exports": cq,
        "reviews:export_status": {"code": c["cq"], "public_id": i["export"]},
        "reviews:export_download": {"code": c["cq"], "public_id": i["export"]},
        "reviews:export_retry": {"code": c["cq"], "public_id": i["export"]},
        "reviews:meeting_detail": {"pk": i["meeting"]},
        "reviews:meeting_edit": {"pk": i["meeting"]},
        "reviews:meeting_apply": {"pk": i["meeting"]},
        "reviews:meeting_minutes": {"pk": i["meeting"]},
        "reviews:objection_detail": {"pk": i["objection"]},
        "reviews:objection_attachment": {"pk": i["objection"]},
        "reviews:award_payment": {"pk": i["award"]},
        "reviews:award_benefit": {"pk": i["award"]},
        "reviews:award_complete": {"pk": i["award"]},
        "reviews:application_notifications": app_a,
        "reviews:legacy_expert_pool": {"rest": ""},
        "reviews:legacy_staff_cycle": {"code": c["cq"], "rest": f"applications/{i['app_a']}/"},
        "reviews:legacy_decision_object": {"kind": "meetings", "rest": f"{i['meeting']}/"},
        "reviews:legacy_decisions_cycle": {"code": c["cq"], "rest": "publicity/"},
        "reviews:legacy_notifications": {"pk": i["app_a"]},
        "applications:call": cq,
        "applications:blank_form": {"code": c["cq"], "category": "gold-mode"},
        "applications:start": cq,
        "applications:organisation_edit": {"pk": i["org_a"]},
        "applications:detail": {"pk": i["app_a"]},
        "applications:edit": {"pk": i["app_a"]},
        "applications:check": {"pk": i["app_a"]},
        "applications:receipt": {"pk": i["app_a"]},
        "applications:withdraw": {"pk": i["app_a"]},
        "applications:attachment_upload": {"pk": i["app_a"]},
        "applications:attachment_delete": {"pk": i["app_a"], "attachment_pk": i["attachment_a"]},
        "applications:attachment_download": {"pk": i["attachment_a"]},
        "applications:nomination_cancel": {"pk": i["nomination"]},
        "applications:nomination_accept": {"token": i["nomination_token"]},
    }


def post_data(world: World) -> dict[str, Callable[[], dict]]:
    """What an allowed role would send (files are built per request: an upload is consumed once)."""
    i = world.ids
    return {
        "accounts:login": lambda: {"username": "applicant-a", "password": "wrong-password"},
        "awards:cycle_clone": lambda: {"code": "changning-quality-2026", "name": "2026年度", "year": "2026",
                                       "opens_at_0": "2026-03-01", "opens_at_1": "09:00:00",
                                       "closes_at_0": "2026-04-30", "closes_at_1": "23:59:59"},
        "reviews:expert_scoresheet": lambda: {"opinion": "材料翔实。"},
        "reviews:expert_new": lambda: {"name": "新专家"},
        "reviews:expert_edit": lambda: {"name": "评审专家甲", "employer": "上海某大学", "title": "教授", "is_active": "on"},
        "reviews:staff_bulk": lambda: {"applications": [str(i["app_a"])], "action": "fail", "reason": "批量不通过"},
        "reviews:staff_queue_filter_save": lambda: {"name": "待受理", "query": "status=submitted&sort=-submitted"},
        "reviews:staff_reveal_identity": lambda: {"purpose": "资格审查核验身份"},
        "reviews:staff_transition": lambda: {"name": "fail", "reason": "不符合申报条件",
                                             "state": Application.objects.get(pk=i["app_a"]).state_token},
        "reviews:staff_eligibility": lambda: {"rule_key": i["rule_key"], "result": "pass", "reason": "核实无误"},
        "reviews:staff_supplement": lambda: {"sections": [i["section"]], "message": "请补充近三年财务报表", "working_days": "10"},
        "reviews:staff_assign": lambda: {"stage": "site-visit", "expert": str(i["expert_ok"])},
        "reviews:staff_conflict": lambda: {"expert": str(i["expert_ok"]), "reason": "近亲属在申报单位任职"},
        "reviews:staff_unassign": lambda: {"reason": "调整分工"},
        "reviews:staff_reopen": lambda: {"reason": "复核评分"},
        "reviews:feedback_edit": lambda: {"action": "start"},
        "reviews:stage_auto_assign": lambda: {"category": "gold-mode"},
        "reviews:panel_new": lambda: {"name": "第二组", "members": [str(i["expert_ok"])]},
        "reviews:panel_edit": lambda: {"name": "第一组（调整）", "members": [str(i["expert_ok"])]},
        "reviews:schedule": lambda: {"application": str(i["app_a"]), "date": "2030-05-06", "start": "09:00", "end": "10:00",
                                     "location": "长宁区市场监管局 5 楼", "panel": str(i["panel"])},
        "reviews:schedule_cancel": lambda: {"reason": "改期"},
        "reviews:ranking": lambda: {"method": "top_k", "value": "1", "confirm": "1"},
        "reviews:calibration": lambda: {"aggregation": "zscore", "reason": "专家宽严不一，按标准分汇总"},
        "documents:request": lambda: {"kind": "application", "application": str(i["app_a"])},
        "documents:retry": lambda: {},
        "reviews:exports": lambda: {"kind": "rankings"},
        "reviews:export_retry": lambda: {},
        "reviews:public_publicity": lambda: {"application": str(i["app_p"]), "name": "群众", "contact": "13900000001",
                                               "content": "有异议"},
        "reviews:meeting_new": lambda: {"held_on": "2025-06-08", "present_units": JOINT_UNITS, "attendees_text": "",
                                          "location": "区政府", "chair": "", "notes": ""},
        "reviews:meeting_edit": lambda: {"held_on": "2025-06-02", "present_units": JOINT_UNITS, "attendees_text": "",
                                           "location": "区政府 2 楼", "chair": "", "notes": ""},
        "reviews:meeting_detail": lambda: {"application": str(i["app_f"]), "votes_for": "10", "votes_against": "0",
                                             "votes_abstain": "0"},
        "reviews:recommendations": lambda: {"action": "remove", "recommendation": str(i["recommendation"]),
                                              "reason": "撤回推荐"},
        "reviews:publicity_manage": lambda: {"start_date": "2030-01-07", "title": "公示", "notice": "公示说明",
                                               "contact": "", "publish": "1"},
        "reviews:approval": lambda: {"approved_on": "2025-10-21", "approving_body": "上海市长宁区人民政府",
                                       "document_number": "长府〔2025〕13号", "notes": ""},
        "reviews:objection_detail": lambda: {"action": "investigate", "notes": "再次核实"},
        "reviews:award_payment": lambda: {"amount": "10000", "paid_on": "2025-11-01", "reference": "付款凭证 1 号"},
        "reviews:award_benefit": lambda: {"code": "x", "granted_on": "2025-11-01"},
        "reviews:application_notifications": lambda: {"notification": str(i["notification_a"])},
        "applications:organisation_edit": lambda: {
            "name": "上海甲方精密制造有限公司（改名）", "credit_code": A_CREDIT_CODE, "org_type": "enterprise",
            "registered_district": "长宁区", "established_on": "2012-05-18", "legal_representative": "严法人",
            "contact_name": A_FULL_NAME, "contact_mobile": "13812345678", "chief_quality_officer": "严质量",
            "has_cqo_system": "on"},
        "applications:withdraw": lambda: {"reason": "暂不申报"},
        "applications:attachment_upload": lambda: {"purpose": "other", "file": pdf_upload("补充.pdf")},
        "applications:nominations": lambda: {"category": str(i["category_district_mode"]), "nominee_name": "上海新推荐单位",
                                             "nominee_email": "new-nominee@example.test", "reason": "成效显著"},
        "applications:nomination_accept": lambda: {"organisation": ""},
        "applications:blacklist": lambda: {"organiser": str(i["cn"]), "text": A_CREDIT_CODE, "source": "区信用平台"},
        "applications:person_edit": lambda: {"name": ""},
        "applications:start": lambda: {"category": str(i["category_district_mode"])},
        "accounts:signup": lambda: {"email": "not-an-email"},
        "accounts:verify_resend": lambda: {"email": "applicant-a@example.test"},
        "accounts:password_reset": lambda: {"email": "applicant-a@example.test"},
    }


# ---------------------------------------------------------------------------------------------
# Walking the URLconf


def walk(patterns, namespace: str | None = None, prefix: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern.url_patterns, ns, prefix + str(pattern.pattern))
        else:
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield name, prefix + str(pattern.pattern), namespace


def url_names() -> list[str]:
    names = []
    for name, route, namespace in walk(get_resolver().url_patterns):
        if (namespace or "").split(":")[0] in SKIPPED_NAMESPACES or name in SKIPPED_NAMES:
            continue
        assert name, f"URL pattern {route!r} has no name: name it so the permission matrix can list it"
        if name not in names:
            names.append(name)
    return names


URL_NAMES = url_names()


def test_every_url_pattern_is_in_the_matrix():
    missing = [name for name in URL_NAMES if name not in MATRIX]
    assert not missing, "URL patterns without a row in the permission matrix — add them to MATRIX in " \
                        f"tests/security/test_permission_matrix.py: {', '.join(missing)}"
    stale = sorted(set(MATRIX) - set(URL_NAMES))
    assert not stale, f"Rows for URL names that no longer exist: {', '.join(stale)}"


# ---------------------------------------------------------------------------------------------
# State fingerprint for "a refused POST changes nothing"


def _media_files() -> list[tuple[str, int]]:
    found = []
    for root, _dirs, files in os.walk(settings.MEDIA_ROOT):
        for name in files:
            path = os.path.join(root, name)
            found.append((os.path.relpath(path, settings.MEDIA_ROOT), os.path.getsize(path)))
    return sorted(found)


def fingerprint() -> dict:
    from applications.models import Application
    from core.models import ActivityLog

    counts = {}
    for label in ("accounts", "applications", "awards", "reviews", "documents", "core"):
        for model in apps.get_app_config(label).get_models():
            counts[model._meta.label] = model.objects.count()
    return {
        "activity_log": ActivityLog.objects.count(),
        "counts": counts,
        "applications": list(Application.objects.order_by("pk").values_list("pk", "status", "current_stage_id", "version")),
        "media": _media_files(),
    }


# ---------------------------------------------------------------------------------------------
# The checks


def _client(world: World, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world.user(role))
    return client


def _body(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", errors="replace")


def _matches(response, expected) -> bool:
    login_url = resolve_url(settings.LOGIN_URL)
    if expected == LOGIN:
        return response.status_code == 302 and response["Location"].startswith(login_url + "?next=")
    if expected == R:
        return response.status_code == 302 and not response["Location"].startswith(login_url)
    return response.status_code == expected


def _describe(response) -> str:
    if response.status_code in (301, 302):
        return f"{response.status_code} → {response['Location']}"
    return str(response.status_code)


# Roles that must never see applicant A's data (A's organisation, credit code, contact name).
NO_ACCESS_TO_A = ("applicant_b", "recommender", "expert_conflicted", "staff_other")
A_MARKERS = (A_ORG_NAME, A_CREDIT_CODE, A_FULL_NAME)
# Only 徐汇's staff may see 徐汇's application (no role of the matrix owns it).
XH_MARKERS = (XH_ORG_NAME, XH_CREDIT_CODE)


@pytest.mark.parametrize("name", URL_NAMES)
def test_url_by_role(name, world, db):
    assert name in MATRIX, f"{name} has no row in the permission matrix: add it to MATRIX in {__file__}"
    entry = MATRIX[name]
    url = reverse(name, kwargs=url_kwargs(world).get(name, {}))
    data = post_data(world).get(name, dict)
    problems = []
    for method in ("get", "post"):
        for role in ROLES:
            expected = entry[method][role]
            cache.clear()
            client = _client(world, role)
            with transaction.atomic():
                before = fingerprint() if method == "post" and expected in REFUSED else None
                response = client.get(url) if method == "get" else client.post(url, data())
                body = _body(response) if response.status_code == 200 else ""
                after = fingerprint() if before is not None else None
                transaction.set_rollback(True)
            if not _matches(response, expected):
                problems.append(f"{method.upper()} {url} as {role}: expected {expected}, got {_describe(response)}")
            if role in NO_ACCESS_TO_A:
                leaked = [marker for marker in A_MARKERS if marker in body]
                if leaked:
                    problems.append(f"{method.upper()} {url} as {role}: LEAK of applicant A's data {leaked}")
            if role != "staff_other":
                leaked = [marker for marker in XH_MARKERS if marker in body]
                if leaked:
                    problems.append(f"{method.upper()} {url} as {role}: LEAK of the other organiser's data {leaked}")
            if before is not None and before != after:
                changed = [key for key in before if before[key] != after[key]]
                problems.append(f"POST {url} as {role} was refused but changed {changed}")
    assert not problems, "\n".join(problems)


def test_admin_is_closed_to_non_staff_users(world, db):
    """The admin: anonymous and users without is_staff are sent to the admin login, never shown a page."""
    url = reverse("admin:index")
    for role in ROLES:
        response = _client(world, role).get(url)
        if role in ("staff_this", "staff_other", "programme_admin"):
            assert response.status_code == 200, role
        else:
            assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login")), role


def test_every_matrix_row_names_every_role_for_get_and_post():
    assert all(set(entry) == {"get", "post"} and all(set(v) == set(ROLES) for v in entry.values()) for entry in MATRIX.values())


def test_the_leak_markers_do_appear_where_the_data_is_allowed(world, db):
    """Positive control: the strings the leak check looks for really are on the pages of those allowed."""
    a_page = reverse("reviews:staff_application", args=[world.cycles["cq"], world.ids["app_a"]])
    body = _body(_client(world, "staff_this").get(a_page))
    assert all(marker in body for marker in (A_ORG_NAME, A_CREDIT_CODE))
    assert A_ORG_NAME in _body(_client(world, "applicant_a").get(reverse("applications:detail", args=[world.ids["app_a"]])))
    assert A_ORG_NAME in _body(_client(world, "expert_assigned").get(reverse("reviews:expert_application", args=[world.ids["app_a"]])))
    xh_queue = reverse("reviews:staff_queue", args=[world.cycles["xq"]])
    assert XH_ORG_NAME in _body(_client(world, "staff_other").get(xh_queue))
    assert _client(world, "staff_this").get(xh_queue).status_code == 404


# ---------------------------------------------------------------------------------------------
# The admin: every URL of every registered model × every role
#
# Each model's admin is of one kind (ADMIN_KINDS); the kind says what a programme admin and the review
# staff may do with the rows of their own organiser. Rows of another organiser are never shown: the
# admin answers as if they did not exist (302 back to the admin index), and a POST changes nothing.
# Users without is_staff (and anonymous visitors) are sent to the admin login for every URL.

CONFIG, CONFIG_NO_ADD, READ_ONLY, LOG, CALENDAR, SUPERUSER, USERS = (
    "config", "config_no_add", "read_only", "log", "calendar", "superuser", "users")
ADMIN_KINDS = {
    "auth.group": SUPERUSER, "axes.accessattempt": SUPERUSER, "axes.accesslog": SUPERUSER,
    "axes.accessfailurelog": SUPERUSER, "core.emailnotification": SUPERUSER,
    "accounts.user": USERS,
    "core.activitylog": LOG,
    "core.calendarentry": CALENDAR, "core.calendaryear": CALENDAR,
    "awards.organiser": CONFIG_NO_ADD,
    "awards.programme": CONFIG, "awards.cycle": CONFIG, "awards.category": CONFIG, "awards.rubric": CONFIG,
    "awards.officialletter": CONFIG, "awards.pastwinner": CONFIG,
    "applications.recommendingunit": CONFIG, "applications.creditblacklistentry": CONFIG, "applications.nomination": CONFIG,
    "reviews.expertprofile": CONFIG, "reviews.expertpanel": CONFIG,
    "applications.application": READ_ONLY, "documents.document": READ_ONLY,
    **{f"reviews.{name}": READ_ONLY for name in (
        "meeting", "meetingdecision", "recommendation", "publicity", "objection", "approval", "award", "prizepayment",
        "benefitgrant")},
}
ADMIN_SITE_URLS = {"index", "login", "logout", "password_change", "password_change_done", "autocomplete", "jsi18n",
                   "view_on_site", "app_list"}
ADMIN_ROLE_ORGANISER = {"staff_this": "changning", "staff_other": "xuhui", "programme_admin": "changning"}
ADMIN_URL_KINDS = ("changelist", "add", "change", "delete", "history")


def _registered_models():
    from django.contrib import admin as django_admin

    return sorted(django_admin.site._registry, key=lambda m: m._meta.label_lower)


def test_every_admin_url_is_in_the_admin_matrix():
    from django.contrib import admin as django_admin

    labels = {m._meta.label_lower for m in _registered_models()}
    assert labels - set(ADMIN_KINDS) == set(), "registered models without a kind in ADMIN_KINDS"
    covered = {f"{m._meta.app_label}_{m._meta.model_name}_{kind}" for m in _registered_models() for kind in ADMIN_URL_KINDS}
    covered |= ADMIN_SITE_URLS
    covered.add("auth_user_password_change")  # requested below for accounts.user
    # Unnamed: the admin's catch-all `<app>/<model>/<pk>/` that redirects to the change page.
    names = {name for name, _route, _ns in walk(django_admin.site.get_urls()) if name is not None}
    assert names - covered == set(), "admin URLs the matrix does not request"


def _code(path: str) -> str:
    return "code" if path == "pk" else f"{path}__code"


def _sample_rows(model) -> dict[str, object]:
    """One row of 长宁 ('changning') and one of 徐汇 ('xuhui'), or one row when the model has no organiser."""
    from core.admin_mixins import organiser_path

    path = organiser_path(model)
    manager = model._default_manager
    if path is None:
        first = manager.order_by("pk").first()
        return {"national": first} if first else {}
    rows = {}
    for code in ("changning", "xuhui"):
        queryset = manager.filter(**{_code(path): code})
        if model._meta.label_lower == "accounts.user":  # someone who holds a role only there
            other = "xuhui" if code == "changning" else "changning"
            queryset = queryset.exclude(role_assignments__organiser__code=other).filter(is_superuser=False)
        row_ = queryset.order_by("pk").first()
        if row_ is not None:
            rows[code] = row_
    return rows


def expected_admin(kind: str, url_kind: str, role: str, whose: str | None) -> object:
    """The status of one admin URL for one role; `whose` is the organiser code of the row (None: no row)."""
    if role not in ADMIN_ROLE_ORGANISER:
        return "admin_login"
    admin_role = role == "programme_admin"
    mine = whose in (None, "national") or whose == ADMIN_ROLE_ORGANISER[role]
    if kind == SUPERUSER or url_kind == "password":
        return FORBIDDEN
    if kind in (CONFIG, CONFIG_NO_ADD, READ_ONLY, USERS) and not admin_role:
        # Staff see no rows of these models: the history page answers "does not exist" before it asks.
        return R if url_kind == "history" else FORBIDDEN
    if url_kind == "changelist":
        return OK
    if url_kind == "add":
        return OK if (kind == CONFIG or (kind == CALENDAR and admin_role)) else FORBIDDEN
    # change, delete, history of one row
    may_delete = kind == CONFIG or kind == CONFIG_NO_ADD or (kind == CALENDAR and admin_role)
    if not mine:
        if url_kind == "delete" and not may_delete:
            return FORBIDDEN
        return R  # "does not exist" (back to the admin index)
    if url_kind == "delete":
        return OK if may_delete else FORBIDDEN
    return OK


def _admin_url(model, url_kind: str, row_) -> str:
    if url_kind == "password":
        return reverse("admin:auth_user_password_change", args=[row_.pk])
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{url_kind}"
    return reverse(name) if url_kind in ("changelist", "add") else reverse(name, args=[row_.pk])


def _admin_matches(response, expected) -> bool:
    if expected == "admin_login":
        return response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    if expected == R:
        return response.status_code == 302 and response["Location"] == reverse("admin:index")
    return response.status_code == expected


def _foreign_choices(response, own: str) -> list[str]:
    """Drop-down choices on an admin form (main form and inlines) that belong to another organiser."""
    from django.forms import ModelChoiceField

    from core.admin_mixins import organiser_path

    context = getattr(response, "context", None)
    if not context or "adminform" not in context:
        return []
    forms_ = [context["adminform"].form]
    for inline in context.get("inline_admin_formsets") or []:
        forms_.extend(inline.formset.forms)
        forms_.append(inline.formset.empty_form)
    problems = []
    for form in forms_:
        for name, field in form.fields.items():
            if not isinstance(field, ModelChoiceField) or field.widget.is_hidden:
                continue  # (the hidden row id of an inline form: Django looks it up in the parent's rows only)
            path = organiser_path(field.queryset.model)
            if path is None:
                continue
            foreign = field.queryset.exclude(**{_code(path): own})
            if path != "pk":
                foreign = foreign.exclude(**{f"{path}__isnull": True})
            if field.queryset.model._meta.label_lower == "accounts.user":
                foreign = foreign.exclude(role_assignments__organiser__code=own)
            if foreign.exists():
                problems.append(f"{type(form).__name__}.{name}: {[str(o) for o in foreign[:3]]}")
    return problems


@pytest.mark.parametrize("label", sorted(ADMIN_KINDS))
def test_admin_urls_by_role(label, world, db):
    model = apps.get_model(label)
    kind = ADMIN_KINDS[label]
    rows = _sample_rows(model)
    problems = []
    requests = [(url_kind, None, None) for url_kind in ("changelist", "add")]
    requests += [(url_kind, whose, row_) for whose, row_ in rows.items() for url_kind in ("change", "delete", "history")]
    if label == "accounts.user":
        requests += [("password", whose, row_) for whose, row_ in rows.items()]
    for role in ROLES:
        client = _client(world, role)
        for url_kind, whose, row_ in requests:
            url = _admin_url(model, url_kind, row_)
            expected = expected_admin(kind, url_kind, role, whose)
            cache.clear()
            with transaction.atomic():
                response = client.get(url)
                transaction.set_rollback(True)
            if not _admin_matches(response, expected):
                problems.append(f"GET {url} ({url_kind}, row of {whose}) as {role}: expected {expected}, got {_describe(response)}")
            if ADMIN_ROLE_ORGANISER.get(role) == "changning" and response.status_code == 200 and "徐汇" in _body(response):
                problems.append(f"GET {url} as {role}: the page names the other organiser (徐汇): a list, filter or drop-down leaks")
            if role in ADMIN_ROLE_ORGANISER and response.status_code == 200 and url_kind in ("add", "change"):
                foreign = _foreign_choices(response, ADMIN_ROLE_ORGANISER[role])
                if foreign:
                    problems.append(f"GET {url} as {role}: drop-downs list another organiser's rows: {foreign}")
            if url_kind in ("change", "delete", "password") and expected not in (OK, "admin_login"):
                # A refused POST (another organiser's row, or no permission) changes nothing.
                with transaction.atomic():
                    before = fingerprint()
                    response = client.post(url, {"post": "yes"} if url_kind == "delete" else {})
                    after = fingerprint()
                    transaction.set_rollback(True)
                if response.status_code == 200 or before != after:
                    problems.append(f"POST {url} as {role}: refused row of {whose} but answered {response.status_code}, "
                                    f"changed {[k for k in before if before[k] != after[k]]}")
    assert not problems, "\n".join(problems)


def test_admin_matrix_has_rows_of_both_organisers_where_it_matters(world, db):
    """Positive control: the cross-organiser checks above really request rows of both districts."""
    for label, kind in ADMIN_KINDS.items():
        if kind in (CONFIG, CONFIG_NO_ADD) and label not in ("applications.nomination", "applications.creditblacklistentry",
                                                             "applications.recommendingunit", "reviews.expertpanel", "reviews.expertprofile",
                                                             "awards.officialletter", "awards.pastwinner"):
            assert set(_sample_rows(apps.get_model(label))) == {"changning", "xuhui"}, label
