"""The review pipeline's data, one module per sub-domain: experts and assignments, 资格审查, scoring,
schedules, meetings, 公示 (list, publicity, objections), approval and awards. Tables keep the names of their
sub-domain app label `reviews` (the former `decisions` tables were adopted by migration 0002)."""

from .approval import (  # noqa: F401
    DOCUMENT_NUMBER_RE,
    Approval,
    normalise_document_number,
    validate_document_number,
)
from .awards import (  # noqa: F401
    Award,
    BenefitGrant,
    PrizePayment,
)
from .eligibility import (  # noqa: F401
    EligibilityFinding,
    SupplementRequest,
)
from .experts import (  # noqa: F401
    Assignment,
    ConflictDeclaration,
    ExpertPanel,
    ExpertProfile,
)
from .exports import (  # noqa: F401
    EXPORT_ACTIVE,
    ExportJob,
    ExportKind,
    ExportStatus,
)
from .feedback import (  # noqa: F401
    FeedbackItem,
    FeedbackReport,
)
from .meetings import (  # noqa: F401
    DecisionOutcome,
    Meeting,
    MeetingDecision,
)
from .publicity import (  # noqa: F401
    SHANGHAI,
    UNRESOLVED_OBJECTION,
    Objection,
    ObjectionStatus,
    Publicity,
    Recommendation,
    RecommendationSource,
    RecommendationStatus,
)
from .queue import (  # noqa: F401
    SavedQueueFilter,
)
from .reminders import (  # noqa: F401
    Reminder,
    ReminderKind,
)
from .schedules import (  # noqa: F401
    ScheduleEntry,
)
from .scoring import (  # noqa: F401
    CutoffDecision,
    ItemScore,
    RankingEntry,
    RankingSnapshot,
    Scoresheet,
)
