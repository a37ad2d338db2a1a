//! The company email as the composer, the incident page, the message page and the
//! admin's lists and outbox show it.

use super::{customers::CustomerCounts, Stamp};
use crate::domain::{EmailDraft, MailStatus, TeamRole, WordingHint};
use serde::{Deserialize, Serialize};

/// Someone on the issue team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub role: TeamRole,
    pub user_id: i64,
    pub name: String,
}

pub use super::Person;

/// An incident's issue team and who could join it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueTeam {
    pub members: Vec<TeamMember>,
    pub people: Vec<Person>,
}

impl IssueTeam {
    pub fn names(&self, role: TeamRole) -> Vec<String> {
        self.members
            .iter()
            .filter(|m| m.role == role)
            .map(|m| m.name.clone())
            .collect()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistributionList {
    pub id: i64,
    pub name: String,
    pub addresses: Vec<String>,
    pub is_default: bool,
}

/// Everything the composer starts from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Composer {
    pub number: i64,
    pub title: String,
    /// The template's opening sentence, filled from the incident.
    pub opening: String,
    pub team: IssueTeam,
    pub customers: CustomerCounts,
    /// The affected-customers table, as the email links it.
    pub customers_url: String,
    pub draft: EmailDraft,
    /// The saved draft's version (0: nothing saved yet); a save names the one it edits.
    pub version: i64,
    /// Who saved the draft last, and when.
    pub saved_by: Option<String>,
    pub saved: Option<Stamp>,
    pub lists: Vec<DistributionList>,
    /// The thread's latest message, when this is an update on it.
    pub replying_to: Option<EmailSummary>,
    /// Mail goes to the local outbox (no SMTP server configured), not to anyone.
    pub outbox_only: bool,
}

/// The message as it will arrive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preview {
    /// Header name and value, in the order a mail client shows them.
    pub headers: Vec<(String, String)>,
    pub html: String,
    pub text: String,
    /// The attachment's file name, when the table goes along.
    pub attachment: Option<String>,
    pub hints: Vec<WordingHint>,
}

/// What a save of the draft answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    pub version: i64,
    pub at: Stamp,
}

/// One message of an incident's thread, as lists show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailSummary {
    pub id: i64,
    /// None: mail about no one incident (a corrective-action reminder).
    pub incident: Option<i64>,
    pub subject: String,
    pub status: MailStatus,
    pub last_error: Option<String>,
    pub author: String,
    pub recipients: usize,
    pub lists: String,
    pub queued: Stamp,
    pub sent: Option<Stamp>,
    /// The start of its text, for the status view.
    pub excerpt: String,
}

/// One stored message, whole.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailMessage {
    pub summary: EmailSummary,
    pub message_id: String,
    pub references: Vec<String>,
    pub from: String,
    pub to: Vec<String>,
    pub html: String,
    pub text: String,
    pub attempts: i32,
    pub hints: i32,
    /// Whether the viewer may press "Retry now".
    pub retryable: bool,
}
