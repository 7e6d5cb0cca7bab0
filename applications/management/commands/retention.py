"""List, and with --apply remove, the personal data past its retention period (applications.privacy)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from applications.privacy import apply_retention, retention_plan


class Command(BaseCommand):
    help = ("个人信息保存期限：列出（加 --apply 则删除）评选周期结束满 PORTAL_RETENTION_YEARS 年后未获奖申报的个人信息。"
            "获奖记录和操作记录保留。")

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="删除所列个人信息（默认只列出）")
        parser.add_argument("--years", type=int, default=None, help=f"保存年限（默认 {settings.PORTAL_RETENTION_YEARS}）")
        parser.add_argument("--today", default=None, help="按此日期计算（YYYY-MM-DD，默认今天）")

    def handle(self, *args, **options):
        try:
            today = datetime.date.fromisoformat(options["today"]) if options["today"] else None
        except ValueError as exc:
            raise CommandError(f"--today 应为 YYYY-MM-DD：{options['today']}") from exc
        years = options["years"]
        if years is not None and years < 1:
            raise CommandError("--years 至少为 1。")
        plans = retention_plan(today=today, years=years)
        if not plans:
            self.stdout.write("没有超过保存期限的个人信息。")
            return
        for plan in plans:
            self.stdout.write(f"{plan.cycle}（{plan.cycle.code}）：{plan.closed_on} 结束，未获奖申报 {len(plan.applications)} 件")
        if not options["apply"]:
            self.stdout.write("以上为预览；加 --apply 执行删除。")
            return
        totals = apply_retention(plans=plans)
        self.stdout.write(
            "已删除：申报内容 {applications} 件，附件 {attachments} 个，个人档案 {people} 个，组织联系人 {organisations} 个，"
            "通知正文 {notifications} 封。".format(**totals))
