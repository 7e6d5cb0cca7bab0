"""Send what the broker missed and recover stale jobs now (what Celery beat does every minute)."""

from django.core.management.base import BaseCommand

from core.tasks import sweep_notifications
from documents.tasks import sweep_documents


class Command(BaseCommand):
    help = "补发未送达任务队列的邮件和文书生成任务，并处理超时未完成的文书（Celery beat 每分钟自动执行）。"

    def handle(self, *args, **options):
        emails = sweep_notifications()
        documents = sweep_documents()
        self.stdout.write(
            f"邮件补发 {emails} 封；文书补发 {documents['published']} 件，超时重排 {documents['requeued_stale']} 件，"
            f"超时失败 {documents['failed_stale']} 件。")
