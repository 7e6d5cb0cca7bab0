"""The export jobs of a cycle that review staff see."""

from __future__ import annotations

from reviews.models import ExportJob

RECENT_EXPORTS = 20


def export_jobs_for_cycle(cycle, *, limit: int = RECENT_EXPORTS) -> list[ExportJob]:
    """The cycle's latest export jobs (the caller has checked that the user is its staff; staff_cycle)."""
    jobs = list(ExportJob.objects.filter(cycle=cycle).select_related("requested_by").order_by("-created_at", "-id")[:limit])
    for job in jobs:
        job.cycle = cycle
    return jobs


def export_job_of_cycle(cycle, public_id) -> ExportJob:
    """One export job of the cycle, or ExportJob.DoesNotExist (the views turn it into 404)."""
    job = ExportJob.objects.get(cycle=cycle, public_id=public_id)
    job.cycle = cycle
    return job
