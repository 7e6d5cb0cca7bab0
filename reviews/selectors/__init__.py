"""Reads of the review pipeline, filtered to what the user may see, with a constant query count per page.
Modules inside the package import each other directly; other apps import from this package."""

from .cycles import (  # noqa: F401
    APPLICATION_RELATED,
    REVIEWABLE,
    cycle_stages,
    share_cycle_objects,
    stages_of_kind,
    publicity_stage,
    approval_stage,
    award_stage,
    source_stage,
    is_source_stage,
    listable_stages,
    body_for_stage,
)
from .staff import (  # noqa: F401
    staff_cycle,
    staff_applications,
    QueueFilters,
    QUEUE_ORDER,
    QUEUE_ROW_FIELDS,
    staff_queue,
    queue_rows,
    application_conflicts,
    application_assignments,
    schedule_for_application,
)
from .scoring import (  # noqa: F401
    pipeline_weights,
    stage_aggregates,
    current_scores_by_id,
    queue_scores,
    RankingRow,
    RANKING_FIELDS,
    ranking_applications,
    category_ranking,
    ScoreSummaryRow,
    ScoreSummary,
    METHOD_LABELS,
    score_summary,
    applications_at_stage,
    rubric_for,
)
from .experts import (  # noqa: F401
    expert_profiles,
    expert_assignments,
)
from .meetings import (  # noqa: F401
    meetings_for_cycle,
    meeting_detail,
    meeting_candidates,
    decisions_by_application,
    quorate_decision,
)
from .publicity import (  # noqa: F401
    Candidate,
    CategoryList,
    active_recommendations,
    recommendation_lists,
    PublicityEntry,
    PublicityGroup,
    PublicityNotice,
    publicity_notice,
    publicity_for_cycle,
    public_publicity,
    objections_for_publicity,
    objection_detail,
    publicity_published,
    publicity_incomplete,
)
from .budget import (  # noqa: F401
    places_used,
    quota_refusal,
    minimum_quota,
    CategoryMoney,
    CycleMoney,
    cycle_money,
)
from .awards import (  # noqa: F401
    WinnerRow,
    approval_for_cycle,
    winners_for_cycle,
    committed_amount,
)
from .history import (  # noqa: F401
    notifications_for_application,
    application_history,
)
from .dashboard import (  # noqa: F401
    StageFigures,
    CategoryFigures,
    ExpertFigures,
    Dashboard,
    cycle_dashboard,
)
