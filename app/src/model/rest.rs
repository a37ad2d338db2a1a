//! The REST API's resources and requests (`/api/v1`): what automation reads and sends,
//! with raw UTC timestamps (not the pages' formatted stamps) and an OpenAPI schema each.
//! Server-only: the browser never reads them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Every error: `{"error": {"code", "message", "field"}}`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// invalid, unauthorized, forbidden, not_found, conflict, rate_limited, unavailable,
    /// internal.
    pub code: String,
    pub message: String,
    /// The first field the message is about (422 only).
    pub field: Option<String>,
    /// Every field with its problem (422 only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldProblem>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

/// A page of a long list, newest first (alerts, incidents) or oldest first (a
/// timeline): pass `next_cursor` as `cursor` for the next page; null at the end.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// The paging of every list.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// Rows per page, 1–200 (default 50).
    pub limit: Option<u64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Incident {
    pub number: i64,
    pub title: String,
    pub summary: String,
    /// SEV1 (critical) … SEV4.
    #[schema(example = "SEV2")]
    pub severity: String,
    /// investigating, identified, monitoring or resolved.
    #[schema(example = "investigating")]
    pub status: String,
    pub services: Vec<String>,
    pub leader: Option<Person>,
    pub started_at: DateTime<Utc>,
    pub detected_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    /// The incident's page.
    pub url: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Person {
    pub id: i64,
    pub name: String,
}

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IncidentFilter {
    /// investigating, identified, monitoring or resolved.
    pub status: Option<String>,
    /// SEV1 … SEV4.
    pub severity: Option<String>,
    /// A service name.
    pub service: Option<String>,
    /// Only incidents changed at or after this instant (RFC 3339).
    pub updated_since: Option<String>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// Rows per page, 1–200 (default 50).
    pub limit: Option<u64>,
}

/// Declares an incident, as the form does.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct DeclareIncident {
    pub title: String,
    #[serde(default)]
    pub summary: String,
    /// SEV1 … SEV4.
    pub severity: String,
    /// Service names (created on first mention).
    #[serde(default)]
    pub services: Vec<String>,
    /// When the problem started (RFC 3339); now when left out.
    pub started_at: Option<DateTime<Utc>>,
}

/// Changes an incident: any of status, severity and leader, each recorded on the
/// timeline.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct ChangeIncident {
    pub status: Option<String>,
    pub severity: Option<String>,
    /// A user's id.
    pub leader_id: Option<i64>,
}

/// The issue team: Engineering, Product Management and Product Marketing.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Team {
    pub engineering: Vec<Person>,
    pub product_management: Vec<Person>,
    pub product_marketing: Vec<Person>,
}

/// Sets who is on one part of the issue team.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct SetTeam {
    /// engineering, product_management or product_marketing.
    pub role: String,
    /// Users' ids (empty: nobody).
    pub people: Vec<i64>,
}

/// One line of an incident's record.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Line {
    pub id: i64,
    /// declared, status_changed, message, hypothesis, email_sent, …
    #[schema(example = "message")]
    pub kind: String,
    /// None for Stormwatch itself (alerts).
    pub author: Option<String>,
    /// As written (Markdown for posts).
    pub body: String,
    /// Posts only: the Markdown rendered and sanitised.
    pub html: Option<String>,
    pub at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    /// The post this one answers.
    pub parent: Option<i64>,
}

/// A message for the incident channel, or its new wording.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct MessageText {
    /// Markdown, sanitised as the channel's.
    pub body: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Alert {
    pub id: i64,
    pub source: String,
    pub dedup_key: String,
    pub title: String,
    pub service: String,
    /// firing or resolved.
    pub state: String,
    pub occurrences: i64,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub incident: Option<i64>,
    pub url: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertFilter {
    /// firing or resolved.
    pub state: Option<String>,
    /// An incident number.
    pub incident: Option<i64>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// Rows per page, 1–200 (default 50).
    pub limit: Option<u64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Customer {
    pub id: i64,
    pub org_name: String,
    pub org_id: String,
    pub app_id: String,
    pub campaign_id: String,
    pub note: String,
    pub added_at: DateTime<Utc>,
}

/// Rows for the affected-customers table: all are added, or none.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct CustomerRows {
    pub rows: Vec<CustomerInput>,
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct CustomerInput {
    pub org_name: String,
    #[serde(default)]
    pub org_id: String,
    #[serde(default)]
    pub app_id: String,
    #[serde(default)]
    pub campaign_id: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CustomersAdded {
    pub added: u64,
    /// Rows already in the table (same org, app and campaign), by their 1-based number.
    pub already_there: Vec<usize>,
}

/// A company email about an incident.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Email {
    pub id: i64,
    pub incident: Option<i64>,
    pub subject: String,
    /// queued, sent or failed.
    #[schema(example = "sent")]
    pub status: String,
    pub author: Option<String>,
    /// How many addresses it went to.
    pub recipients: usize,
    pub queued_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// The plain-text body (the whole message, `GET /emails/{id}` only).
    pub text: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Postmortem {
    pub incident: i64,
    /// draft, in_review or published.
    #[schema(example = "published")]
    pub status: String,
    pub published_at: Option<DateTime<Utc>>,
    /// The whole document in the seed's layout.
    pub markdown: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Action {
    pub id: i64,
    pub incident: i64,
    pub title: String,
    pub assignee: Person,
    pub due_on: NaiveDate,
    /// open, in_progress, done or wont_do.
    #[schema(example = "open")]
    pub status: String,
    pub ticket_url: Option<String>,
    pub reason: Option<String>,
    /// Name it when changing the action: a change to an older version is a 409.
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActionFilter {
    /// open, in_progress, done, wont_do; every status when left out.
    pub status: Option<String>,
    /// An incident number.
    pub incident: Option<i64>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// Rows per page, 1–200 (default 50).
    pub limit: Option<u64>,
}

/// A corrective action: an assignee and a date are required.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct NewAction {
    pub title: String,
    /// A user's id.
    pub assignee_id: i64,
    /// YYYY-MM-DD.
    pub due_on: String,
    #[serde(default)]
    pub ticket_url: String,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct ChangeActionStatus {
    /// open, in_progress, done or wont_do.
    pub status: String,
    /// The version read.
    pub version: i32,
    /// Why it won't be done (wont_do only).
    #[serde(default)]
    pub reason: String,
}

/// Who a token acts as.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub name: String,
    /// responder or viewer.
    #[schema(example = "responder")]
    pub role: String,
}
