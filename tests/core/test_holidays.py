"""The office's holiday calendar: `manage.py holidays load/list`, `manage.py workdays add`, the admin.

The 2027 files in tests/core/data/ are invented test data shaped like a State Council notice;
they are not the real 2027 arrangement (not available when this was written).
"""

from __future__ import annotations

import datetime
import io
import textwrap
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command, execute_from_command_line

from core.models import ActivityLog, CalendarEntry, CalendarYear

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
SAMPLE_YAML = DATA / "holidays-2027-sample.yaml"
SAMPLE_CSV = DATA / "holidays-2027-sample.csv"
NOTICE = "测试示例〔2026〕0号"
D = datetime.date


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def calendar_state():
    return (
        list(CalendarEntry.objects.values_list("date", "kind", "name", "notice")),
        list(CalendarYear.objects.values_list("year", "notice", "is_complete")),
        ActivityLog.objects.count(),
    )


# ---------------------------------------------------------------- workdays add


def test_workdays_add_prints_the_last_day_and_states_its_rule():
    out, _err = run("workdays", "add", "2025-09-29", "5")
    assert out.splitlines() == [
        "规则：自开始日期起计，开始日期为工作日时计为第 1 个工作日；法定节假日不计，调休上班日计入。",
        "2025-09-29（星期一）起第 5 个工作日：2025-10-11（星期六）（开始日期为工作日，计为第 1 天）",
    ]
    out, _err = run("workdays", "add", "2025-10-01", "1")
    assert out.splitlines()[1] == "2025-10-01（星期三）起第 1 个工作日：2025-10-09（星期四）（开始日期不是工作日，从其后第一个工作日起计）"


def test_workdays_between_counts_both_ends():
    out, _err = run("workdays", "between", "2025-09-26", "2025-10-13")
    assert out.strip() == "2025-09-26 至 2025-10-13（含首尾）共 8 个工作日。"


def test_a_2027_date_is_refused_before_entry_and_accepted_after_a_complete_year(cn_admin):
    with pytest.raises(CommandError) as refused:
        run("workdays", "add", "2026-12-19", "10")
    assert refused.value.returncode == 1
    assert str(refused.value).startswith("2027-01-01 所在年份的法定节假日和调休安排尚未收录（节假日日历仅覆盖 2004—2026 年）")
    assert "请管理员录入该年度国务院办公厅放假安排通知" in str(refused.value)

    out, err = run("holidays", "load", str(SAMPLE_YAML), "--user", cn_admin.username)
    assert out.splitlines()[-1] == "新增 32，更新 0，未变 0"  # 31 dates and the year record
    assert err == ""
    out, _err = run("workdays", "add", "2026-12-19", "10")
    # Mon 21 … Thu 31 Dec (9), [1–3 Jan test holiday], Mon 4 Jan 2027 (10)
    assert out.splitlines()[1] == "2026-12-19（星期六）起第 10 个工作日：2027-01-04（星期一）（开始日期不是工作日，从其后第一个工作日起计）"


def test_the_refusal_exits_with_status_1_on_the_command_line(capsys):
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "workdays", "add", "2027-03-01", "5"])
    assert exited.value.code == 1
    assert "CommandError: 2027-03-01 所在年份的法定节假日和调休安排尚未收录" in capsys.readouterr().err


def test_bad_arguments_are_refused_clearly():
    with pytest.raises(CommandError, match="日期应为 YYYY-MM-DD，如 2027-01-04，当前为“2027/01/04”"):
        run("workdays", "add", "2027/01/04", "3")
    with pytest.raises(CommandError, match="工作日数应为正整数，当前为 0"):
        run("workdays", "add", "2025-01-06", "0")


# ---------------------------------------------------------------- holidays load


