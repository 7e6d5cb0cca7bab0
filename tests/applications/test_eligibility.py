"""Every rule kind of awards/rule_kinds.py passes and fails with its reason (DESIGN §4)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from applications import eligibility
from applications.eligibility import FAIL, NEEDS_REVIEW, PASS, count_characters, evaluate
from applications.models import Application, ApplicationStatus, Attachment, CreditBlacklistEntry
from awards.models import EligibilityRule
from awards.rule_kinds import RULE_KINDS

from .conftest import ORG_CODE, RESIDENT_ID, add_attachment

TODAY = datetime.date(2025, 11, 20)


def result(application, kind, today=TODAY):
    application.refresh_from_db()
    found = [r for r in evaluate(application, today=today).results if r.kind == kind]
    assert len(found) == 1, [r.kind for r in evaluate(application, today=today).results]
    return found[0]


def only_rule(category, kind, params=None, severity=EligibilityRule.Severity.BLOCKING):
    category.rules.all().delete()
    return EligibilityRule.objects.create(category=category, kind=kind, params=params or {}, severity=severity)


def test_every_rule_kind_has_an_evaluator():
    assert set(eligibility.EVALUATORS) == set(RULE_KINDS)


# -- organisation rules --------------------------------------------------------------------


@pytest.mark.django_db
def test_years_operating_passes_at_three_full_years_and_fails_a_day_earlier(make_org_draft, organisation):
    application = make_org_draft()
    organisation.established_on = datetime.date(2022, 11, 20)
    organisation.save()
    r = result(application, "years_operating")
    assert (r.outcome, r.reason) == (PASS, "成立于 2022-11-20，已正常运行 3 年（要求 3 年以上）。")
    organisation.established_on = datetime.date(2022, 11, 21)
    organisation.save()
    r = result(application, "years_operating")
    assert (r.outcome, r.reason, r.blocking) == (FAIL, "成立于 2022-11-21，至今运行 2 年，未满 3 年。", True)


@pytest.mark.django_db
def test_registered_district(make_org_draft, organisation):
    application = make_org_draft()
    assert result(application, "registered_district").reason == "注册地为长宁区。"
    organisation.registered_district = "徐汇区"
    organisation.save()
    r = result(application, "registered_district")
    assert (r.outcome, r.reason) == (FAIL, "注册地为徐汇区，须在长宁区注册登记。")


@pytest.mark.django_db
def test_independent_legal_person_is_a_review_rule_for_branches(make_org_draft, organisation):
    application = make_org_draft()
    assert result(application, "independent_legal_person").outcome == PASS
    organisation.org_type = "branch"
    organisation.save()
    r = result(application, "independent_legal_person")
    # severity "review" in the 长宁 seed: reported for staff, not blocking
    assert (r.outcome, r.blocking, r.reason) == (NEEDS_REVIEW, False, "组织类型为法人分支机构，不具有独立法人资格。")


@pytest.mark.django_db
def test_organisation_types(make_org_draft, organisation):
    application = make_org_draft()
    only_rule(application.category, "organisation_types", {"allowed": ["enterprise", "small_enterprise"]})
    assert result(application, "organisation_types").reason == "组织类型为企业。"
    organisation.org_type = "medical_institution"
    organisation.save()
    r = result(application, "organisation_types")
    assert (r.outcome, r.reason) == (FAIL, "组织类型医疗机构不在本类别可申报的范围内。")


@pytest.mark.django_db
def test_no_losses_pass_policy_loss_review_and_plain_loss_fail(make_org_draft):
    application = make_org_draft("xuhui-quality-5", "gold-mode")  # 2025 cycle: years 2022–2024
    r = result(application, "no_losses")
    assert (r.outcome, r.reason) == (PASS, "2022—2024 年均未亏损。")
    figures = application.form_data["figures"]
    figures["2023"]["profit"] = "-35.2"
    figures["2023"]["policy_loss"] = True
    Application.objects.filter(pk=application.pk).update(form_data={**application.form_data, "figures": figures})
    r = result(application, "no_losses")
    assert (r.outcome, r.reason) == (NEEDS_REVIEW, "2023 年亏损，申报为政策性亏损，须评审办公室认定。")
    figures["2023"]["policy_loss"] = False
    Application.objects.filter(pk=application.pk).update(form_data={**application.form_data, "figures": figures})
    r = result(application, "no_losses")
    assert (r.outcome, r.reason, r.blocking) == (FAIL, "2023 年出现亏损。", True)
    del figures["2024"]
    Application.objects.filter(pk=application.pk).update(form_data={**application.form_data, "figures": figures})
    assert result(application, "no_losses").reason == "未填写 2024 年的利润总额。"


@pytest.mark.django_db
def test_chief_quality_officer(make_org_draft, organisation):
    application = make_org_draft("xuhui-quality-5", "gold-mode")
    assert result(application, "chief_quality_officer").reason == "已推行首席质量官制度，首席质量官：陈质量。"
    organisation.has_cqo_system = False
    organisation.save()
    r = result(application, "chief_quality_officer")
    assert (r.outcome, r.reason) == (FAIL, "组织信息中未勾选“已推行首席质量官制度”。")


@pytest.mark.django_db
def test_declarations_all_required(make_org_draft):
    application = make_org_draft()
    assert result(application, "declarations").reason == "已确认全部 5 项承诺。"
    Application.objects.filter(pk=application.pk).update(declarations={**application.declarations, "truthful": False})
    r = result(application, "declarations")
    assert (r.outcome, r.reason) == (FAIL, "尚有 1 项承诺未确认。")


@pytest.mark.django_db
def test_credit_blacklist_matches_the_organisers_list_only(make_org_draft, organisers, cn_staff):
    application = make_org_draft()
    CreditBlacklistEntry.objects.create(organiser=organisers["xuhui"], code=ORG_CODE, added_by=cn_staff)
    assert result(application, "credit_blacklist").reason == "未在评审办公室登记的严重失信名单中。"
    CreditBlacklistEntry.objects.create(organiser=organisers["changning"], code=ORG_CODE, added_by=cn_staff)
    r = result(application, "credit_blacklist")
    assert (r.outcome, r.reason) == (FAIL, f"代码 {ORG_CODE} 在评审办公室登记的严重失信名单中。")


@pytest.mark.django_db
def test_reapplication_cooldown_counts_an_award_in_the_same_programme_within_n_years(make_org_draft, seeds, applicant, organisation):
    application = make_org_draft()
    only_rule(application.category, "reapplication_cooldown", {"years": 5, "scope": "programme"})
    assert result(application, "reapplication_cooldown").reason == "近 5 年内未获得本奖项。"
    # An award won in an earlier cycle of the same programme (2021, inside 5 years of 2023)
    earlier = seeds["changning-quality-2023"]
    earlier.pk = None
    earlier.code, earlier.year = "changning-quality-2021", 2021
    earlier.application_opens_at = earlier.application_closes_at = None
    earlier.save()
    category = earlier.categories.create(code="gold-mode", level="质量金奖", track="先进质量管理模式（项目）", applicant_kind="organisation")
    won = Application.objects.create(cycle=earlier, category=category, applicant=applicant, organisation=organisation)
    won._transition_in_progress = True  # test set-up of history: an award decided years ago
    won.status = ApplicationStatus.AWARDED
    won.save()
    r = result(application, "reapplication_cooldown")
    assert (r.outcome, r.reason) == (FAIL, "已于 2021 年获得质量金奖先进质量管理模式（项目），5 年内不得再次申报。")
    earlier.year = 2018
    earlier.save()
    assert result(application, "reapplication_cooldown").outcome == PASS


@pytest.mark.django_db
def test_internal_publicity_counts_working_days_across_national_day(make_org_draft, applicant):
    application = make_org_draft("xuhui-quality-5", "gold-mode")
    Application.objects.filter(pk=application.pk).update(
        internal_publicity_start=datetime.date(2025, 9, 29), internal_publicity_end=datetime.date(2025, 10, 10)
    )
    r = result(application, "internal_publicity")
    assert (r.outcome, r.reason) == (FAIL, "未上传内部公示证明材料。")
    add_attachment(application, Attachment.Purpose.PUBLICITY_PROOF, applicant)
    r = result(application, "internal_publicity")
    # 29, 30 Sep + 9, 10 Oct: the National Day week does not count
    assert (r.outcome, r.reason) == (
        FAIL,
        "内部公示 2025-09-29 至 2025-10-10 只有 4 个工作日（已扣除节假日并计入调休上班日），不足 5 个。",
    )
    Application.objects.filter(pk=application.pk).update(internal_publicity_end=datetime.date(2025, 10, 11))
    r = result(application, "internal_publicity")  # Saturday 11 Oct is a make-up working day
    assert (r.outcome, r.reason) == (PASS, "内部公示 2025-09-29 至 2025-10-11，共 5 个工作日（要求不少于 5 个）。")


@pytest.mark.django_db
def test_internal_publicity_beyond_the_calendar_says_so(make_org_draft, applicant):
    from core.workdays import covered_years

    application = make_org_draft("xuhui-quality-5", "gold-mode")
    add_attachment(application, Attachment.Purpose.PUBLICITY_PROOF, applicant)
    last = covered_years()[1]
    Application.objects.filter(pk=application.pk).update(
        internal_publicity_start=datetime.date(last + 1, 3, 2), internal_publicity_end=datetime.date(last + 1, 3, 9)
    )
    r = result(application, "internal_publicity", today=datetime.date(last + 1, 3, 20))
    assert r.outcome == NEEDS_REVIEW
    assert f"节假日日历仅覆盖 2004—{last} 年" in r.reason


@pytest.mark.django_db
def test_internal_publicity_must_have_ended_before_applying(make_org_draft, applicant):
    application = make_org_draft("xuhui-quality-5", "gold-mode")
    Application.objects.filter(pk=application.pk).update(
        internal_publicity_start=datetime.date(2025, 11, 17), internal_publicity_end=datetime.date(2025, 11, 21)
    )
    assert result(application, "internal_publicity").reason == "内部公示须在申报前完成；结束日期 2025-11-21 不早于今天。"


@pytest.mark.django_db
def test_not_city_award_same_year(make_org_draft):
    application = make_org_draft()
    only_rule(application.category, "not_city_award_same_year")
    assert result(application, "not_city_award_same_year").reason == "请回答本年度是否同时申报上海市政府质量奖。"
    Application.objects.filter(pk=application.pk).update(form_data={**application.form_data, "city_award_same_year": "yes"})
    assert result(application, "not_city_award_same_year").reason == "同一年度不得同时申报市、区政府质量奖。"
    Application.objects.filter(pk=application.pk).update(form_data={**application.form_data, "city_award_same_year": "no"})
    assert result(application, "not_city_award_same_year").outcome == PASS


@pytest.mark.django_db
def test_prior_award_years_stated_by_applicant_needs_review(make_org_draft):
    application = make_org_draft()
    only_rule(application.category, "prior_award_years", {"level": "质量金奖", "min_years": 3})
    r = result(application, "prior_award_years")
    assert (r.outcome, r.reason) == (FAIL, "须已获得质量金奖满 3 年。")
    Application.objects.filter(pk=application.pk).update(form_data={**application.form_data, "prior_award_year": 2019})
    r = result(application, "prior_award_years")
    assert (r.outcome, r.reason) == (NEEDS_REVIEW, "申报人填写于 2019 年获得质量金奖，平台无记录，须评审办公室核实。")


# -- individual and foreign rules ----------------------------------------------------------


@pytest.fixture
def person_draft(open_cycles, applicant, person):
    cycle = open_cycles["changning-quality-2023"]
    category = cycle.categories.get(code="gold-achievement")
    return Application.objects.create(cycle=cycle, category=category, applicant=applicant, person=person, form_data={"overview": "x", "achievements": "y"})


@pytest.mark.django_db
def test_years_quality_work(person_draft, person):
    assert result(person_draft, "years_quality_work").reason == "自 2008-07-01 起从事质量工作，已满 17 年（要求 5 年以上）。"
    person.quality_work_since = datetime.date(2021, 1, 1)
    person.save()
    r = result(person_draft, "years_quality_work")
    assert (r.outcome, r.reason) == (FAIL, "自 2021-01-01 起从事质量工作，至今 4 年，未满 5 年。")


@pytest.mark.django_db
def test_years_in_district(person_draft, person):
    assert result(person_draft, "years_in_district").outcome == PASS
    person.district_work_since = datetime.date(2023, 6, 1)
    person.save()
    assert result(person_draft, "years_in_district").reason == "自 2023-06-01 起在长宁区工作（生活），至今 2 年，未满 3 年。"
    person.work_district = "静安区"
    person.save()
    assert result(person_draft, "years_in_district").reason == "工作（生活）所在区为静安区，不在长宁区。"


@pytest.mark.django_db
def test_credit_blacklist_checks_resident_id(person_draft, organisers, cn_staff):
    CreditBlacklistEntry.objects.create(organiser=organisers["changning"], code=RESIDENT_ID, added_by=cn_staff)
    assert result(person_draft, "credit_blacklist").outcome == FAIL


@pytest.mark.django_db
def test_declarations_for_heads_of_organisations_only_when_head(open_cycles, applicant, person):
    cycle = open_cycles["xuhui-quality-5"]
    category = cycle.categories.get(code="gold-achievement")
    application = Application.objects.create(
        cycle=cycle, category=category, applicant=applicant, person=person, declarations={"ethics": True, "truthful": True}
    )
    assert result(application, "declarations").reason == "已确认全部 2 项承诺。"
    person.is_org_head = True
    person.save()
    r = result(application, "declarations")
    assert (r.outcome, r.reason) == (FAIL, "尚有 2 项承诺未确认。")


@pytest.fixture
def hongqiao_draft(open_cycles, applicant, foreign_person):
    cycle = open_cycles["changning-hongqiao-2023"]
    category = cycle.categories.get()
    return Application.objects.create(cycle=cycle, category=category, applicant=applicant, person=foreign_person)


@pytest.mark.django_db
def test_foreign_nationality(hongqiao_draft, foreign_person):
    assert result(hongqiao_draft, "foreign_nationality").reason == "国籍：Germany（护照）。"
    foreign_person.id_type = "resident_id"
    foreign_person.nationality = "中国"
    foreign_person.save()
    r = result(hongqiao_draft, "foreign_nationality")
    assert (r.outcome, r.reason) == (FAIL, "持中国居民身份证，不属于外籍人士。")


@pytest.mark.django_db
def test_criteria_at_least_one_with_evidence(hongqiao_draft):
    r = result(hongqiao_draft, "criteria_at_least")
    assert (r.outcome, r.reason) == (FAIL, "须至少符合所列条件中的 1 项并说明事实依据，目前为 0 项。")
    Application.objects.filter(pk=hongqiao_draft.pk).update(criteria=[{"code": "3", "evidence": "Trained 40 engineers."}])
    assert result(hongqiao_draft, "criteria_at_least").reason == "符合条件：（三）。"


@pytest.mark.django_db
def test_reasons_are_given_in_english_for_english_readers(hongqiao_draft):
    with translation.override("en"):
        r = result(hongqiao_draft, "criteria_at_least")
    assert r.outcome == FAIL
    assert r.reason.startswith("At least 1")


# -- completeness and characters ------------------------------------------------------------


def test_characters_are_counted_as_people_count_them():
    assert count_characters("质量管理") == 4
    assert count_characters("第一行\r\n第二行") == 7  # the line break counts once
    assert count_characters("  𠀀字 \n") == 2  # a character outside the BMP counts once; blanks around do not
    assert count_characters("") == 0


@pytest.mark.django_db
def test_missing_self_evaluation_report_blocks(open_cycles, applicant, organisation):
    cycle = open_cycles["changning-quality-2023"]
    application = Application.objects.create(cycle=cycle, category=cycle.categories.get(code="gold-mode"), applicant=applicant, organisation=organisation)
    report = evaluate(application, today=TODAY)
    reasons = [r.reason for r in report.results if r.kind == "completeness"]
    assert reasons == ["未填写概述。", "未填写 2020、2021、2022 年的主要经营指标。", "未上传自评报告。"]
    assert report.may_submit is False


@pytest.mark.django_db
def test_reapplication_cooldown_reads_the_past_winners_register(make_org_draft, seeds, organisation):
    """A win recorded only in the register of earlier cycles (before the portal) counts like a portal win."""
    from awards.models import PastWinner

    application = make_org_draft()
    only_rule(application.category, "reapplication_cooldown", {"years": 5, "scope": "programme"})
    PastWinner.objects.create(programme=application.cycle.programme, year=2020, name=organisation.name,
                              identifier_kind="credit_code", identifier=organisation.credit_code, award="质量金奖")
    r = result(application, "reapplication_cooldown")
    assert (r.outcome, r.reason) == (FAIL, "已于 2020 年获得质量金奖，5 年内不得再次申报。")
    PastWinner.objects.update(year=2018)  # 2018 is outside 2019–2023
    assert result(application, "reapplication_cooldown").outcome == PASS
    PastWinner.objects.update(year=2021, identifier="91310105MA1XXXXX1")  # somebody else
    assert result(application, "reapplication_cooldown").outcome == PASS


@pytest.mark.django_db
def test_the_seed_quality_programmes_ship_the_cooldown_configured_but_off(make_org_draft, seeds, organisation):
    """The two notices (/work/shared/seeds/) state no interval after a win: the 5-year rule is there, switched off."""
    from awards.models import EligibilityRule, PastWinner

    for code in ("changning-quality-2023", "xuhui-quality-5"):
        rules = EligibilityRule.objects.filter(category__cycle__code=code, kind="reapplication_cooldown")
        assert rules.count() == 4 and not rules.filter(enabled=True).exists(), code
        assert all(rule.params == {"years": 5, "scope": "programme"} for rule in rules)
    application = make_org_draft()
    PastWinner.objects.create(programme=application.cycle.programme, year=2021, name=organisation.name,
                              identifier_kind="credit_code", identifier=organisation.credit_code, award="质量金奖")
    assert "reapplication_cooldown" not in {r.kind for r in evaluate(application, today=TODAY).results}
    EligibilityRule.objects.filter(category=application.category, kind="reapplication_cooldown").update(enabled=True)
    assert result(application, "reapplication_cooldown").outcome == FAIL
