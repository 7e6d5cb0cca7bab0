"""Adopt the tables of the former `decisions` app: meetings, the recommendation list, 公示, objections,
approval and awards now belong to `reviews` (one app for the whole review pipeline).

On a database made before the move, each `decisions_<model>` table is renamed to `reviews_<model>` with every
row, index, constraint and foreign key kept; on a new database the tables are created. Content types (and so
permissions and admin history) and activity-log targets move from the `decisions` label to `reviews`, and the
`decisions` migration records are removed.
"""

import django.core.validators
import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models

import reviews.models.approval

# In an order where every table a foreign key points to comes first.
ADOPTED = ["Approval", "Meeting", "Publicity", "Objection", "Recommendation", "Award", "BenefitGrant",
           "MeetingDecision", "PrizePayment"]


def adopt_or_create_tables(apps, schema_editor):
    existing = set(schema_editor.connection.introspection.table_names())
    for name in ADOPTED:
        model = apps.get_model("reviews", name)
        old_table = f"decisions_{name.lower()}"
        if old_table in existing:
            schema_editor.alter_db_table(model, old_table, model._meta.db_table)
        else:
            schema_editor.create_model(model)


def relabel(apps, schema_editor):
    """decisions.<model> → reviews.<model> in content types and activity-log targets."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ActivityLog = apps.get_model("core", "ActivityLog")
    db = schema_editor.connection.alias
    for name in ADOPTED:
        model = name.lower()
        old = ContentType.objects.using(db).filter(app_label="decisions", model=model).first()
        if old is not None and not ContentType.objects.using(db).filter(app_label="reviews", model=model).exists():
            old.app_label = "reviews"
            old.save(update_fields=["app_label"])
        ActivityLog.objects.using(db).filter(target_type=f"decisions.{model}").update(target_type=f"reviews.{model}")
    schema_editor.execute("DELETE FROM django_migrations WHERE app = %s", ["decisions"])


class Migration(migrations.Migration):

    dependencies = [
        ("reviews", "0001_initial"),
        ("applications", "0002_receipts_and_nominations"),
        ("awards", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='Approval',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('approved_on', models.DateField(verbose_name='批准日期')),
                    ('approving_body', models.CharField(max_length=120, verbose_name='批准机关')),
                    ('document_number', models.CharField(max_length=60, validators=[reviews.models.approval.validate_document_number], verbose_name='批准文号')),
                    ('notes', models.TextField(blank=True, verbose_name='说明')),
                    ('recorded_at', models.DateTimeField(auto_now_add=True, verbose_name='记录时间')),
                    ('cycle', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='approvals', to='awards.cycle', verbose_name='评选周期')),
                    ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='记录人')),
                    ('stage', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='approval', to='awards.stage', verbose_name='审批环节')),
                ],
                options={
                    'verbose_name': '批准',
                    'verbose_name_plural': '批准',
                },
            ),
            migrations.CreateModel(
                name='Meeting',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('held_on', models.DateField(verbose_name='会议日期')),
                    ('location', models.CharField(blank=True, max_length=200, verbose_name='会议地点')),
                    ('chair', models.CharField(blank=True, max_length=100, verbose_name='主持人')),
                    ('present_units', models.JSONField(blank=True, default=list, verbose_name='出席成员单位')),
                    ('attendees_text', models.TextField(blank=True, help_text='机构未列出成员单位时，记录出席人员', verbose_name='出席人员')),
                    ('notes', models.TextField(blank=True, verbose_name='会议纪要摘要')),
                    ('minutes', models.FileField(blank=True, max_length=255, upload_to='decisions/minutes/%Y/%m/', verbose_name='会议纪要')),
                    ('minutes_name', models.CharField(blank=True, max_length=255, verbose_name='纪要原文件名')),
                    ('minutes_content_type', models.CharField(blank=True, max_length=100, verbose_name='纪要文件类型')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='记录时间')),
                    ('body', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='meetings', to='awards.reviewbody', verbose_name='评审机构')),
                    ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='记录人')),
                    ('stage', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='meetings', to='awards.stage', verbose_name='评审环节')),
                ],
                options={
                    'verbose_name': '会议',
                    'verbose_name_plural': '会议',
                    'ordering': ['stage__order', '-held_on', '-id'],
                },
            ),
            migrations.CreateModel(
                name='Publicity',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('title', models.CharField(max_length=200, verbose_name='公示标题')),
                    ('notice', models.TextField(verbose_name='公示说明')),
                    ('start_date', models.DateField(verbose_name='公示开始日期')),
                    ('end_date', models.DateField(verbose_name='公示结束日期')),
                    ('span', models.PositiveSmallIntegerField(verbose_name='公示期')),
                    ('unit', models.CharField(choices=[('working_days', '工作日'), ('calendar_days', '自然日')], max_length=20, verbose_name='公示期单位')),
                    ('contact', models.CharField(blank=True, max_length=300, verbose_name='异议受理联系方式')),
                    ('published_at', models.DateTimeField(auto_now_add=True, verbose_name='发布时间')),
                    ('cycle', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='publicities', to='awards.cycle', verbose_name='评选周期')),
                    ('published_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='发布人')),
                    ('stage', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='publicity', to='awards.stage', verbose_name='公示环节')),
                ],
                options={
                    'verbose_name': '公示',
                    'verbose_name_plural': '公示',
                    'ordering': ['-start_date', '-id'],
                },
            ),
            migrations.CreateModel(
                name='Objection',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('name', models.CharField(max_length=100, verbose_name='异议人姓名或单位')),
                    ('contact', models.CharField(max_length=100, verbose_name='联系方式')),
                    ('content', models.TextField(verbose_name='异议内容')),
                    ('attachment', models.FileField(blank=True, max_length=255, upload_to='decisions/objections/%Y/%m/', verbose_name='证明材料')),
                    ('attachment_name', models.CharField(blank=True, max_length=255, verbose_name='原文件名')),
                    ('attachment_content_type', models.CharField(blank=True, max_length=100, verbose_name='文件类型')),
                    ('ip_address', models.GenericIPAddressField(blank=True, null=True, verbose_name='提交IP')),
                    ('status', models.CharField(choices=[('open', '待处理'), ('investigating', '调查核实中'), ('upheld', '异议成立'), ('dismissed', '异议不成立')], default='open', max_length=20, verbose_name='处理状态')),
                    ('investigation_notes', models.TextField(blank=True, verbose_name='调查核实情况')),
                    ('resolution_reason', models.TextField(blank=True, verbose_name='处理意见')),
                    ('resolved_at', models.DateTimeField(blank=True, null=True, verbose_name='处理时间')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='提交时间')),
                    ('application', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='objections', to='applications.application', verbose_name='异议对象')),
                    ('resolved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='处理人')),
                    ('publicity', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='objections', to='reviews.publicity', verbose_name='公示')),
                ],
                options={
                    'verbose_name': '异议',
                    'verbose_name_plural': '异议',
                    'ordering': ['-created_at', '-id'],
                },
            ),
            migrations.CreateModel(
                name='Recommendation',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('source', models.CharField(choices=[('ranking', '评分排名'), ('meeting', '会议决定')], max_length=10, verbose_name='依据')),
                    ('rank', models.PositiveIntegerField(blank=True, null=True, verbose_name='排名')),
                    ('score', models.DecimalField(blank=True, decimal_places=3, max_digits=8, null=True, verbose_name='得分')),
                    ('note', models.CharField(blank=True, max_length=300, verbose_name='备注')),
                    ('status', models.CharField(choices=[('proposed', '拟推荐'), ('withdrawn', '已撤销')], default='proposed', max_length=10, verbose_name='状态')),
                    ('withdrawn_reason', models.TextField(blank=True, verbose_name='撤销理由')),
                    ('withdrawn_at', models.DateTimeField(blank=True, null=True, verbose_name='撤销时间')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='加入时间')),
                    ('added_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                    ('application', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='recommendations', to='applications.application', verbose_name='申报')),
                    ('category', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='recommendations', to='awards.category', verbose_name='奖项类别')),
                    ('cycle', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='recommendations', to='awards.cycle', verbose_name='评选周期')),
                    ('source_stage', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='awards.stage', verbose_name='来源环节')),
                ],
                options={
                    'verbose_name': '推荐名单',
                    'verbose_name_plural': '推荐名单',
                    'ordering': ['category__order', 'rank', 'id'],
                },
            ),
            migrations.CreateModel(
                name='Award',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('prize_amount', models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='奖金（元）')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='确定时间')),
                    ('application', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='award', to='applications.application', verbose_name='申报')),
                    ('approval', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='awards', to='reviews.approval', verbose_name='批准')),
                    ('category', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='awards_granted', to='awards.category', verbose_name='奖项类别')),
                    ('cycle', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='awards_granted', to='awards.cycle', verbose_name='评选周期')),
                    ('recommendation', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='award', to='reviews.recommendation', verbose_name='推荐')),
                ],
                options={
                    'verbose_name': '获奖对象',
                    'verbose_name_plural': '获奖对象',
                    'ordering': ['category__order', 'recommendation__rank', 'id'],
                },
            ),
            migrations.CreateModel(
                name='BenefitGrant',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('code', models.SlugField(max_length=40, verbose_name='待遇代码')),
                    ('text', models.CharField(max_length=300, verbose_name='待遇')),
                    ('granted_on', models.DateField(verbose_name='办理日期')),
                    ('note', models.CharField(blank=True, max_length=300, verbose_name='办理情况')),
                    ('recorded_at', models.DateTimeField(auto_now_add=True, verbose_name='记录时间')),
                    ('award', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='benefits', to='reviews.award', verbose_name='获奖对象')),
                    ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='记录人')),
                ],
                options={
                    'verbose_name': '精神奖励待遇',
                    'verbose_name_plural': '精神奖励待遇',
                    'ordering': ['award', 'code'],
                    'constraints': [models.UniqueConstraint(fields=('award', 'code'), name='benefit_grant_unique')],
                },
            ),
            migrations.CreateModel(
                name='MeetingDecision',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('votes_for', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='赞成')),
                    ('votes_against', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='反对')),
                    ('votes_abstain', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='弃权')),
                    ('outcome', models.CharField(choices=[('approved', '通过'), ('rejected', '不通过')], max_length=10, verbose_name='决定')),
                    ('notes', models.TextField(blank=True, verbose_name='说明')),
                    ('recorded_at', models.DateTimeField(auto_now=True, verbose_name='记录时间')),
                    ('application', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='meeting_decisions', to='applications.application', verbose_name='申报')),
                    ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='decisions', to='reviews.meeting', verbose_name='会议')),
                    ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='记录人')),
                ],
                options={
                    'verbose_name': '会议决定',
                    'verbose_name_plural': '会议决定',
                    'ordering': ['meeting', 'application__number'],
                    'constraints': [models.UniqueConstraint(fields=('meeting', 'application'), name='meeting_decision_unique')],
                },
            ),
            migrations.CreateModel(
                name='PrizePayment',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('amount', models.DecimalField(decimal_places=2, max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))], verbose_name='金额（元）')),
                    ('paid_on', models.DateField(verbose_name='发放日期')),
                    ('reference', models.CharField(max_length=100, verbose_name='凭证号')),
                    ('note', models.CharField(blank=True, max_length=300, verbose_name='备注')),
                    ('recorded_at', models.DateTimeField(auto_now_add=True, verbose_name='记录时间')),
                    ('award', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payments', to='reviews.award', verbose_name='获奖对象')),
                    ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='记录人')),
                ],
                options={
                    'verbose_name': '奖金发放',
                    'verbose_name_plural': '奖金发放',
                    'ordering': ['paid_on', 'id'],
                    'constraints': [models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='prize_payment_positive')],
                },
            ),
            migrations.AddConstraint(
                model_name='publicity',
                constraint=models.CheckConstraint(condition=models.Q(('end_date__gte', models.F('start_date'))), name='publicity_dates_ordered'),
            ),
            migrations.AddConstraint(
                model_name='recommendation',
                constraint=models.UniqueConstraint(condition=models.Q(('status', 'proposed')), fields=('application',), name='recommendation_one_active_per_application'),
            ),
            ],
        ),
        migrations.RunPython(adopt_or_create_tables, migrations.RunPython.noop),
        migrations.RunPython(relabel, migrations.RunPython.noop),
    ]