def test_loading_the_yaml_sample_enters_every_date_and_logs_each_with_the_actor(cn_admin):
    run("holidays", "load", str(SAMPLE_YAML), "--user", cn_admin.username)
    assert CalendarEntry.objects.count() == 31
    spring = CalendarEntry.objects.get(date=D(2027, 2, 8))
    assert (spring.kind, spring.name, spring.notice, spring.entered_by) == ("holiday", "春节", NOTICE, cn_admin)
    assert CalendarEntry.objects.get(date=D(2027, 2, 20)).kind == "workday"
    year = CalendarYear.objects.get(year=2027)
    assert (year.notice, year.is_complete, year.published_on, year.entered_by) == (NOTICE, True, D(2026, 11, 10), cn_admin)
    logged = ActivityLog.objects.filter(action="calendar.entry.create")
    assert logged.count() == 31 and set(logged.values_list("actor", flat=True)) == {cn_admin.pk}
    entry = logged.get(target_id=str(spring.pk))
    assert entry.after == {"date": "2027-02-08", "kind": "holiday", "name": "春节", "notice": NOTICE, "entered_by": cn_admin.pk}
    assert entry.reason == f"holidays load {SAMPLE_YAML}"
    assert ActivityLog.objects.get(action="calendar.year.create").after["is_complete"] is True


def test_loading_twice_changes_nothing_and_logs_nothing():
    run("holidays", "load", str(SAMPLE_YAML))
    before = calendar_state()
    out, _err = run("holidays", "load", str(SAMPLE_YAML))
    assert out.strip() == "新增 0，更新 0，未变 32"
    assert calendar_state() == before


def test_the_csv_sample_with_complete_gives_the_same_calendar_as_the_yaml():
    out, _err = run("holidays", "load", str(SAMPLE_CSV), "--complete", "2027")
    assert out.splitlines()[-1] == "新增 32，更新 0，未变 0"
    from_csv = list(CalendarEntry.objects.values_list("date", "kind", "name", "notice"))
    assert CalendarYear.objects.get(year=2027).is_complete is True
    CalendarEntry.objects.all().delete()
    CalendarYear.objects.all().delete()
    run("holidays", "load", str(SAMPLE_YAML))
    assert list(CalendarEntry.objects.values_list("date", "kind", "name", "notice")) == from_csv


def test_a_csv_without_complete_leaves_the_year_half_entered_and_still_refused():
    run("holidays", "load", str(SAMPLE_CSV))
    assert CalendarEntry.objects.count() == 31 and not CalendarYear.objects.exists()
    with pytest.raises(CommandError, match="2027-01-04 所在年份的法定节假日和调休安排尚未收录"):
        run("workdays", "add", "2027-01-04", "1")


def test_a_changed_date_is_updated_with_before_and_after(tmp_path):
    run("holidays", "load", str(SAMPLE_YAML))
    changed = write(tmp_path, "fix.yaml", SAMPLE_YAML.read_text(encoding="utf-8").replace(
        "{date: 2027-06-09, kind: holiday, name: 端午节}", "{date: 2027-06-09, kind: holiday, name: 端午节（更正）}"))
    out, _err = run("holidays", "load", str(changed))
    assert out.splitlines() == ["更新 2027-06-09 端午节（更正） 放假", "新增 0，更新 1，未变 31"]
    log = ActivityLog.objects.get(action="calendar.entry.update")
    assert (log.before, log.after) == ({"name": "端午节"}, {"name": "端午节（更正）"})


