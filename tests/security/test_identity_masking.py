"""Personal identity numbers are shown masked (core.identity.mask_identity) except to those who need them.

Full number allowed: the person on their own profile form; the organiser's review staff on the
application page that carries the 资格审查 (eligibility review). Everywhere else — staff lists,
decisions pages, expert pages, the public 公示 page, the nominations page, the credit list —
at most the masked form appears.
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role, RoleAssignment, User
from core.identity import mask_identity

from .test_permission_matrix import MATRIX, URL_NAMES, _body, url_kwargs
from .world import F_PASSPORT, P_ID_NUMBER, P_NAME, ROLES, resident_id

EXPERT_ID = resident_id("31010419700101002")  # the assigned expert's own ID number (world.py)
FULL_NUMBERS = (P_ID_NUMBER, F_PASSPORT, EXPERT_ID)

# (url name, role) pairs that may show a full number without an explicit, logged reveal: only the form
# staff use to correct an expert's record (the number serves conflict detection). The eligibility review
# page shows it masked until staff ask for it with a purpose (applications.privacy.reveal_identity).
FULL_NUMBER_ALLOWED = {("reviews:expert_edit", "staff_this"), ("reviews:expert_edit", "programme_admin")}


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _pages_about_individuals(world) -> list[tuple[str, dict]]:
    """Pages whose subject is P (resident ID) or F (passport), beyond the matrix's URLs about A."""
    i, c = world.ids, world.cycles
    return [
        ("reviews:staff_application", {"code": c["cq"], "pk": i["app_p"]}),
        ("reviews:staff_application", {"code": c["hq"], "pk": i["app_f"]}),
        ("reviews:staff_queue", {"code": c["hq"]}),
        ("reviews:application_notifications", {"code": c["cq"], "pk": i["app_p"]}),
        ("reviews:application_notifications", {"code": c["hq"], "pk": i["app_f"]}),
        ("reviews:publicity_manage", {"code": c["cq"]}),
        ("reviews:cycle_home", {"code": c["hq"]}),
        ("reviews:recommendations", {"code": c["hq"]}),
        ("reviews:public_publicity", {"key": c["cq"]}),
        ("awards:cycle_overview", {"code": c["hq"]}),
    ]


def test_no_page_shows_a_full_identity_number_except_the_eligibility_review(world, db):
    kwargs = url_kwargs(world)
    pages = [(name, kwargs.get(name, {}), [r for r in ROLES if MATRIX[name]["get"][r] == 200]) for name in URL_NAMES]
    pages += [(name, page_kwargs, ROLES) for name, page_kwargs in _pages_about_individuals(world)]
    shown = []
    checked = 0
    for name, page_kwargs, roles in pages:
        url = reverse(name, kwargs=page_kwargs)
        for role in roles:
            response = _client(world.user(role)).get(url)
            if response.status_code != 200:
                continue
            checked += 1
            body = _body(response)
            for number in FULL_NUMBERS:
                if number in body and (name, role) not in FULL_NUMBER_ALLOWED:
                    shown.append(f"{url} as {role} shows {number} in full (should be {mask_identity(number)})")
    assert not shown, "\n".join(shown)
    assert checked > 150  # the sweep really looked at pages


def test_staff_see_the_full_number_only_by_a_logged_reveal_with_a_purpose(world, db):
    from core.models import ActivityLog

    url = reverse("reviews:staff_application", args=[world.cycles["cq"], world.ids["app_p"]])
    reveal = reverse("reviews:staff_reveal_identity", args=[world.cycles["cq"], world.ids["app_p"]])
    staff = _client(world.user("staff_this"))
    page = staff.get(url).content.decode()
    assert P_ID_NUMBER not in page and mask_identity(P_ID_NUMBER) in page
    refused = staff.post(reveal, {"purpose": " "}, follow=True).content.decode()
    assert "请说明查看完整证件号码的用途" in refused and P_ID_NUMBER not in refused
    shown = staff.post(reveal, {"purpose": "资格审查核验身份"}, follow=True).content.decode()
    assert P_ID_NUMBER in shown and "此操作已记入操作记录" in shown
    entry = ActivityLog.objects.get(action="identity.revealed", target_id=str(world.ids["app_p"]))
    assert entry.actor == world.user("staff_this") and entry.reason == "资格审查核验身份"
    assert entry.after["id_number"] == mask_identity(P_ID_NUMBER)  # the log itself keeps it masked
    assert P_ID_NUMBER not in _client(world.user("programme_admin")).get(url).content.decode()  # per user
    assert _client(world.user("staff_other")).post(reveal, {"purpose": "x"}).status_code == 404
    assert _client(world.user("expert_assigned")).post(reveal, {"purpose": "x"}).status_code == 404


def test_the_activity_log_never_stores_a_full_identity_number(world, db):
    from core.models import ActivityLog

    rows = ActivityLog.objects.values_list("before", "after", "reason")
    text = " ".join(str(r) for r in rows)
    assert rows.count() > 20
    for number in FULL_NUMBERS:
        assert number not in text


def test_queue_lists_the_person_without_the_full_number(world, individual_assigned):
    application, number = individual_assigned
    page = _client(world.user("staff_this")).get(reverse("reviews:staff_queue", args=[world.cycles["cq"]]))
    body = page.content.decode()
    assert page.status_code == 200 and "丁个人" in body
    assert number not in body


