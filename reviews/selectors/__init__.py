"""Reads of the review pipeline, filtered to what the user may see, with a constant query count per page.
Modules inside the package import each other directly; other apps import from this package."""

from .awards import (  # noqa: F401
    WinnerRow,
    approval_for_cycle,
    committed_amount,
    winners_for_cycle,
)
from .budget import (  # noqa: F401
    CategoryMoney,
    CycleMoney,
    cycle_money,
    minimum_quota,
    prize_change_refusal,
    places_used,
    quota_refusal,
)
from .calibration import (  # noqa: F401
    Calibration,
    ComparisonRow,
    ExpertCalibration,
    stage_calibration,
)
from .cycles import (  # noqa: F401
    APPLICATION_RELATED,
    REVIEWABLE,
    approval_stage,
    award_stage,
    body_for_stage,
    cycle_stages,
    is_source_stage,
    listable_stages,
    publicity_stage,
    share_cycle_objects,
    source_stage,
    stages_of_kind,
)
from .dashboard import (  # noqa: F401
    CategoryFigures,
    CycleCounts,
    Dashboard,
    ExpertFigures,
    StageFigures,
    cycle_dashboard,
    stage_counts,
)
from .experts import (  # noqa: F401
    ExpertLoad,
    StageProgress,
    Workload,
    expert_assignments,
    expert_done,
    expert_profiles,
    expert_progress,
    expert_pages,
    expert_rows,
    expert_todo,
    expert_workload,
)
from .exports import (  # noqa: F401
    export_job_of_cycle,
    export_jobs_for_cycle,
)
from .feedback import (  # noqa: F401
    CriterionSources,
    FeedbackSources,
    band_of,
    expert_label,
    feedback_criteria,
    feedback_released,
    feedback_report,
    feedback_sources,
    released_feedback_reports,
    report_items,
    submitted_sheets,
)
from .history import (  # noqa: F401
    application_history,
    describe_entry,
    described_history,
    notifications_for_application,
    reminders_for_application,
)
from .meetings import (  # noqa: F401
    decisions_by_application,
    meeting_candidates,
    meeting_detail,
    meetings_for_cycle,
    quorate_decision,
)
from .publicity import (  # noqa: F401
    Candidate,
    CategoryList,
    PublicityEntry,
    PublicityGroup,
    PublicityNotice,
    active_recommendations,
    cycle_publicity_for_public,
    objection_detail,
    objections_for_publicity,
    public_publicities,
    public_publicity,
    publicity_for_cycle,
    publicity_incomplete,
    publicity_notice,
    publicity_published,
    recommendation_lists,
)
from .rankings import (  # noqa: F401
    CutoffCandidate,
    RankingFilters,
    RankingPage,
    cutoff_candidates,
    experts_by_name,
    ranking_fingerprint,
    ranking_page,
    stored_ranking,
)
from .scoring import (  # noqa: F401
    METHOD_LABELS,
    RANKING_FIELDS,
    RankingRow,
    ScoreSummary,
    ScoreSummaryRow,
    SheetCount,
    applications_at_stage,
    category_ranking,
    disagreement_thresholds,
    current_scores_by_id,
    pipeline_weights,
    queue_scores,
    ranking_applications,
    stage_sheet_totals,
    rubric_for,
    score_summary,
    sheet_count,
    stage_aggregates,
)
from .stages import (  # noqa: F401
    StageFilters,
    stage_application_ids,
    stage_expert_load,
    stage_rows,
)
from .staff import (  # noqa: F401
    QUEUE_FILTER_KEYS,
    QUEUE_ORDER,
    QUEUE_ROW_FIELDS,
    QUEUE_SORTS,
    QueueFilters,
    application_assignments,
    application_conflicts,
    applicant_progress,
    queue_rows,
    saved_queue_filters,
    schedule_for_application,
    slot_experts,
    stage_schedule,
    staff_applications,
    staff_cycle,
    staff_queue,
)
