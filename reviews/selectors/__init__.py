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
    places_used,
    quota_refusal,
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
    Dashboard,
    ExpertFigures,
    StageFigures,
    cycle_dashboard,
)
from .experts import (  # noqa: F401
    expert_assignments,
    expert_profiles,
)
from .history import (  # noqa: F401
    application_history,
    describe_entry,
    notifications_for_application,
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
    objection_detail,
    objections_for_publicity,
    public_publicity,
    publicity_for_cycle,
    publicity_incomplete,
    publicity_notice,
    publicity_published,
    recommendation_lists,
)
from .scoring import (  # noqa: F401
    METHOD_LABELS,
    RANKING_FIELDS,
    RankingRow,
    ScoreSummary,
    ScoreSummaryRow,
    applications_at_stage,
    category_ranking,
    current_scores_by_id,
    pipeline_weights,
    queue_scores,
    ranking_applications,
    rubric_for,
    score_summary,
    stage_aggregates,
)
from .staff import (  # noqa: F401
    QUEUE_ORDER,
    QUEUE_ROW_FIELDS,
    QueueFilters,
    application_assignments,
    application_conflicts,
    queue_rows,
    schedule_for_application,
    staff_applications,
    staff_cycle,
    staff_queue,
)
