"""Demo data of the applicant portal (idempotent): recommending units, applicant profiles, a draft.

Run by `manage.py seed_demo`. The demo applicants get valid profiles so a person can try the
journey at once; one draft is left unfinished for org-applicant in the demo 长宁 cycle.
"""

from __future__ import annotations

import datetime

from accounts.models import Role, RoleAssignment

from .models import Application, OrganisationProfile, OrganisationType, PersonProfile, IdType, RecommendingUnit

UNITS = {
    "changning": [
        ("长宁区商务委员会", "Changning District Commission of Commerce", RecommendingUnit.Kind.INDUSTRY_DEPARTMENT),
        ("长宁区虹桥街道办事处", "Hongqiao Subdistrict Office, Changning", RecommendingUnit.Kind.SUBDISTRICT),
        ("长宁区质量协会", "Changning Quality Association", RecommendingUnit.Kind.ASSOCIATION),
        ("长宁区政府外事办公室", "Foreign Affairs Office of the Changning District Government", RecommendingUnit.Kind.INDUSTRY_DEPARTMENT),
    ],
    "xuhui": [
        ("徐汇区质量技术协会", "Xuhui Quality and Technology Association", RecommendingUnit.Kind.ASSOCIATION),
        ("徐汇区科学技术委员会", "Xuhui District Science and Technology Commission", RecommendingUnit.Kind.INDUSTRY_DEPARTMENT),
        ("徐家汇街道办事处", "Xujiahui Subdistrict Office", RecommendingUnit.Kind.SUBDISTRICT),
    ],
}
RECOMMENDERS = {"cn-recommender": ("changning", "长宁区商务委员会"), "xh-recommender": ("xuhui", "徐汇区质量技术协会")}

# Codes with valid check characters (computed by core.identity, fictitious organisations).
ORGANISATIONS = {
    "org-applicant": dict(name="上海示例精密制造有限公司", credit_code="91310105MA1FL5XQ3Y", org_type=OrganisationType.ENTERPRISE,
                          registered_district="长宁区", established_on=datetime.date(2012, 5, 18), legal_representative="李明",
                          contact_name="张华", contact_mobile="13812345678", address="上海市长宁区示例路100号",
                          chief_quality_officer="陈质量", has_cqo_system=True),
    "xh-small-applicant": dict(name="上海徐汇小微科技有限公司", credit_code="91310104MA1K4B2N68", org_type=OrganisationType.SMALL_ENTERPRISE,
                               registered_district="徐汇区", established_on=datetime.date(2018, 3, 1), legal_representative="周敏",
                               contact_name="周敏", contact_mobile="13912345678", address="上海市徐汇区示例路8号",
                               chief_quality_officer="周敏", has_cqo_system=True),
}
PERSONS = {
    "person-applicant": dict(name="王质量", id_type=IdType.RESIDENT_ID, id_number="31010519800315001X", nationality="中国",
                             birth_date=datetime.date(1980, 3, 15), sex="M", mobile="13700000001", employer="上海示例精密制造有限公司",
                             position="质量部经理", work_district="长宁区", quality_work_since=datetime.date(2008, 7, 1),
                             district_work_since=datetime.date(2012, 5, 18)),
    "foreign-applicant": dict(name="Anna Schmidt", name_zh="施安娜", id_type=IdType.PASSPORT, id_number="C01X00T47", nationality="Germany",
                              mobile="+49 170 1234567", employer="Hongqiao Precision Instruments Co., Ltd.", position="Technical Director",
                              work_district="长宁区", district_work_since=datetime.date(2015, 9, 1)),
}


def seed_demo_data(context: dict) -> None:
    organisers = context["organisers"]
    users = context["users"]
    out = context.get("stdout")
    units = {}
    for organiser_code, rows in UNITS.items():
        for name, name_en, kind in rows:
            unit, _created = RecommendingUnit.objects.get_or_create(organiser=organisers[organiser_code], name=name,
                                                                    defaults={"kind": kind, "name_en": name_en})
            if not unit.name_en:
                RecommendingUnit.objects.filter(pk=unit.pk).update(name_en=name_en)
            units[(organiser_code, name)] = unit
    for username, key in RECOMMENDERS.items():
        user = users.get(username)
        if user is None:
            continue
        RoleAssignment.objects.filter(user=user, role=Role.RECOMMENDER, organiser=organisers[key[0]]).update(recommending_unit=units[key])
    for username, data in ORGANISATIONS.items():
        if username in users:
            OrganisationProfile.objects.get_or_create(credit_code=data["credit_code"], defaults={**data, "owner": users[username]})
    for username, data in PERSONS.items():
        if username in users:
            PersonProfile.objects.get_or_create(owner=users[username], defaults=data)
    cycle = context["cycles"].get("demo-changning-quality")
    owner = users.get("org-applicant")
    if cycle and owner and not Application.objects.filter(cycle=cycle, applicant=owner).exists():
        organisation = OrganisationProfile.objects.filter(owner=owner).first()
        category = cycle.categories.filter(applicant_kind="organisation").order_by("order").last()
        Application.objects.create(
            cycle=cycle,
            category=category,
            applicant=owner,
            organisation=organisation,
            form_data={"overview": "（演示草稿）本公司导入卓越绩效管理模式十余年……"},
        )
    if out:
        out.write("applications: recommending units, applicant profiles and a demo draft ready")
