"""The credit-list import (严重失信名单) refuses codes with a wrong check character, naming the line.

A typo in a check character means the entry never matches the applicant it was meant to catch,
so the import refuses the line (listed with its number) instead of storing a dead entry.
"""

import pytest
from django.urls import reverse

from applications.models import CreditBlacklistEntry
from core.models import ActivityLog

pytestmark = pytest.mark.django_db


def test_a_wrong_check_character_is_refused_with_its_line_number(client, cn_staff, organisers):
    client.force_login(cn_staff)
    text = "\n".join([
        "代码,名称,原因",
        "91310105MA1FL5XQ3Y,示例公司,严重失信",
        "91310105MA1FL5XQ3X,错一位的公司,严重失信",
        "310105198003150011,某人",
        "31010519800315001X,某人",
    ])
    response = client.post(reverse("applications:blacklist"),
                           {"organiser": organisers["changning"].pk, "text": text, "source": "信用平台 2026-11-30"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "第 3 行“91310105MA1FL5XQ3X,错一位的公司,严重失信”：统一社会信用代码校验位错误：最后一位应为“Y”，请核对是否输错。" in page
    assert "第 4 行“310105198003150011,某人”：校验位错误：作为统一社会信用代码最后一位应为“T”，作为身份证号码最后一位应为“X”" in page
    assert sorted(CreditBlacklistEntry.objects.values_list("code", flat=True)) == ["31010519800315001X", "91310105MA1FL5XQ3Y"]
    log = ActivityLog.objects.get(action="blacklist.import")
    assert log.after == {"created": 2, "updated": 0, "rejected": 2, "source": "信用平台 2026-11-30"}


def test_a_list_of_only_bad_codes_imports_nothing_and_logs_nothing(client, cn_staff, organisers):
    client.force_login(cn_staff)
    response = client.post(reverse("applications:blacklist"),
                           {"organiser": organisers["changning"].pk, "text": "91310105MA1FL5XQ3X", "source": "信用平台"})
    assert response.status_code == 400
    assert "第 1 行" in response.content.decode()
    assert not CreditBlacklistEntry.objects.exists()
    assert not ActivityLog.objects.filter(action="blacklist.import").exists()