def test_dates_already_entered_but_missing_from_the_file_are_reported_not_deleted(tmp_path):
    CalendarEntry.objects.create(date=D(2027, 3, 8), kind="holiday", name="误录", notice=NOTICE)
    out, err = run("holidays", "load", str(SAMPLE_YAML))
    assert "注意：已录入的 2027-03-08 误录 放假 不在本文件中，未删除；如有误请在管理后台删除。" in err
    assert CalendarEntry.objects.filter(date=D(2027, 3, 8)).exists()


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("dup.yaml",
         """
         year: 2027
         notice: 测试示例〔2026〕0号
         entries:
           - {date: 2027-01-01, kind: holiday, name: 元旦}
           - {date: 2027-01-04, kind: holiday, name: 元旦}
           - {date: 2027-01-01, kind: holiday, name: 元旦}
         """,
         "dup.yaml：第 6 行：date：日期 2027-01-01 重复（第 4 行已有该日期）"),
        ("overlap.yaml",
         """
         year: 2027
         notice: 测试示例〔2026〕0号
         entries:
           - {from: 2027-02-05, to: 2027-02-11, kind: holiday, name: 春节}
           - {date: 2027-02-08, kind: holiday, name: 春节}
         """,
         "overlap.yaml：第 5 行：date：日期 2027-02-08 重复（第 4 行已有该日期）"),
        ("dup.csv",
         "date,kind,name,notice\n2027-01-01,holiday,元旦,N\n2027-01-02,holiday,元旦,N\n2027-01-01,放假,元旦,N\n",
         "dup.csv：第 4 行：date：日期 2027-01-01 重复（第 2 行已有该日期）"),
        ("key.yaml",
         """
         year: 2027
         notice: 测试示例〔2026〕0号
         entries:
           - date: 2027-01-01
             kind: holiday
             kind: workday
             name: 元旦
         """,
         "key.yaml：第 6 行：entries[0].kind：键“kind”重复（第 5 行已出现）"),
        ("weekday.yaml",
         """
         year: 2027
         notice: 测试示例〔2026〕0号
         entries:
           - {date: 2027-01-01, kind: holiday, name: 元旦}
           - {date: 2027-02-17, kind: workday, name: 春节}
         """,
         "weekday.yaml：第 5 行：kind：2027-02-17 是星期一至星期五，本来就是工作日，不能登记为调休上班日；调休上班日应为星期六或星期日。"),
        ("kind.csv",
         "date,kind,name,notice\n2027-01-01,day off,元旦,N\n",
         "kind.csv：第 2 行：kind：应为 holiday（放假）或 workday（调休上班），当前为“day off”"),
        ("date.csv",
         "date,kind,name,notice\n2027-01-01,holiday,元旦,N\n2027-02-30,holiday,春节,N\n",
         "date.csv：第 3 行：date：应为日期，如 2027-01-01，当前为“2027-02-30”"),
        ("notice.csv",
         "date,kind,name,notice\n2027-01-01,holiday,元旦,\n",
         "notice.csv：第 2 行：notice：必填"),
        ("header.csv",
         "day,kind,name,notice\n2027-01-01,holiday,元旦,N\n",
         "header.csv：第 1 行：(表头)：表头应为 date,kind,name,notice（可加 to 表示日期范围）；未知列：day"),
        ("year.yaml",
         """
         year: 2027
         notice: 测试示例〔2026〕0号
         entries:
           - {date: 2029-01-01, kind: holiday, name: 元旦}
         """,
         "year.yaml：第 4 行：date：2029-01-01 不属于 2027 年的放假安排（只能是 2027 年或上一年年末的日期）"),
        ("incomplete.yaml",
         """
         year: 2027
         notice: 测试示例〔2026〕0号
         complete: true
         entries:
           - {date: 2027-01-01, kind: holiday, name: 元旦}
           - {from: 2027-02-05, to: 2027-02-11, kind: holiday, name: 春节}
         """,
         "incomplete.yaml：第 1 行：complete：2027 年尚未录入以下节日的放假日期：清明、劳动、端午、中秋、国庆。全部录入并核对后才能标记为已录入完整。"),
        ("field.yaml",
         """
         year: 2027
         notice: 测试示例〔2026〕0号
         entries:
           - {date: 2027-01-01, kind: holiday, name: 元旦, colour: red}
         """,
         "field.yaml：第 4 行：colour：未知字段；允许的字段：date, from, to, kind, name, notice"),
        ("holidays.txt", "2027-01-01\n", "holidays.txt：文件应为 .yaml、.yml 或 .csv"),
    ],
)
def test_a_bad_file_is_refused_naming_line_and_field_and_loads_nothing(tmp_path, name, text, message):
    path = write(tmp_path, name, text)
    before = calendar_state()
    with pytest.raises(CommandError) as refused:
        run("holidays", "load", str(path))
    assert str(refused.value) == f"未导入任何内容。{tmp_path}/{message}"
    assert calendar_state() == before


