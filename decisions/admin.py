"""Read-only admin views of the decisions records: every change goes through decisions.services
(which checks the rules and writes the activity log), so the admin only looks."""

from django.contrib import admin

from .models import Approval, Award, BenefitGrant, Meeting, MeetingDecision, Objection, PrizePayment, Publicity, Recommendation


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("body", "stage", "held_on", "present_count", "quorum_met", "created_by")
    list_filter = ("stage__cycle",)


@admin.register(MeetingDecision)
class MeetingDecisionAdmin(ReadOnlyAdmin):
    list_display = ("meeting", "application", "votes_for", "votes_against", "votes_abstain", "outcome")
    list_filter = ("outcome", "meeting__stage__cycle")


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyAdmin):
    list_display = ("category", "application", "rank", "score", "source", "status")
    list_filter = ("status", "cycle")


@admin.register(Publicity)
class PublicityAdmin(ReadOnlyAdmin):
    list_display = ("title", "start_date", "end_date", "span", "unit")


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "publicity", "application", "name", "status", "created_at")
    list_filter = ("status",)


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdmin):
    list_display = ("cycle", "approving_body", "document_number", "approved_on")


@admin.register(Award)
class AwardAdmin(ReadOnlyAdmin):
    list_display = ("application", "category", "prize_amount", "approval")
    list_filter = ("cycle",)


@admin.register(PrizePayment)
class PrizePaymentAdmin(ReadOnlyAdmin):
    list_display = ("award", "amount", "paid_on", "reference")


@admin.register(BenefitGrant)
class BenefitGrantAdmin(ReadOnlyAdmin):
    list_display = ("award", "text", "granted_on")
