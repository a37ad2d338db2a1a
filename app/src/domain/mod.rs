//! Types and rules shared by the browser, the server and the database. No I/O.

mod access;
mod alert;
mod automation;
mod customer;
mod email;
mod error;
mod incident;
pub mod insights;
pub mod postmortem;
mod role;
mod timeline;
mod user;

pub use access::{Access, AuditAction, Refusal, SignInPolicy};
pub use alert::{
    classify, optional_service, AlertState, Delivery, IncomingAlert, Known, NewSource, Outcome,
    Signature, SigningSecret, SourceDraft, SourceKind, SourceName, MAX_ALERTS_PER_DELIVERY,
    MAX_ALERT_TITLE_LEN, MAX_ALERT_URL_LEN, MAX_DEDUP_KEY_LEN, MAX_DELIVERY_BYTES,
};
pub use automation::{
    delivery_retry_secs, DeliveryStatus, EndpointDraft, NewEndpoint, NewToken, TokenDraft,
    WebhookEvent, MAX_DELIVERY_ATTEMPTS, MAX_TOKEN_NAME_LEN, TOKEN_PREFIX,
};
pub use customer::{
    plan_import, write_sheet, Customer, CustomerField, CustomerKey, ImportPlan, RowProblem,
    MAX_ID_LEN, MAX_IMPORT_ROWS, MAX_NOTE_LEN, MAX_ORG_NAME_LEN,
};
pub use email::{
    default_subject, opening, parse_addresses, plain_text, reply_subject, retry_delay_secs,
    wording_hints, EmailDraft, HintKind, MailStatus, NewList, Question, TeamRole, WordingHint,
    DEFAULT_NEXT_STEPS, MAX_ANSWER_LEN, MAX_LIST_NAME_LEN, MAX_RECIPIENTS, MAX_SUBJECT_LEN,
    PLAIN_EXAMPLE,
};
pub use error::{refuse_nul, AppError, FieldError};
pub use incident::{
    duration_words, search_words, IncidentDraft, NewIncident, ServiceName, Severity, Status, Title,
    MAX_SERVICES, MAX_SERVICE_NAME_LEN, MAX_SUMMARY_LEN, MAX_TITLE_LEN,
};
pub use postmortem::{
    actions::{
        action_line, traceability, ActionDraft, ActionDue, ActionStatus, Checked, NewAction, Trace,
    },
    calendar::{due_words, BusinessDays, Urgency},
    hints::{blameless_hints, BlameHint, BlameRule},
    PostmortemStatus, Section, PREAMBLE,
};
pub use role::{Permission, Role};
pub use timeline::{Channel, EventKind, MessageBody, MAX_MESSAGE_LEN};
pub use user::{parse_email, parse_name, DevLogin, MAX_EMAIL_LEN, MAX_NAME_LEN};