def test_a_file_that_fails_at_the_end_writes_none_of_its_earlier_dates(no_seeds, tmp_path):
    """Dates are written before the year record is checked: the transaction must undo them."""
    path = write(tmp_path, "late.yaml", SAMPLE_YAML.read_text(encoding="utf-8").replace(
        "  - {date: 2027-09-15, kind: holiday, name: 中秋节}\n", ""))
    with pytest.raises(CommandError, match="2027 年尚未录入以下节日的放假日期：中秋。"):
        run("holidays", "load", str(path))
    assert calendar_state() == ([], [], 0)


def test_a_missing_file_or_unknown_user_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="文件不存在"):
        run("holidays", "load", str(tmp_path / "nope.yaml"))
    with pytest.raises(CommandError, match="未找到用户“nobody”"):
        run("holidays", "load", str(SAMPLE_YAML), "--user", "nobody")


# ---------------------------------------------------------------- holidays list


def test_list_shows_coverage_of_each_year():
    out, _err = run("holidays", "list")
    assert out.splitlines() == ["chinesecalendar 1.11.0 收录 2004—2026 年。", "尚未录入任何放假安排。", "可按工作日计算的年份：2004—2026。"]
    run("holidays", "load", str(SAMPLE_CSV))
    out, _err = run("holidays", "list")
    assert "2027 年：已录入 31 条，但尚未标记为已录入完整：按工作日计算仍会被拒绝" in out
    run("holidays", "load", str(SAMPLE_YAML))
    out, _err = run("holidays", "list")
    assert out.splitlines()[1:] == ["2027 年（测试示例〔2026〕0号）：按录入的放假安排计算（已录入完整，31 条）", "可按工作日计算的年份：2004—2027。"]


def test_list_of_a_year_merges_the_library_and_the_entries():
    CalendarEntry.objects.create(date=D(2026, 10, 9), kind="holiday", name="国庆节", notice=NOTICE)
    out, _err = run("holidays", "list", "2026")
    lines = out.splitlines()
    assert lines[0] == "2026 年：chinesecalendar 已收录；另有 1 条录入日期优先"
    assert "2026-02-14  星期六  调休上班  春节  [chinesecalendar]" in lines
    assert "2026-10-09  星期五  放假  国庆节  [录入：测试示例〔2026〕0号]" in lines


# ---------------------------------------------------------------- admin


def entry_form(**values) -> dict:
    return {"date": "2027-01-01", "kind": "holiday", "name": "元旦", "notice": NOTICE, **values}


def test_programme_admin_enters_a_date_in_the_admin_and_the_log_names_them(client, cn_admin):
    client.force_login(cn_admin)
    index = client.get("/admin/").content.decode()
    assert "系统管理" in index and "放假调休日期" in index and "年度放假安排" in index
    response = client.post("/admin/core/calendarentry/add/", entry_form())
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = CalendarEntry.objects.get()
    assert (entry.date, entry.kind, entry.name, entry.entered_by) == (D(2027, 1, 1), "holiday", "元旦", cn_admin)
    log = ActivityLog.objects.get(action="config.create", target_type="core.calendarentry")
    assert log.actor == cn_admin and log.after["date"] == "2027-01-01" and log.organiser is None
    response = client.post(f"/admin/core/calendarentry/{entry.pk}/change/", entry_form(name="元旦节"))
    assert response.status_code == 302
    log = ActivityLog.objects.get(action="config.update", target_type="core.calendarentry")
    assert (log.before, log.after) == ({"name": "元旦"}, {"name": "元旦节"})
    listing = client.get("/admin/core/calendarentry/?year=2027").content.decode()
    assert "元旦节" in listing and "星期五" in listing


