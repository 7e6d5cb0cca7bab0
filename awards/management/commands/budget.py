import json

from django.core.management.base import BaseCommand, CommandError

from awards.models import Cycle
from awards.selectors import RATIO_ROUNDING_NOTE, cycle_budget


class Command(BaseCommand):
    help = "Per category: quota, prize, subtotal, eligible population and 表彰比例, with the previous cycle and totals."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, code, as_json, **options):
        try:
            cycle = Cycle.objects.select_related("programme").get(code=code)
        except Cycle.DoesNotExist:
            raise CommandError(f"未找到评选周期“{code}”。") from None
        budget = cycle_budget(cycle)
        data = {
            "cycle": cycle.code,
            "programme": cycle.programme.name,
            "categories": [
                {
                    "code": row.category.code,
                    "name": row.category.name,
                    "class": "集体" if row.category.is_collective else "个人",
                    "quota": row.quota,
                    "prize_yuan": str(row.prize_amount) if row.prize_amount is not None else None,
                    "prize_wan": row.prize_wan or None,
                    "reward": row.category.reward_text or None,
                    "subtotal_yuan": str(row.subtotal),
                    "subtotal_wan": row.subtotal_wan,
                    "population": row.population,
                    "ratio": row.ratio,
                }
                for row in budget.categories
            ],
            "classes": {
                figures.label: {
                    "population": figures.population,
                    "quota": figures.quota,
                    "ratio": figures.ratio,
                    "previous_quota": figures.previous_quota,
                    "previous_ratio": figures.previous_ratio,
                }
                for figures in (budget.collective, budget.individual)
            },
            "total_quota": budget.total_quota,
            "total_yuan": str(budget.total_amount),
            "total_wan": budget.total_wan,
            "total": budget.total_label,
            "unset_quotas": [row.category.code for row in budget.categories if row.quota is None],
            "ratio_rounding": str(RATIO_ROUNDING_NOTE),
        }
        if as_json:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{cycle}  [{cycle.code}]")
        header = f"{'类别':<28}{'名额':>6}{'奖金(万元/个)':>14}{'小计(万元)':>12}{'评选范围':>10}{'表彰比例':>10}"
        self.stdout.write(header)
        for row in budget.categories:
            quota = "待定" if row.quota is None else str(row.quota)
            prize = row.prize_wan or (row.category.reward_text or "待定")
            self.stdout.write(
                f"{row.category.name:<28}{quota:>6}{prize:>14}{row.subtotal_wan:>12}{row.population or '':>10}{row.ratio:>10}"
            )
        for figures in (budget.collective, budget.individual):
            if figures.quota or figures.previous_quota:
                self.stdout.write(
                    f"{figures.label}：本届 {figures.quota} 名，表彰比例 {figures.ratio or '—'}；"
                    f"上届 {figures.previous_quota if figures.previous_quota is not None else '—'} 名，"
                    f"表彰比例 {figures.previous_ratio or '—'}（评选范围 {figures.population or '—'}）"
                )
        self.stdout.write(f"合计 {budget.total_label}")
        self.stdout.write(str(RATIO_ROUNDING_NOTE))
        if data["unset_quotas"]:
            self.stdout.write(f"名额待定的类别：{', '.join(data['unset_quotas'])}")