def test_public_publicity_names_the_person_but_never_the_identity_number(world, db):
    """A 徐汇 individual on a published list (P's 长宁 list is already approved and closed)."""
    from applications.models import IdType, PersonProfile
    from awards.models import Cycle
    from reviews import services as dec_services

    from .world import _advance_to, _submit_direct, _user

    cycle = Cycle.objects.get(code=world.cycles["xq"])
    cycle.categories.filter(code="district-achievement").update(quota=2)  # 徐汇's quotas ship as 待定
    staff = world.user("staff_other")
    owner = _user("person-x", roles=[(Role.APPLICANT, None, None)], full_name="戊质量")
    number = resident_id("31010419790909005")
    profile = PersonProfile.objects.create(owner=owner, name="戊质量", id_type=IdType.RESIDENT_ID, id_number=number,
                                           employer="上海戊方有限公司", quality_work_since=datetime.date(2005, 1, 1))
    application = _submit_direct(cycle, "district-achievement", owner, "SEC-XP-0001", person=profile)
    application = _advance_to(application, "comprehensive", staff)
    dec_services.add_recommendation(application=application, actor=staff)
    publicity = dec_services.publish_publicity(cycle=cycle, actor=staff, start_date=datetime.date(2025, 9, 26),
                                               today=datetime.date(2025, 9, 20))
    # Move the published window around today, so the page shows the list (it does only while open).
    from django.utils import timezone

    from reviews.models import Publicity

    today = timezone.localdate()
    Publicity.objects.filter(pk=publicity.pk).update(start_date=today - datetime.timedelta(days=1),
                                                     end_date=today + datetime.timedelta(days=6))
    for key in (str(publicity.pk), cycle.code):
        page = Client().get(reverse("reviews:public_publicity", args=[key]))
        body = page.content.decode()
        assert page.status_code == 200 and "戊质量" in body
        assert number not in body


def test_the_person_sees_their_own_full_number_only_on_their_profile_form(world, db):
    owner = User.objects.get(username="person-p")
    client = _client(owner)
    profile = client.get(reverse("applications:person_edit"))
    assert profile.status_code == 200 and P_ID_NUMBER in profile.content.decode()
    dashboard = client.get(reverse("applications:dashboard")).content.decode()
    assert mask_identity(P_ID_NUMBER) in dashboard and P_ID_NUMBER not in dashboard
    detail = client.get(reverse("applications:detail", args=[world.ids["app_p"]]))
    assert detail.status_code == 200 and P_ID_NUMBER not in detail.content.decode()


@pytest.fixture
def individual_assigned(world, db):
    """An individual application (resident ID) the assigned expert scores, declared conflict-free."""
    from applications.models import Application, IdType, PersonProfile
    from awards.models import Stage
    from reviews import services as rev_services
    from reviews.models import ExpertProfile

    from .world import _advance_to, _submit_direct

    user = User.objects.create_user(username="person-q", email="person-q@example.test", password="pw-for-tests-123",
                                    email_verified=True, full_name="丁个人")
    RoleAssignment.objects.create(user=user, role=Role.APPLICANT)
    number = resident_id("31010519880808004")
    profile = PersonProfile.objects.create(owner=user, name="丁个人", id_type=IdType.RESIDENT_ID, id_number=number,
                                           employer="上海丁方有限公司", quality_work_since=datetime.date(2008, 1, 1))
    from awards.models import Cycle

    cycle = Cycle.objects.get(code=world.cycles["cq"])
    staff = world.user("staff_this")
    application = _submit_direct(cycle, "district-achievement", user, "SEC-Q-0001", person=profile)
    application = _advance_to(application, "eligibility", staff)
    expert = ExpertProfile.objects.get(pk=world.ids["expert_ok"])
    rev_services.assign_expert(stage=Stage.objects.get(cycle=cycle, code="material-review"), application=application,
                               expert=expert, actor=staff)
    rev_services.declare_conflict(expert=expert, application=application, has_conflict=False, reason="",
                                  actor=world.user("expert_assigned"))
    return Application.objects.get(pk=application.pk), number


def test_expert_pages_never_show_the_applicants_identity_number(world, individual_assigned):
    application, number = individual_assigned
    client = _client(world.user("expert_assigned"))
    pages = [
        reverse("reviews:expert_home"),
        reverse("reviews:expert_application", args=[application.pk]),
        reverse("reviews:expert_scoresheet", args=[application.pk, "material-review"]),
    ]
    for url in pages:
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 200, url
        assert "丁个人" in body, url  # the page is about this person …
        assert number not in body, url  # … without the identity number


def test_credit_list_shows_credit_codes_but_masks_personal_identity_numbers(world, db):
    from applications import services as app_services
    from awards.models import Organiser

    from .world import A_CREDIT_CODE

    staff = world.user("staff_this")
    app_services.blacklist_import(organiser=Organiser.objects.get(pk=world.ids["cn"]), actor=staff,
                                  lines=[A_CREDIT_CODE, P_ID_NUMBER], source="区信用平台")
    body = _client(staff).get(reverse("applications:blacklist")).content.decode()
    assert A_CREDIT_CODE in body  # an organisation's code is public information
    assert P_ID_NUMBER not in body and mask_identity(P_ID_NUMBER) in body