def test_a_make_up_working_day_on_a_weekday_is_refused_in_the_admin(client, cn_admin):
    client.force_login(cn_admin)
    response = client.post("/admin/core/calendarentry/add/", entry_form(date="2027-02-17", kind="workday", name="春节"))
    assert response.status_code == 200
    assert "2027-02-17 是星期一至星期五，本来就是工作日，不能登记为调休上班日" in response.content.decode()
    assert not CalendarEntry.objects.exists()


def test_a_year_is_marked_complete_in_the_admin_only_when_every_festival_is_entered(client, cn_admin):
    client.force_login(cn_admin)
    data = {"year": "2027", "notice": NOTICE, "notice_title": "", "published_on": "", "is_complete": "on", "note": ""}
    response = client.post("/admin/core/calendaryear/add/", data)
    assert response.status_code == 200
    assert "2027 年尚未录入以下节日的放假日期：元旦、春节、清明、劳动、端午、中秋、国庆。" in response.content.decode()
    assert not CalendarYear.objects.exists()

    run("holidays", "load", str(SAMPLE_CSV))  # every date, year not yet marked
    with pytest.raises(CommandError, match="尚未标记为“已录入完整”"):
        run("workdays", "add", "2027-01-04", "1")
    response = client.post("/admin/core/calendaryear/add/", {**data, "is_complete": ""})
    assert response.status_code == 302
    year = CalendarYear.objects.get()
    page = client.get(f"/admin/core/calendaryear/{year.pk}/change/").content.decode()
    assert "尚未标记为已录入完整：该年度的工作日计算仍会被拒绝。" in page and "2027-02-20 春节 调休上班" in page
    response = client.post(f"/admin/core/calendaryear/{year.pk}/change/", data)
    assert response.status_code == 302
    assert CalendarYear.objects.get().is_complete is True
    log = ActivityLog.objects.get(action="config.update", target_type="core.calendaryear")
    assert (log.actor, log.before, log.after) == (cn_admin, {"is_complete": False}, {"is_complete": True})
    out, _err = run("workdays", "add", "2027-01-04", "1")
    assert "2027-01-04（星期一）起第 1 个工作日：2027-01-04（星期一）" in out


def test_review_staff_may_read_the_calendar_but_not_change_it(client, cn_staff):
    entry = CalendarEntry.objects.create(date=D(2027, 1, 1), kind="holiday", name="元旦", notice=NOTICE)
    client.force_login(cn_staff)
    assert client.get("/admin/core/calendarentry/").status_code == 200
    assert client.get("/admin/core/calendarentry/add/").status_code == 403
    assert client.post(f"/admin/core/calendarentry/{entry.pk}/change/", entry_form(name="改")).status_code == 403
    assert client.post(f"/admin/core/calendarentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert CalendarEntry.objects.get().name == "元旦"


def test_calendar_changes_show_in_every_offices_activity_log(client, cn_admin, xh_staff):
    client.force_login(cn_admin)
    client.post("/admin/core/calendarentry/add/", entry_form())
    client.force_login(xh_staff)
    page = client.get("/admin/core/activitylog/").content.decode()
    assert "2027-01-01 元旦 放假" in page


def test_the_calendar_speaks_english_to_an_english_reader(client, cn_admin):
    from django.utils import translation

    from core.workdays import CalendarCoverageError, is_working_day

    with translation.override("en"):
        assert str(CalendarEntry._meta.verbose_name_plural) == "Holiday and make-up working days"
        with pytest.raises(CalendarCoverageError) as refused:
            is_working_day(D(2027, 3, 1))
        assert str(refused.value).startswith("The statutory holidays and make-up working days of the year of 2027-03-01 are not in the calendar yet (it covers 2004—2026 only)")
        assert "Ask an administrator to enter the State Council General Office's holiday notice" in str(refused.value)
