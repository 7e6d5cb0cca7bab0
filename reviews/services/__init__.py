"""Every write of the review pipeline, one module per sub-domain. Each function is keyword-only, runs in one
transaction, writes the activity log and queues its tasks on commit. transitions.apply_transition is the only
code that changes an application's status; the other modules call it. Modules inside the package import each
other directly; other apps import from this package."""

from .assignment import (  # noqa: F401
    EXPERT_FIELDS,
    AssignmentError,
    AutoAssignResult,
    assign_expert,
    auto_assign,
    declarations_for,
    declare_conflict,
    remove_assignment,
    save_expert_profile,
    save_panel,
)
from .awards import (  # noqa: F401
    assign_certificate_numbers,
    complete_award,
    record_approval,
    record_benefit,
    record_payment,
)
from .bulk import (  # noqa: F401
    BULK_ACTIONS,
    BulkOutcome,
    bulk_transition,
)
from .common import (  # noqa: F401
    ATTACHMENT_MAX_BYTES,
    ATTACHMENT_TYPES,
    DecisionError,
    check_upload,
)
from .eligibility import (  # noqa: F401
    MAX_SUPPLEMENT_WORKING_DAYS,
    record_eligibility_finding,
    request_supplement,
    rerun_eligibility,
    supplement_due_on,
)
from .exports import (  # noqa: F401
    export_retry,
    request_export,
)
from .feedback import (  # noqa: F401
    FeedbackError,
    feedback_approve,
    feedback_reopen,
    feedback_save,
    feedback_start,
)
from .meetings import (  # noqa: F401
    ItemResult,
    apply_meeting_outcomes,
    quorum_refusal,
    quorum_rule_text,
    record_decision,
    record_meeting,
    update_meeting,
    votes_outcome,
)
from .notifications import (  # noqa: F401
    public_url,
    resend_notification,
)
from .publicity import (  # noqa: F401
    add_recommendation,
    default_contact,
    default_publicity_notice,
    default_publicity_title,
    file_objection,
    investigate_objection,
    publicity_end_date,
    publish_publicity,
    remove_recommendation,
    resolve_objection,
    submit_for_approval,
)
from .queue import (  # noqa: F401
    delete_queue_filter,
    save_queue_filter,
)
from .schedules import (  # noqa: F401
    ScheduleClash,
    cancel_schedule_entry,
    save_schedule_entry,
    schedule_refusal,
)
from .scoring import (  # noqa: F401
    CutoffError,
    ScoreError,
    apply_cutoff,
    cutoff_plan,
    cutoff_split,
    incomplete_notice,
    incomplete_refusal,
    points,
    reopen_scoresheet,
    save_scores,
    set_stage_aggregation,
    scoresheet_for,
)
from .transitions import (  # noqa: F401
    StateMovedOn,
    TransitionError,
    apply_transition,
    moved_on_message,
)
from .reminders import (  # noqa: F401
    SweepResult,
    due_reminders,
    reminder_language,
    send_due_reminders,
)
