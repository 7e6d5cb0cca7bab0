"""The staff cycle overview: figures computed from configuration, scoped per organiser."""

from django.core.management import call_command


def test_overview_shows_budget_and_ratio_for_changning(client, cn_staff, seeds):
    client.force_login(cn_staff)
    response = client.get("/staff/cycles/changning-quality-2023/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-figure="total-budget">159 万元' in page
    assert 'data-figure="ratio-1">0.035%' in page
    assert 'data-figure="ratio-2">0.007%' in page
    assert "14 个/159 万元" in page
    for stage in ["资格审查", "资料评审", "陈述答辩", "现场评审", "综合评价", "评审公示", "提请区政府批准"]:
        assert stage in page


def test_overview_of_another_organisers_cycle_is_404(client, cn_staff, seeds):
    client.force_login(cn_staff)
    assert client.get("/staff/cycles/xuhui-quality-5/").status_code == 404


def test_overview_requires_staff(client, make_user, seeds):
    client.force_login(make_user("someone"))
    assert client.get("/staff/cycles/changning-quality-2023/").status_code == 404
    client.logout()
    assert client.get("/staff/cycles/changning-quality-2023/").status_code == 302


def test_cycle_list_query_count_is_constant(client, cn_staff, seeds, django_assert_max_num_queries):
    client.force_login(cn_staff)
    with django_assert_max_num_queries(12):
        assert client.get("/staff/cycles/").status_code == 200


def test_public_home_lists_calls(client, seeds):
    page = client.get("/").content.decode()
    assert "长宁区政府质量奖（2023年度）" in page and "徐汇区政府质量奖（第五届）" in page


def test_migrations_are_complete(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
