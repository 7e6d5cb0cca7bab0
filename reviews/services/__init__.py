"""Every write of the review pipeline, one module per sub-domain. Each function is keyword-only, runs in one
transaction, writes the activity log and queues its tasks on commit. transitions.apply_transition is the only
code that changes an application's status; the other modules call it. Modules inside the package import each
other directly; other apps import from this package."""

from .transitions import (  # noqa: F401
    TransitionError,
    apply_transition,
)
from .bulk import (  # noqa: F401
    BulkOutcome,
    BULK_ACTIONS,
    bulk_transition,
)
from .common import (  # noqa: F401
    DecisionError,
    ATTACHMENT_TYPES,
    ATTACHMENT_MAX_BYTES,
    check_upload,
)
from .eligibility import (  # noqa: F401
    record_eligibility_finding,
    rerun_eligibility,
    MAX_SUPPLEMENT_WORKING_DAYS,
    supplement_due_on,
    request_supplement,
)
from .assignment import (  # noqa: F401
    EXPERT_FIELDS,
    save_expert_profile,
    save_panel,
    AssignmentError,
    declarations_for,
    assign_expert,
    remove_assignment,
    AutoAssignResult,
    auto_assign,
    declare_conflict,
)
from .scoring import (  # noqa: F401
    points,
    ScoreError,
    scoresheet_for,
    save_scores,
    reopen_scoresheet,
    CutoffError,
    cutoff_plan,
    apply_cutoff,
)
from .schedules import (  # noqa: F401
    ScheduleClash,
    save_schedule_entry,
    cancel_schedule_entry,
)
from .meetings import (  # noqa: F401
    quorum_rule_text,
    quorum_refusal,
    record_meeting,
    update_meeting,
    votes_outcome,
    record_decision,
    ItemResult,
    apply_meeting_outcomes,
)
from .publicity import (  # noqa: F401
    add_recommendation,
    remove_recommendation,
    publicity_end_date,
    default_publicity_title,
    default_publicity_notice,
    publish_publicity,
    default_contact,
    submit_for_approval,
    file_objection,
    investigate_objection,
    resolve_objection,
)
from .awards import (  # noqa: F401
    record_approval,
    record_payment,
    record_benefit,
    complete_award,
)
from .notifications import (  # noqa: F401
    resend_notification,
    public_url,
)
