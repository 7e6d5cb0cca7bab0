"""A realistic cycle at any size, built with bulk inserts: `manage.py seed_demo --applications N`.

The scale cycle (code `scale-demo`) is a copy of 长宁区政府质量奖 2023 loaded through the real
configuration loader, with its application window closed and the review under way:

- applicant accounts with organisation profiles (valid 统一社会信用代码: GB 32100 check character,
  and a GB 11714 organisation code inside it) or person profiles (valid 居民身份证号码, GB 11643);
  one holding-group account owns a few subsidiaries that each applied (a busy applicant dashboard);
- applications spread over the four categories and over the pipeline: expired drafts, submitted
  and awaiting acceptance, withdrawn, in 资格审查 (some asked to supplement, some overdue), failed,
  in 资料评审 (partly scored: submitted, draft and unopened scoresheets), failed after scoring;
- a "ranking set": `ranking_size` applications (1,000 for N = 10,000) of 质量金奖 先进质量管理模式
  at 陈述答辩, each scored in full by a panel of 7 experts on every leaf item of GB/T 19580
  (23 items) after 5 experts scored it in 资料评审 — the data of the ranking benchmark;
- recommending units, an expert pool with profiles, panels, assignments (a few recused, with
  the declaration), conflict declarations, 陈述答辩 schedule slots, and the activity log entries
  the real services would have written for all of it.

It lives with the benchmarks because they are what it is for (docs/benchmarks.md); seed_demo
imports it only when asked for `--applications N`, and passes the demo password in.

Everything is deterministic for a given seed. Rows are written with bulk_create in batches inside
one transaction, so 10,000 applications with ~700,000 item scores take minutes, not hours.
Building twice is refused: the cycle code is the guard (see ScaleCycleExists).
"""

from __future__ import annotations

import datetime
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, RoleAssignment, User
from applications.models import (
    Application,
    ApplicationStatus,
    IdType,
    OrganisationProfile,
    OrganisationType,
    PersonProfile,
    ReceiptSequence,
    RecommendingUnit,
)
from applications.services import receipt_prefix
from awards.loader import load_cycle_copy, load_programmes
from awards.models import Cycle, Organiser
from awards.rubrics import leaf_criteria
from core.identity import credit_code_check_character, id_check_digit
from core.models import ActivityLog
from core.services import log_activity
from core.workdays import CalendarCoverageError, OfficeCalendar, add_working_days, office_calendar
from reviews.models import (
    Assignment,
    ConflictDeclaration,
    ExpertPanel,
    ExpertProfile,
    ItemScore,
    ScheduleEntry,
    Scoresheet,
    SupplementRequest,
)

SCALE_CODE = "scale-demo"
BASE_CYCLE = "changning-quality-2023"
ORGANISER = "changning"
RANKING_CATEGORY = "gold-mode"
RANKING_STAGE = "presentation"
SCREENING_STAGE = "material-review"
PANEL_SIZE = 7
POOL_SIZE = 30
DEFAULT_SEED = 20231
BATCH = 2000
APPLICATION_TARGET = "applications.application"

CENT = Decimal("0.01")

# Which categories the applications outside the ranking set go to (weights), by category code.
CATEGORY_WEIGHTS = {"district-mode": 15, "district-achievement": 10, "gold-mode": 50, "gold-achievement": 25}

# (status, stage code or None) → weight, for applications outside the ranking set.
FATES = [
    ((ApplicationStatus.DRAFT, None), 4),
    ((ApplicationStatus.SUBMITTED, None), 6),
    ((ApplicationStatus.WITHDRAWN, None), 2),
    ((ApplicationStatus.IN_REVIEW, "eligibility"), 18),
    ((ApplicationStatus.SUPPLEMENT_REQUESTED, "eligibility"), 4),
    ((ApplicationStatus.NOT_PASSED, "eligibility"), 8),
    ((ApplicationStatus.IN_REVIEW, SCREENING_STAGE), 44),
    ((ApplicationStatus.NOT_PASSED, SCREENING_STAGE), 14),
]


class ScaleCycleExists(Exception):
    """The scale cycle was built already (the builder never adds to or rewrites one)."""

    def __init__(self, code: str, existing: int):
        self.code, self.existing = code, existing
        super().__init__(
            f"The scale cycle {code} exists already with {existing} applications; nothing was changed. "
            "Build another size into a fresh database."
        )


# ---------------------------------------------------------------------------------------------
# Identity numbers with valid check characters


GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
BASE31 = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # the credit-code alphabet (no I, O, S, V, Z)


