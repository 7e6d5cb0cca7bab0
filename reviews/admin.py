"""Admin screens of the review pipeline: the expert pool and panels are configuration; meetings, the list,
公示, approval and awards are read-only here, since every change goes through reviews.services (rules + activity log)."""

from __future__ import annotations

from django.contrib import admin

from core.admin_mixins import OrganiserScopedAdmin, ScopedReadOnlyAdmin
from reviews.models import (
    Approval,
    Award,
    BenefitGrant,
    ExpertPanel,
    ExpertProfile,
    Meeting,
    MeetingDecision,
    Objection,
    PrizePayment,
    Publicity,
    Recommendation,
)


@admin.register(ExpertProfile)
class ExpertProfileAdmin(OrganiserScopedAdmin):
    organiser_path = "organiser"
    list_display = ["name", "organiser", "title", "employer", "group", "is_active"]
    list_filter = [("organiser", admin.RelatedOnlyFieldListFilter), "is_active"]
    search_fields = ["name", "employer", "employer_credit_code", "group", "specialties"]


@admin.register(ExpertPanel)
class ExpertPanelAdmin(OrganiserScopedAdmin):
    organiser_path = "stage__cycle__programme__organiser"
    list_display = ["name", "stage", "leader"]
    filter_horizontal = ["members", "categories"]


ReadOnlyAdmin = ScopedReadOnlyAdmin  # each programme admin sees only their organiser's rows


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("body", "stage", "held_on", "present_count", "quorum_met", "created_by")
    list_filter = (("stage__cycle", admin.RelatedOnlyFieldListFilter),)


@admin.register(MeetingDecision)
class MeetingDecisionAdmin(ReadOnlyAdmin):
    list_display = ("meeting", "application", "votes_for", "votes_against", "votes_abstain", "outcome")
    list_filter = ("outcome", ("meeting__stage__cycle", admin.RelatedOnlyFieldListFilter))


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyAdmin):
    list_display = ("category", "application", "rank", "score", "source", "status")
    list_filter = ("status", ("cycle", admin.RelatedOnlyFieldListFilter))


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
    list_filter = (("cycle", admin.RelatedOnlyFieldListFilter),)


@admin.register(PrizePayment)
class PrizePaymentAdmin(ReadOnlyAdmin):
    list_display = ("award", "amount", "paid_on", "reference")


@admin.register(BenefitGrant)
class BenefitGrantAdmin(ReadOnlyAdmin):
    list_display = ("award", "text", "granted_on")