def organisation_code_check(body8: str) -> str:
    """GB 11714 check character of an 8-character organisation code body."""
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, GB11714_WEIGHTS))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def _base31(value: int, width: int) -> str:
    chars = []
    for _ in range(width):
        value, digit = divmod(value, 31)
        chars.append(BASE31[digit])
    if value:
        raise ValueError("number too large for the width")
    return "".join(reversed(chars))


def credit_code(index: int, *, region: str = "310105", tag: str = "T", kind: str = "91") -> str:
    """A unique, valid 统一社会信用代码: kind (9 工商, 1 企业) + region + organisation code + check."""
    body = "M" + tag + _base31(index, 6)
    org_code = body + organisation_code_check(body)
    first17 = kind + region + org_code
    return first17 + credit_code_check_character(first17)


ID_SPAN_DAYS = 10957  # 30 years of birth dates (coprime with 37, so index*37 mod span is a bijection)
ID_BIRTH_START = datetime.date(1962, 1, 1)


def resident_id(index: int, *, region: str = "310105") -> tuple[str, datetime.date, str]:
    """A unique, valid 居民身份证号码 with its birth date and sex (M/F), for index ≥ 0."""
    birth = ID_BIRTH_START + datetime.timedelta(days=(index * 37) % ID_SPAN_DAYS)
    sequence = 2 * (index // ID_SPAN_DAYS) + (index % 2) + 11  # odd = male, even = female
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_check_digit(first17), birth, "M" if sequence % 2 else "F"


# ---------------------------------------------------------------------------------------------
# Names


PLACES = ["长宁", "虹桥", "天山", "仙霞", "新泾", "华阳", "江苏路", "周家桥", "程家桥", "北新泾", "新华", "古北", "中山公园",
          "临空", "愚园", "番禺", "武夷", "淞虹", "遵义", "娄山关"]
WORDS = ["精密", "智联", "恒信", "瑞丰", "华通", "博远", "鼎新", "卓越", "信达", "嘉禾", "明德", "安和", "中科", "宏图",
         "金桥", "达峰", "正源", "远航", "云启", "汇丰"]
TRADES = ["制造", "物流", "软件", "食品", "医疗器械", "检测技术", "酒店管理", "纺织", "电子", "航空服务", "信息技术",
          "生物医药", "建筑工程", "环保科技", "餐饮管理", "金融信息服务", "仪器仪表", "新材料", "商业管理", "数据服务",
          "人力资源", "文化传媒", "汽车零部件", "节能科技", "物业管理"]
SUFFIXES = ["有限公司", "股份有限公司", "科技有限公司", "集团有限公司"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力永健云飞鹏宇晨欣怡佳琳浩然思远志诚海燕立群嘉慧晓东"
POSITIONS = ["质量部经理", "首席质量官", "质量总监", "技术总监", "品质保证部部长", "总工程师", "生产运营总监", "质量管理工程师"]
EXPERT_EMPLOYERS = [
    ("上海质量管理科学研究院", "质量管理、卓越绩效"), ("东华大学管理学院", "战略管理、顾客满意"),
    ("中国质量认证中心上海分中心", "管理体系认证"), ("上海市计量测试技术研究院", "测量分析、过程管理"),
    ("上海立信会计师事务所", "财务结果"), ("上海标准化研究院", "标准化、技术资源"), ("同济大学经济与管理学院", "运营管理"),
    ("上海市质量协会", "质量改进、六西格玛"), ("上海交通大学安泰经济与管理学院", "卓越绩效、领导力"),
    ("上海社会科学院", "质量政策"),
]
EXPERT_TITLES = ["教授", "教授级高工", "高级审核员", "研究员", "高级工程师", "注册会计师", "副教授", "副研究员"]
RECOMMENDING_UNITS = [
    ("长宁区商务委员会", RecommendingUnit.Kind.INDUSTRY_DEPARTMENT),
    ("长宁区科学技术委员会", RecommendingUnit.Kind.INDUSTRY_DEPARTMENT),
    ("长宁区卫生健康委员会", RecommendingUnit.Kind.INDUSTRY_DEPARTMENT),
    ("长宁区华阳路街道办事处", RecommendingUnit.Kind.SUBDISTRICT),
    ("长宁区江苏路街道办事处", RecommendingUnit.Kind.SUBDISTRICT),
    ("长宁区新华路街道办事处", RecommendingUnit.Kind.SUBDISTRICT),
    ("长宁区天山路街道办事处", RecommendingUnit.Kind.SUBDISTRICT),
    ("长宁区仙霞新村街道办事处", RecommendingUnit.Kind.SUBDISTRICT),
    ("长宁区虹桥街道办事处", RecommendingUnit.Kind.SUBDISTRICT),
    ("长宁区新泾镇人民政府", RecommendingUnit.Kind.SUBDISTRICT),
    ("长宁区质量协会", RecommendingUnit.Kind.ASSOCIATION),
    ("长宁区工商业联合会", RecommendingUnit.Kind.ASSOCIATION),
    ("上海长宁演示控股（集团）有限公司", RecommendingUnit.Kind.HOLDING_GROUP),
]


def organisation_name(index: int) -> str:
    """Unique for index < 40,000 (20 places × 20 words × 25 trades × 4 suffixes)."""
    place = PLACES[index % 20]
    word = WORDS[(index // 20) % 20]
    trade = TRADES[(index // 400) % 25]
    suffix = SUFFIXES[(index // 10000) % 4]
    extra = f"第{index // 40000 + 1}" if index >= 40000 else ""
    return f"上海{place}{word}{extra}{trade}{suffix}"


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


# ---------------------------------------------------------------------------------------------
# The report


@dataclass
class ScaleReport:
    cycle: Cycle
    applications: int = 0
    by_category: dict = field(default_factory=dict)
    by_status: dict = field(default_factory=dict)
    by_stage: dict = field(default_factory=dict)
    users: int = 0
    organisations: int = 0
    persons: int = 0
    experts: int = 0
    assignments: int = 0
    scoresheets: int = 0
    item_scores: int = 0
    declarations: int = 0
    schedule_entries: int = 0
    supplement_requests: int = 0
    log_entries: int = 0
    ranking_applications: int = 0
    group_username: str = ""
    seconds: float = 0.0

    def lines(self) -> list[str]:
        return [
            f"scale cycle {self.cycle.code}: {self.applications} applications in {self.seconds:.1f} s",
            "  by category: " + ", ".join(f"{k} {v}" for k, v in sorted(self.by_category.items())),
            "  by status: " + ", ".join(f"{k} {v}" for k, v in sorted(self.by_status.items())),
            "  by stage: " + ", ".join(f"{k} {v}" for k, v in sorted(self.by_stage.items())),
            f"  users {self.users}, organisations {self.organisations}, persons {self.persons}, experts {self.experts}",
            f"  assignments {self.assignments}, scoresheets {self.scoresheets}, item scores {self.item_scores}, "
            f"declarations {self.declarations}",
            f"  schedule entries {self.schedule_entries}, supplement requests {self.supplement_requests}, "
            f"activity log entries {self.log_entries}",
            f"  ranking set: {self.ranking_applications} applications of {RANKING_CATEGORY} at {RANKING_STAGE} "
            f"× {PANEL_SIZE} experts; busy applicant account: {self.group_username}",
        ]


# ---------------------------------------------------------------------------------------------
# The builder


@dataclass
class _Plan:
    index: int
    category: object
    status: str
    stage_code: str | None
    ranking: bool = False
    quality: float = 0.7
    user: User | None = None
    organisation: OrganisationProfile | None = None
    person: PersonProfile | None = None
    application: Application | None = None


def default_ranking_size(applications: int) -> int:
    return min(1000, max(1, applications // 10))


def build_scale_cycle(
    *,
    applications: int,
    password: str,
    code: str = SCALE_CODE,
    actor: User | None = None,
    ranking_size: int | None = None,
    seed: int = DEFAULT_SEED,
    batch_size: int = BATCH,
    stdout=None,
) -> ScaleReport:
    """Build the scale cycle with `applications` applications; refuse if it exists already.

    Every account it creates signs in with `password` (seed_demo passes its published demo password)."""
    if applications < 1:
        raise ValueError("applications must be at least 1")
    ranking_size = default_ranking_size(applications) if ranking_size is None else ranking_size
    ranking_size = max(0, min(ranking_size, applications))
    if Cycle.objects.filter(code=code).exists():
        raise ScaleCycleExists(code, Application.objects.filter(cycle__code=code).count())
    started = time.monotonic()
    builder = _Builder(code=code, actor=actor, password=password, seed=seed, batch_size=batch_size, stdout=stdout)
    with transaction.atomic():
        report = builder.build(applications, ranking_size)
    report.seconds = time.monotonic() - started
    return report


class _Builder:
    def __init__(self, *, code, actor, password, seed, batch_size, stdout):
        self.code = code
        self.actor = actor
        self.password = password
        # Reproducible demo data, not secrets: a seeded PRNG is the point here.
        self.rng = random.Random(seed)  # nosec B311
        self.batch = batch_size
        self.stdout = stdout
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.log: list[ActivityLog] = []

    def say(self, text: str) -> None:
        if self.stdout is not None:
            self.stdout.write(f"[{self.code}] {text}")

    # -- configuration ----------------------------------------------------------------------
    def make_cycle(self) -> Cycle:
        if not Cycle.objects.filter(code=BASE_CYCLE).exists():
            load_programmes()
        opens = (self.now - datetime.timedelta(days=150)).replace(microsecond=0)
        closes = (self.now - datetime.timedelta(days=90)).replace(hour=17, minute=0, second=0, microsecond=0)
        return load_cycle_copy(BASE_CYCLE, source=f"scale:{BASE_CYCLE}", actor=self.actor, code=self.code, name="规模演示周期（长宁）",
                               name_en="Scale demo (changning-quality-2023)", year=self.now.year,
                               application_opens_at=opens, application_closes_at=closes)

    def staff_actor(self, organiser: Organiser) -> User:
        if self.actor is not None:
            return self.actor
        user, created = User.objects.get_or_create(
            username=f"{self.code}-staff",
            defaults={"email": f"{self.code}-staff@scale.demo.local", "full_name": "规模演示评审办公室", "email_verified": True,
                      "is_staff": True},
        )
        if created:
            user.set_password(self.password)
            user.save(update_fields=["password"])
            RoleAssignment.objects.create(user=user, role=Role.STAFF, organiser=organiser)
        return user

    def bulk(self, model, objects: list) -> list:
        created = []
        for start in range(0, len(objects), self.batch):
            created.extend(model.objects.bulk_create(objects[start:start + self.batch]))
        return created

    def logged(self, *, actor, action: str, application: Application, before=None, after=None, reason: str = "") -> None:
        """The entry log_activity would write; collected and bulk-inserted (the log is append-only: inserts only)."""
        self.log.append(ActivityLog(
            actor=actor, action=action, organiser=self.organiser, target_type=APPLICATION_TARGET,
            target_id=str(application.pk), target_repr=str(application)[:255], before=before, after=after, reason=reason,
        ))

    # -- the build ----------------------------------------------------------------------------
    def build(self, n: int, ranking_size: int) -> ScaleReport:

        rng = self.rng
        cycle = self.make_cycle()
        self.organiser = organiser = cycle.programme.organiser
        staff = self.staff_actor(organiser)
        report = ScaleReport(cycle=cycle)
        categories = {c.code: c for c in cycle.categories.all()}
        stages = {s.code: s for s in cycle.stages.all()}
        rubrics = {c.code: c.rubric_choices.select_related("rubric").get(organisation_type="").rubric for c in categories.values()}
        leaves = {code: leaf_criteria(rubric) for code, rubric in rubrics.items()}
        self.say(f"cycle loaded; planning {n} applications ({ranking_size} in the ranking set)")

        # Plans: the ranking set first, then the rest by category and fate weights.
        plans: list[_Plan] = []
        for i in range(ranking_size):
            plans.append(_Plan(i, categories[RANKING_CATEGORY], ApplicationStatus.IN_REVIEW, RANKING_STAGE, ranking=True,
                               quality=rng.uniform(0.55, 0.92)))
        category_codes = list(CATEGORY_WEIGHTS)
        fates = [f for f, _w in FATES]
        for i in range(ranking_size, n):
            category = categories[rng.choices(category_codes, weights=list(CATEGORY_WEIGHTS.values()))[0]]
            status, stage_code = rng.choices(fates, weights=[w for _f, w in FATES])[0]
            quality = rng.uniform(0.28, 0.55) if status == ApplicationStatus.NOT_PASSED else rng.uniform(0.45, 0.9)
            plans.append(_Plan(i, category, status, stage_code, quality=quality))
        rng.shuffle(plans)  # numbers and accounts are not grouped by fate

        # Accounts and profiles. One password hash for all (PBKDF2 per user would take an hour):
        # every scale account signs in with the password the caller gave.
        password = make_password(self.password)
        org_plans = [p for p in plans if p.category.applicant_kind == "organisation"]
        person_plans = [p for p in plans if p.category.applicant_kind != "organisation"]
        group_size = min(20, len(org_plans) // 20)
        group_user = None
        users = []
        if group_size:
            group_user = User(username=f"{self.code}-group", email=f"{self.code}-group@scale.demo.local",
                              full_name="上海长宁演示控股（集团）有限公司", email_verified=True, password=password)
            users.append(group_user)
        for k, plan in enumerate(org_plans):
            if k < group_size:
                plan.user = group_user
                continue
            plan.user = User(username=f"{self.code}-o{k:05d}", email=f"{self.code}-o{k:05d}@scale.demo.local",
                             full_name=organisation_name(k), email_verified=True, password=password)
            users.append(plan.user)
        for k, plan in enumerate(person_plans):
            plan.user = User(username=f"{self.code}-p{k:05d}", email=f"{self.code}-p{k:05d}@scale.demo.local",
                             full_name=person_name(rng), email_verified=True, password=password)
            users.append(plan.user)
        self.bulk(User, users)
        self.bulk(RoleAssignment, [RoleAssignment(user=u, role=Role.APPLICANT) for u in users])
        report.users = len(users)
        report.group_username = group_user.username if group_user else ""

        organisations = []
        for k, plan in enumerate(org_plans):
            draw = rng.random()
            org_type = (OrganisationType.SMALL_ENTERPRISE if draw < 0.15 else OrganisationType.MEDICAL_INSTITUTION
                        if draw < 0.2 else OrganisationType.ENTERPRISE)
            contact = person_name(rng)
            plan.organisation = OrganisationProfile(
                owner=plan.user, name=organisation_name(k), credit_code=credit_code(k), org_type=org_type,
                registered_district="长宁区", established_on=datetime.date(1995 + rng.randrange(25), rng.randrange(1, 13), rng.randrange(1, 29)),
                legal_representative=person_name(rng), contact_name=contact, contact_mobile=f"13{rng.randrange(10**9):09d}",
                address=f"上海市长宁区{PLACES[k % 20]}路{rng.randrange(1, 2000)}号", chief_quality_officer=contact,
                has_cqo_system=rng.random() < 0.7,
            )
            organisations.append(plan.organisation)
        self.bulk(OrganisationProfile, organisations)
        report.organisations = len(organisations)

        persons = []
        for k, plan in enumerate(person_plans):
            number, birth, sex = resident_id(k)
            employer_index = 100000 + k
            plan.person = PersonProfile(
                owner=plan.user, name=plan.user.full_name, id_type=IdType.RESIDENT_ID, id_number=number, nationality="中国",
                birth_date=birth, sex=sex, mobile=f"139{rng.randrange(10**8):08d}", employer=organisation_name(employer_index % 40000),
                employer_credit_code=credit_code(employer_index), position=rng.choice(POSITIONS), work_district="长宁区",
                quality_work_since=datetime.date(max(birth.year + 22, 1990) + rng.randrange(8), 7, 1),
                district_work_since=datetime.date(2005 + rng.randrange(12), 3, 1),
            )
            persons.append(plan.person)
        self.bulk(PersonProfile, persons)
        report.persons = len(persons)

        # Recommending units and the expert pool.
        units = []
        for name, kind in RECOMMENDING_UNITS:
            unit, _created = RecommendingUnit.objects.get_or_create(
                organiser=organiser, name=name,
                defaults={"kind": kind, "credit_code": credit_code(900000 + len(units), kind="11") if kind != RecommendingUnit.Kind.SUBDISTRICT else ""},
            )
            units.append(unit)
        group_unit = next(u for u in units if u.kind == RecommendingUnit.Kind.HOLDING_GROUP)
        expert_users = [
            User(username=f"{self.code}-expert{e:02d}", email=f"{self.code}-expert{e:02d}@scale.demo.local", full_name=person_name(rng),
                 email_verified=True, password=password)
            for e in range(1, POOL_SIZE + 1)
        ]
        self.bulk(User, expert_users)
        self.bulk(RoleAssignment, [RoleAssignment(user=u, role=Role.EXPERT, organiser=organiser) for u in expert_users])
        experts = []
        for e, user in enumerate(expert_users):
            employer, specialties = EXPERT_EMPLOYERS[e % len(EXPERT_EMPLOYERS)]
            experts.append(ExpertProfile(
                user=user, organiser=organiser, name=user.full_name, id_number=resident_id(200000 + e, region="310104")[0],
                title=rng.choice(EXPERT_TITLES), employer=employer, employer_credit_code=credit_code(800000 + e, kind="12", region="310000"),
                specialties=specialties, phone=f"021-{rng.randrange(10**7, 10**8)}", email=user.email,
            ))
        self.bulk(ExpertProfile, experts)
        report.experts = len(experts)
        bias = {x.pk: rng.uniform(-0.06, 0.06) for x in experts}
        panel_members = experts[:PANEL_SIZE]
        panel = ExpertPanel.objects.create(stage=stages[RANKING_STAGE], name="陈述答辩专家组", leader=panel_members[0])
        panel.members.set(panel_members)
        panel.categories.set([categories[RANKING_CATEGORY]])
        screening_panel = ExpertPanel.objects.create(stage=stages[SCREENING_STAGE], name="资料评审专家库", leader=experts[0])
        screening_panel.members.set(experts)

        # Applications. bulk_create inserts brand-new rows: Application.save() (and the queryset's
        # update()) refuse a *change* of status/current_stage outside apply_transition; creating a row
        # in the state its history (logged below) leads to is not a change, so it is allowed here.
        prefix = receipt_prefix(cycle)
        window = (cycle.application_closes_at - cycle.application_opens_at).total_seconds()
        numbered = 0
        years = [str(cycle.year - 3), str(cycle.year - 2), str(cycle.year - 1)]
        apps = []
        for plan in plans:
            kind = plan.category.applicant_kind
            submitted = plan.status != ApplicationStatus.DRAFT
            if submitted:
                numbered += 1
            form_data = self.form_data(plan, years)
            recommender = group_unit if plan.user is group_user else (rng.choice(units) if rng.random() < 0.35 else None)
            plan.application = Application(
                number=f"{prefix}-{cycle.year}-{numbered:04d}" if submitted else None,
                cycle=cycle, category=plan.category, applicant=plan.user,
                organisation=plan.organisation if kind == "organisation" else None,
                person=plan.person if kind != "organisation" else None,
                status=plan.status, current_stage=stages[plan.stage_code] if plan.stage_code else None,
                form_data=form_data, declarations=self.declarations(plan.category), recommender=recommender,
                version=rng.randrange(2, 9),
                submitted_at=(cycle.application_opens_at + datetime.timedelta(seconds=rng.uniform(0.05, 1.0) * window)) if submitted else None,
            )
            apps.append(plan.application)
        self.bulk(Application, apps)
        ReceiptSequence.objects.update_or_create(cycle=cycle, defaults={"last_number": numbered})
        report.applications = len(apps)
        self.say(f"{len(apps)} applications inserted")

        # Scoring: assignments, declarations, scoresheets, item scores.
        ordered_stages = sorted(stages.values(), key=lambda s: s.order)
        stage_order = {s.code: s.order for s in ordered_stages}
        assignments, plan_of_assignment = [], []
        declared: set[tuple[int, int]] = set()
        declarations = []
        for plan in plans:
            app = plan.application
            if plan.stage_code is None or stage_order[plan.stage_code] < stage_order[SCREENING_STAGE]:
                continue
            offset = (plan.index * 7) % POOL_SIZE
            screeners = [experts[(offset + k * 3) % POOL_SIZE] for k in range(5)]
            if not plan.ranking and rng.random() < 0.01:  # a screener recused (declared conflict) and was replaced
                recused = screeners[0]
                assignments.append(Assignment(stage=stages[SCREENING_STAGE], application=app, expert=recused, panel=screening_panel,
                                              method=Assignment.Method.AUTOMATIC, status=Assignment.Status.RECUSED, assigned_by=staff))
                plan_of_assignment.append((plan, SCREENING_STAGE, "recused"))
                declarations.append(ConflictDeclaration(expert=recused, application=app, has_conflict=True,
                                                        reason="近三年曾为该单位提供咨询服务", declared_by=recused.user))
                declared.add((recused.pk, app.pk))
                screeners = screeners[1:] + [experts[(offset + 16) % POOL_SIZE]]
            finished = plan.ranking or stage_order[plan.stage_code] > stage_order[SCREENING_STAGE] or plan.status == ApplicationStatus.NOT_PASSED
            for expert in screeners:
                state = "submitted" if finished else rng.choices(["submitted", "draft", "open"], weights=[60, 15, 25])[0]
                assignments.append(Assignment(stage=stages[SCREENING_STAGE], application=app, expert=expert, panel=screening_panel,
                                              method=Assignment.Method.AUTOMATIC, assigned_by=staff))
                plan_of_assignment.append((plan, SCREENING_STAGE, state))
            if plan.ranking:
                for expert in panel_members:
                    assignments.append(Assignment(stage=stages[RANKING_STAGE], application=app, expert=expert, panel=panel,
                                                  method=Assignment.Method.SCHEDULE, assigned_by=staff))
                    plan_of_assignment.append((plan, RANKING_STAGE, "submitted"))
        self.bulk(Assignment, assignments)
        report.assignments = len(assignments)

        sheets, sheet_meta = [], []
        for assignment, (plan, stage_code, state) in zip(assignments, plan_of_assignment):
            if state in ("recused", "open"):
                continue
            key = (assignment.expert_id, plan.application.pk)
            if key not in declared:
                declared.add(key)
                declarations.append(ConflictDeclaration(expert=assignment.expert, application=plan.application, has_conflict=False,
                                                        declared_by=assignment.expert.user))
            rubric = rubrics[plan.category.code]
            items = leaves[plan.category.code]
            if state == "draft":
                items = items[: rng.randrange(1, len(items))]
            scores = [self.item_score(c.max_points, plan.quality + bias[assignment.expert_id]) for c in items]
            total = sum(scores, Decimal(0))
            sheet = Scoresheet(
                assignment=assignment, rubric=rubric, total=total,
                status=Scoresheet.Status.SUBMITTED if state == "submitted" else Scoresheet.Status.DRAFT,
                opinion=self.opinion(plan.quality) if state == "submitted" else "",
                submitted_at=plan.application.submitted_at + datetime.timedelta(days=20 + stage_order[stage_code] * 10)
                if state == "submitted" else None,
            )
            sheets.append(sheet)
            sheet_meta.append((plan, assignment, stage_code, list(zip(items, scores))))
        self.bulk(ConflictDeclaration, declarations)
        report.declarations = len(declarations)
        self.bulk(Scoresheet, sheets)
        report.scoresheets = len(sheets)
        item_rows = []
        for sheet, (plan, assignment, stage_code, scored) in zip(sheets, sheet_meta):
            item_rows.extend(ItemScore(scoresheet=sheet, criterion=c, score=s) for c, s in scored)
            if sheet.status == Scoresheet.Status.SUBMITTED:
                self.logged(actor=assignment.expert.user, action="reviews.scores.submit", application=plan.application,
                            before={"expert": assignment.expert.name, "stage": stage_code, "items": {}, "total": "0"},
                            after={"expert": assignment.expert.name, "stage": stage_code,
                                   "items": {c.code: str(s) for c, s in scored}, "total": str(sheet.total), "opinion_changed": True})
            if len(item_rows) >= 20 * self.batch:
                report.item_scores += len(self.bulk(ItemScore, item_rows))
                item_rows = []
        report.item_scores += len(self.bulk(ItemScore, item_rows))
        self.say(f"{report.scoresheets} scoresheets with {report.item_scores} item scores inserted")

        # 陈述答辩 slots for the ranking set: 16 half-hour slots a day in two rooms, from 45 days ago (all heard).
        entries = []
        ranking_plans = [p for p in plans if p.ranking]
        first_day = self.today - datetime.timedelta(days=45)
        for k, plan in enumerate(sorted(ranking_plans, key=lambda p: p.application.number)):
            day, slot = divmod(k, 32)
            room, slot = divmod(slot, 16)
            starts = timezone.make_aware(datetime.datetime.combine(first_day + datetime.timedelta(days=day), datetime.time(9, 0))
                                         + datetime.timedelta(minutes=30 * slot + (90 if slot >= 6 else 0)))
            entries.append(ScheduleEntry(stage=stages[RANKING_STAGE], application=plan.application, kind=ScheduleEntry.Kind.PRESENTATION,
                                         starts_at=starts, ends_at=starts + datetime.timedelta(minutes=25),
                                         location=f"长宁区市场监管局 {3 + room}楼会议室", panel=panel, created_by=staff))
        self.bulk(ScheduleEntry, entries)
        report.schedule_entries = len(entries)
        report.ranking_applications = len(ranking_plans)

        # Supplement requests (some overdue) for those asked to supplement.
        requests = []
        calendar = office_calendar()
        for plan in plans:
            if plan.status != ApplicationStatus.SUPPLEMENT_REQUESTED:
                continue
            asked = self.today - datetime.timedelta(days=rng.randrange(1, 25))
            requests.append(SupplementRequest(
                application=plan.application, stage=stages["eligibility"],
                sections=["figures", "attachments"] if plan.organisation else ["achievements", "attachments"],
                message="请补充近三年经审计的财务报表，并核对利润总额。" if plan.organisation else "请补充主要成果的证明材料。", working_days=10, due_on=_working_days_after(asked, 10, calendar),
                created_by=staff,
            ))
        self.bulk(SupplementRequest, requests)
        report.supplement_requests = len(requests)

        # The history each application's state implies, as apply_transition would have logged it.
        for plan in plans:
            self.history(plan, staff, ordered_stages)
        self.bulk(ActivityLog, self.log)
        report.log_entries = len(self.log)
        log_activity(actor=staff, action="scale.build", target=cycle,
                     after={"applications": len(apps), "ranking_set": len(ranking_plans), "item_scores": report.item_scores})

        report.by_category = dict(Counter(p.category.code for p in plans))
        report.by_status = dict(Counter(str(p.status) for p in plans))
        report.by_stage = dict(Counter(p.stage_code or "—" for p in plans))
        return report

    # -- content ------------------------------------------------------------------------------
    def item_score(self, max_points: Decimal, level: float) -> Decimal:
        """GB/T 19580 scores in steps of 5 % of the item's points, around the applicant's level."""
        pct = min(1.0, max(0.05, level + self.rng.gauss(0, 0.07)))
        steps = round(pct * 20)
        return (max_points * steps / 20).quantize(CENT, rounding=ROUND_HALF_UP)

    def opinion(self, quality: float) -> str:
        if quality > 0.75:
            return "领导作用突出，战略部署清晰，过程管理系统化，结果指标呈持续改进趋势，建议进入下一环节。"
        if quality > 0.55:
            return "质量管理体系基本健全，部分过程的展开和学习改进尚不充分，结果对比数据需补强。"
        return "方法与展开存在明显不足，关键结果缺少趋势和对比数据，建议不予通过。"

    def form_data(self, plan: _Plan, years: list[str]) -> dict:
        rng = self.rng
        if plan.category.applicant_kind == "organisation":
            revenue = rng.uniform(3000, 200000)
            figures = {}
            for year in years:
                revenue *= rng.uniform(0.95, 1.2)
                profit = revenue * rng.uniform(0.02, 0.15)
                figures[year] = {"revenue": f"{revenue:.2f}", "profit": f"{profit:.2f}", "policy_loss": False}
            return {
                "overview": f"{plan.organisation.name}成立于{plan.organisation.established_on.year}年，导入卓越绩效管理模式，"
                            "以顾客为中心建立质量管理体系，推行首席质量官制度，近三年主要质量指标持续改进。" * 4,
                "figures": figures,
                "certifications": "ISO 9001:2015 质量管理体系认证，有效期至2027年\nISO 14001:2015 环境管理体系认证，有效期至2026年",
            }
        return {
            "overview": f"{plan.person.name}长期从事质量管理工作，主持推进质量改进项目，在本单位质量管理体系建设中发挥骨干作用。" * 3,
            "achievements": "主持QC小组活动获全国优秀质量管理小组\n参与制定团体标准2项\n发表质量管理论文3篇",
        }

    def declarations(self, category) -> dict:
        rules = getattr(category, "_scale_declarations", None)
        if rules is None:
            rule = category.rules.filter(kind="declarations").first()
            rules = [item["code"] for item in (rule.params or {}).get("items", [])] if rule else []
            category._scale_declarations = rules
        return {code: True for code in rules}

    def history(self, plan: _Plan, staff: User, ordered_stages: list) -> None:
        app, applicant = plan.application, plan.user
        self.logged(actor=applicant, action="application.create", application=app,
                    after={"category": plan.category.code, "cycle": self.code})
        self.logged(actor=applicant, action="application.save", application=app,
                    after={"version": app.version, "sections": ["overview", "figures"]})
        if plan.status == ApplicationStatus.DRAFT:
            return
        self.logged(actor=applicant, action="application.submit", application=app,
                    before={"status": "draft", "stage": None}, after={"status": "submitted", "stage": None})
        if plan.status == ApplicationStatus.SUBMITTED:
            return
        if plan.status == ApplicationStatus.WITHDRAWN:
            self.logged(actor=applicant, action="application.withdraw", application=app,
                        before={"status": "submitted", "stage": None}, after={"status": "withdrawn", "stage": None},
                        reason="本年度暂不参评。")
            return
        first = ordered_stages[0].code
        self.logged(actor=staff, action="application.start_review", application=app,
                    before={"status": "submitted", "stage": None}, after={"status": "in_review", "stage": first})
        for previous, following in zip(ordered_stages, ordered_stages[1:]):
            if previous.code == plan.stage_code:
                break
            self.logged(actor=staff, action="application.advance", application=app,
                        before={"status": "in_review", "stage": previous.code}, after={"status": "in_review", "stage": following.code})
        if plan.status == ApplicationStatus.SUPPLEMENT_REQUESTED:
            self.logged(actor=staff, action="application.request_supplement", application=app,
                        before={"status": "in_review", "stage": plan.stage_code},
                        after={"status": "supplement_requested", "stage": plan.stage_code},
                        reason="请补充近三年经审计的财务报表。")
        elif plan.status == ApplicationStatus.NOT_PASSED:
            reason = "资格审查：不符合申报条件。" if plan.stage_code == "eligibility" else "资料评审得分未达到晋级线。"
            self.logged(actor=staff, action="application.fail", application=app,
                        before={"status": "in_review", "stage": plan.stage_code},
                        after={"status": "not_passed", "stage": plan.stage_code}, reason=reason)


def _working_days_after(start: datetime.date, days: int, calendar: OfficeCalendar) -> datetime.date:
    """A past supplement deadline, by the portal's own working-day rule (core.workdays): N working
    days after the day it was asked, that day not counted (as reviews.services.supplement_due_on).

    Nothing is guessed: when the span runs into a year the calendar does not cover, the synthetic
    request is dated a month earlier (it stays in the past, so still overdue or answered).
    """
    for _attempt in range(24):
        try:
            return add_working_days(start + datetime.timedelta(days=1), days, calendar=calendar)
        except CalendarCoverageError:
            start -= datetime.timedelta(days=30)
    raise CalendarCoverageError(start, calendar=calendar)
