//! The company email (the seed's step 3): its template, word for word, what a draft
//! must hold before it is sent, distribution lists, and the wording hints that point
//! out what a general audience will not follow. Shared by the composer in the browser
//! and the server that sends it.

use super::{parse_email, AppError, FieldError};
use chrono::{DateTime, TimeZone};
use serde::{Deserialize, Serialize};
use std::fmt::Display;

pub const MAX_SUBJECT_LEN: usize = 200;
/// The longest answer to one of the template's questions, in characters.
pub const MAX_ANSWER_LEN: usize = 10_000;
/// The most addresses one message (or one list) goes to.
pub const MAX_RECIPIENTS: usize = 500;
pub const MAX_LIST_NAME_LEN: usize = 100;

/// The seed's "Next steps", the default of every first email.
pub const DEFAULT_NEXT_STEPS: &str =
    "Product Marketing will follow up on this email thread with customer-facing messaging.";
/// The seed's example of a cause told in terms a general audience understands.
pub const PLAIN_EXAMPLE: &str = "Database went down due to a bad query.";

/// The issue team's three roles, as the template lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "Text"))]
pub enum TeamRole {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "engineering"))]
    Engineering,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "product_management"))]
    ProductManagement,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "product_marketing"))]
    ProductMarketing,
}

impl TeamRole {
    pub const ALL: [TeamRole; 3] = [
        TeamRole::Engineering,
        TeamRole::ProductManagement,
        TeamRole::ProductMarketing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TeamRole::Engineering => "engineering",
            TeamRole::ProductManagement => "product_management",
            TeamRole::ProductMarketing => "product_marketing",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TeamRole::Engineering => "Engineering",
            TeamRole::ProductManagement => "Product Management",
            TeamRole::ProductMarketing => "Product Marketing",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, AppError> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == raw.trim())
            .ok_or_else(|| {
                AppError::invalid(
                    "role",
                    "Pick Engineering, Product Management or Product Marketing.",
                )
            })
    }
}

/// The template's five questions, in its order, with its guidance as each one's hint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Question {
    Cause,
    Impact,
    Customers,
    CurrentStatus,
    NextSteps,
}

impl Question {
    pub const ALL: [Question; 5] = [
        Question::Cause,
        Question::Impact,
        Question::Customers,
        Question::CurrentStatus,
        Question::NextSteps,
    ];

    /// The form field (and the name a refusal gives).
    pub fn field(self) -> &'static str {
        match self {
            Question::Cause => "cause",
            Question::Impact => "impact",
            Question::Customers => "customers",
            Question::CurrentStatus => "current_status",
            Question::NextSteps => "next_steps",
        }
    }

    pub fn heading(self) -> &'static str {
        match self {
            Question::Cause => "What is the issue and what caused it?",
            Question::Impact => "What is the impact to customers?",
            Question::Customers => "Which customers were affected?",
            Question::CurrentStatus => "What is the current status of the issue?",
            Question::NextSteps => "Next steps",
        }
    }

    pub fn hint(self) -> &'static str {
        match self {
            Question::Cause => "State what happened and why, in terms a general, non-technical audience can understand. Example: Database went down due to a bad query.",
            Question::Impact => "State the specific services that were impacted. Example: Push campaigns failed, attributions were not attributed, etc.",
            Question::Customers => "A link to the incident's affected-customers table (org name, org_id, app_id and campaign_id where applicable), with its counts.",
            Question::CurrentStatus => "If the issue is resolved, state the fix and when it was deployed. If the issue is unresolved, give an approximate timeline for the fix.",
            Question::NextSteps => "Who follows up, and how.",
        }
    }
}

/// What the composer holds: every field of the template as typed, and who it goes to.
/// Saved as a draft as it is; checked by [`EmailDraft::check`] before it is sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailDraft {
    pub subject: String,
    pub cause: String,
    pub impact: String,
    pub customers: String,
    pub current_status: String,
    pub next_steps: String,
    /// Distribution lists picked, by id.
    #[serde(default)]
    pub lists: Vec<i64>,
    /// Addresses added by hand: separated by commas, semicolons, spaces or lines.
    #[serde(default)]
    pub extra: String,
    /// Attach the affected-customers table as CSV.
    #[serde(default)]
    pub attach_csv: bool,
}

impl EmailDraft {
    pub fn answer(&self, question: Question) -> &str {
        match question {
            Question::Cause => &self.cause,
            Question::Impact => &self.impact,
            Question::Customers => &self.customers,
            Question::CurrentStatus => &self.current_status,
            Question::NextSteps => &self.next_steps,
        }
    }

    pub fn answer_mut(&mut self, question: Question) -> &mut String {
        match question {
            Question::Cause => &mut self.cause,
            Question::Impact => &mut self.impact,
            Question::Customers => &mut self.customers,
            Question::CurrentStatus => &mut self.current_status,
            Question::NextSteps => &mut self.next_steps,
        }
    }

    /// Whether a draft can be stored at all: sizes only (a draft may be incomplete).
    pub fn check_sizes(&self) -> Result<(), AppError> {
        let mut errors = Vec::new();
        if self.subject.chars().count() > MAX_SUBJECT_LEN {
            errors.push(FieldError::new(
                "subject",
                format!("Keep the subject under {MAX_SUBJECT_LEN} characters."),
            ));
        }
        for question in Question::ALL {
            if self.answer(question).chars().count() > MAX_ANSWER_LEN {
                errors.push(FieldError::new(
                    question.field(),
                    format!("Keep this answer under {MAX_ANSWER_LEN} characters."),
                ));
            }
        }
        if self.extra.chars().count() > MAX_RECIPIENTS * 80 {
            errors.push(FieldError::new("extra", "That is too many addresses."));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(errors))
        }
    }

    /// What must hold before the message goes out: a subject on one line, every answer
    /// within its limit, and at least one valid recipient (from the lists' addresses
    /// the server looked up, and the extra ones). Returns the recipients, deduplicated.
    pub fn check(&self, list_addresses: &[String]) -> Result<Vec<String>, AppError> {
        let mut errors = match self.check_sizes() {
            Ok(()) => Vec::new(),
            Err(AppError::Validation(errors)) => errors,
            Err(other) => return Err(other),
        };
        let subject = self.subject.trim();
        if subject.is_empty() {
            errors.push(FieldError::new("subject", "Give the email a subject."));
        } else if subject.contains(['\r', '\n']) {
            errors.push(FieldError::new("subject", "Keep the subject on one line."));
        }
        if self.cause.trim().is_empty() {
            errors.push(FieldError::new(
                "cause",
                "Say what happened and why, for a general audience.",
            ));
        }
        let mut recipients: Vec<String> = Vec::new();
        match parse_addresses(&self.extra) {
            Ok(extra) => recipients.extend(extra),
            Err(message) => errors.push(FieldError::new("extra", message)),
        }
        for address in list_addresses {
            if !recipients.contains(address) {
                recipients.push(address.clone());
            }
        }
        if recipients.is_empty() && errors.iter().all(|e| e.field != "extra") {
            errors.push(FieldError::new(
                "recipients",
                "Pick a distribution list or add an address.",
            ));
        } else if recipients.len() > MAX_RECIPIENTS {
            errors.push(FieldError::new(
                "recipients",
                format!("Send to at most {MAX_RECIPIENTS} addresses."),
            ));
        }
        if errors.is_empty() {
            Ok(recipients)
        } else {
            Err(AppError::Validation(errors))
        }
    }
}

/// Addresses typed in one field, separated by commas, semicolons, spaces or lines,
/// lower-cased and deduplicated; the error names every one that is not an address.
pub fn parse_addresses(raw: &str) -> Result<Vec<String>, String> {
    let mut good: Vec<String> = Vec::new();
    let mut bad: Vec<String> = Vec::new();
    for word in raw
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|w| !w.is_empty())
    {
        match parse_email(word) {
            Ok(address) if !good.contains(&address) => good.push(address),
            Ok(_) => {}
            Err(_) => bad.push(format!("\"{word}\"")),
        }
    }
    match bad.as_slice() {
        [] => Ok(good),
        [one] => Err(format!(
            "{one} is not an email address like ada@example.com."
        )),
        many => Err(format!(
            "{} are not email addresses like ada@example.com.",
            many.join(", ")
        )),
    }
}

/// A distribution list as an admin types it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewList {
    pub name: String,
    pub addresses: Vec<String>,
    pub is_default: bool,
}

impl NewList {
    pub fn parse(name: &str, addresses: &str, is_default: bool) -> Result<Self, AppError> {
        let mut errors = Vec::new();
        let name = name.trim();
        if name.is_empty() {
            errors.push(FieldError::new(
                "name",
                "Name the list, like \"Company: exec, product, marketing\".",
            ));
        } else if name.chars().count() > MAX_LIST_NAME_LEN {
            errors.push(FieldError::new(
                "name",
                format!("Keep the name under {MAX_LIST_NAME_LEN} characters."),
            ));
        }
        let parsed = match parse_addresses(addresses) {
            Ok(list) if list.is_empty() => {
                errors.push(FieldError::new("addresses", "Add at least one address."));
                vec![]
            }
            Ok(list) if list.len() > MAX_RECIPIENTS => {
                errors.push(FieldError::new(
                    "addresses",
                    format!("A list holds at most {MAX_RECIPIENTS} addresses."),
                ));
                vec![]
            }
            Ok(list) => list,
            Err(message) => {
                errors.push(FieldError::new("addresses", message));
                vec![]
            }
        };
        if errors.is_empty() {
            Ok(Self {
                name: name.to_string(),
                addresses: parsed,
                is_default,
            })
        } else {
            Err(AppError::Validation(errors))
        }
    }
}

/// A thread's first subject, "Issue name, date and time": the incident's title and its
/// start in the organisation's time zone.
pub fn default_subject<Z: TimeZone>(title: &str, started: &DateTime<Z>) -> String
where
    Z::Offset: Display,
{
    format!("{}, {}", title.trim(), started.format("%Y-%m-%d %H:%M %Z"))
}

/// A follow-up's subject: "Re: <the thread's subject>", never "Re: Re: …".
pub fn reply_subject(subject: &str) -> String {
    let bare = subject.trim();
    if bare.len() >= 4 && bare[..4].eq_ignore_ascii_case("re: ") {
        bare.to_string()
    } else {
        format!("Re: {bare}")
    }
}

/// The template's opening sentence, filled from the incident: "We experienced a
/// production issue impacting [Service Name]. The issue began at [Time] on [Date] and
/// ended on [Date]." — "and is ongoing." while it is not resolved.
pub fn opening<Z: TimeZone>(
    services: &[String],
    began: &DateTime<Z>,
    ended: Option<&DateTime<Z>>,
) -> String
where
    Z::Offset: Display,
{
    let services = match services {
        [] => "our service".to_string(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    };
    let end = match ended {
        Some(ended) => format!("ended on {}", ended.format("%Y-%m-%d")),
        None => "is ongoing".to_string(),
    };
    format!(
        "We experienced a production issue impacting {services}. The issue began at {} on {} and {end}.",
        began.format("%H:%M %Z"),
        began.format("%Y-%m-%d"),
    )
}

/// The plain-text part: the template with every field filled in, word for word.
pub fn plain_text(opening: &str, team: &[(TeamRole, Vec<String>)], draft: &EmailDraft) -> String {
    let mut text = format!("Hi everyone,\n\n{opening}\n\nIssue team:\n\n");
    for role in TeamRole::ALL {
        let names = team
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, names)| names.as_slice())
            .unwrap_or_default();
        let names = if names.is_empty() {
            "nobody named yet".to_string()
        } else {
            names
                .iter()
                .map(|n| format!("@{n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        text.push_str(&format!("  • {}: {names}\n", role.label()));
    }
    for question in Question::ALL {
        let answer = draft.answer(question).trim();
        let answer = if answer.is_empty() { "—" } else { answer };
        text.push_str(&format!("\n{}\n{answer}\n", question.heading()));
    }
    text
}

/// Where a wording hint points: something a general audience will not follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum HintKind {
    StackTrace,
    Sql,
    Host,
    IpAddress,
    ErrorCode,
    Identifier,
    FilePath,
}

impl HintKind {
    pub fn label(self) -> &'static str {
        match self {
            HintKind::StackTrace => "a stack trace",
            HintKind::Sql => "SQL",
            HintKind::Host => "a host name",
            HintKind::IpAddress => "an IP address",
            HintKind::ErrorCode => "an error code",
            HintKind::Identifier => "a code identifier",
            HintKind::FilePath => "a file path",
        }
    }
}

/// One passage of the cause a general audience will not follow, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordingHint {
    pub kind: HintKind,
    /// The words as written (shortened when long).
    pub found: String,
}

impl WordingHint {
    pub fn advice(&self) -> String {
        format!(
            "\"{}\" is {} — readers outside engineering will not follow it. Say what failed in everyday words, like \"{PLAIN_EXAMPLE}\"",
            self.found,
            self.kind.label()
        )
    }
}

/// Names that look like code identifiers but are products people know.
const KNOWN_NAMES: [&str; 14] = [
    "pagerduty",
    "cloudwatch",
    "newrelic",
    "github",
    "gitlab",
    "postgresql",
    "mysql",
    "javascript",
    "iphone",
    "ios",
    "macos",
    "youtube",
    "linkedin",
    "stormwatch",
];

/// Wording in `text` (the answer to "What is the issue and what caused it?") that a
/// general, non-technical audience will not follow: stack traces, SQL, host names and
/// IP addresses, error codes, identifiers in `snake_case` or `CamelCase`, file paths.
/// Each passage is named once.
pub fn wording_hints(text: &str) -> Vec<WordingHint> {
    let mut hints: Vec<WordingHint> = Vec::new();
    let mut push = |kind: HintKind, found: &str| {
        let found = shorten(found.trim());
        if !hints.iter().any(|h| h.kind == kind && h.found == found) {
            hints.push(WordingHint { kind, found });
        }
    };
    let mut in_trace = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if is_trace_line(trimmed) {
            if !in_trace {
                push(HintKind::StackTrace, trimmed);
            }
            in_trace = true;
            continue;
        }
        in_trace = false;
        if let Some(sql) = sql_in(trimmed) {
            push(HintKind::Sql, sql);
            continue;
        }
        let words: Vec<&str> = trimmed.split_whitespace().collect();
        for (i, raw) in words.iter().enumerate() {
            let word = raw.trim_matches(|c: char| {
                matches!(
                    c,
                    ',' | '.' | ';' | ':' | '!' | '?' | '"' | '\'' | '`' | '[' | ']' | '{' | '}'
                ) || (c == '(' || c == ')') && !raw.contains("()")
            });
            let word = word.trim_start_matches('(');
            if word.is_empty() || word.contains("://") {
                continue;
            }
            let previous = i.checked_sub(1).map(|p| words[p].to_ascii_lowercase());
            if let Some(kind) = classify_word(word, previous.as_deref()) {
                push(kind, word);
            }
        }
    }
    hints
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(59).collect::<String>())
    } else {
        s.to_string()
    }
}

fn is_trace_line(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    lower.starts_with("traceback (most recent call last)")
        || lower.contains("panicked at")
        || lower.starts_with("exception in thread")
        || (lower.starts_with("at ") && line.contains('(') && line.ends_with(')'))
        || (lower.starts_with("file \"") && lower.contains("\", line "))
}

fn sql_in(line: &str) -> Option<&str> {
    let lower = line.to_ascii_lowercase();
    let starts = [
        "select ",
        "insert into ",
        "update ",
        "delete from ",
        "drop table",
        "alter table",
        "create index",
        "create table",
        "truncate ",
    ];
    for start in starts {
        let mut from = 0;
        while let Some(at) = lower[from..].find(start) {
            let at = from + at;
            let rest = &lower[at..];
            let looks_like_sql = match start {
                // "select an option from the menu" is English; SQL selects columns.
                "select " => {
                    rest.contains(" from ")
                        && (line[at..].starts_with("SELECT")
                            || rest.starts_with("select *")
                            || rest.contains(" where "))
                }
                "update " => rest.contains(" set ") && rest.contains('='),
                "truncate " => rest.starts_with("truncate table"),
                _ => true,
            };
            let starts_word = at == 0 || !lower.as_bytes()[at - 1].is_ascii_alphanumeric();
            if looks_like_sql && starts_word {
                return Some(&line[at..]);
            }
            from = at + start.len();
        }
    }
    None
}

fn classify_word(word: &str, previous: Option<&str>) -> Option<HintKind> {
    if is_ip(word) {
        return Some(HintKind::IpAddress);
    }
    if is_path(word) {
        return Some(HintKind::FilePath);
    }
    if is_host(word) {
        return Some(HintKind::Host);
    }
    if is_error_code(word, previous) {
        return Some(HintKind::ErrorCode);
    }
    if is_identifier(word) {
        return Some(HintKind::Identifier);
    }
    None
}

fn is_ip(word: &str) -> bool {
    let host = word.rsplit_once(':').map_or(word, |(h, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            word
        }
    });
    let parts: Vec<&str> = host.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.parse::<u16>().is_ok_and(|n| n <= 255))
}

const EXTENSIONS: [&str; 16] = [
    "rs", "py", "js", "ts", "java", "go", "rb", "php", "log", "conf", "yml", "yaml", "json", "sql",
    "sh", "toml",
];

fn is_path(word: &str) -> bool {
    let rooted = (word.starts_with('/') || word.starts_with("~/") || word.starts_with("./"))
        && word[1..].contains('/')
        && word.len() > 3;
    let windows = word.len() > 3 && word.as_bytes()[1] == b':' && word[2..].starts_with('\\');
    let with_extension = word.contains('/')
        && word
            .rsplit_once('.')
            .is_some_and(|(_, ext)| EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()));
    rooted || windows || with_extension
}

const INFRA_SUFFIXES: [&str; 8] = [
    "internal", "local", "lan", "corp", "prod", "svc", "cluster", "intra",
];

fn is_host(word: &str) -> bool {
    let labels: Vec<&str> = word.split('.').collect();
    if labels.len() < 2
        || labels
            .iter()
            .any(|l| l.is_empty() || !l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    {
        return false;
    }
    let last = labels[labels.len() - 1].to_ascii_lowercase();
    if last.len() < 2 || !last.chars().all(|c| c.is_ascii_alphabetic()) {
        return false;
    }
    let technical_label = labels[..labels.len() - 1]
        .iter()
        .any(|l| l.chars().any(|c| c.is_ascii_digit() || c == '-'));
    labels.len() >= 3 || technical_label || INFRA_SUFFIXES.contains(&last.as_str())
}

fn is_error_code(word: &str, previous: Option<&str>) -> bool {
    let bytes = word.as_bytes();
    let http_status = bytes.len() == 3
        && word.parse::<u16>().is_ok_and(|n| (400..600).contains(&n))
        && previous.is_some_and(|p| {
            [
                "http",
                "error",
                "status",
                "code",
                "returned",
                "returning",
                "a",
                "with",
            ]
            .contains(&p.trim_matches(|c: char| !c.is_ascii_alphanumeric()))
        });
    let hex = word.len() > 3 && (word.starts_with("0x") || word.starts_with("0X"));
    // ORA-00942, E1234, ERR_CONNECTION_RESET, ECONNREFUSED
    let letters = word.chars().take_while(|c| c.is_ascii_uppercase()).count();
    let rest = &word[letters..];
    let coded = letters >= 1
        && rest.trim_start_matches(['-', '_']).len() >= 2
        && rest
            .trim_start_matches(['-', '_'])
            .chars()
            .all(|c| c.is_ascii_digit());
    let shouted = word.len() >= 6
        && word.starts_with('E')
        && word.chars().all(|c| c.is_ascii_uppercase() || c == '_')
        && (word.contains('_') || word.starts_with("ECONN") || word.starts_with("ETIMED"));
    http_status || hex || coded || shouted
}

fn is_identifier(word: &str) -> bool {
    if KNOWN_NAMES.contains(&word.to_ascii_lowercase().as_str()) {
        return false;
    }
    let call = word.ends_with("()") && word.len() > 2;
    let chars: Vec<char> = word.chars().collect();
    let snake = word.contains('_')
        && chars.iter().all(|c| c.is_ascii_alphanumeric() || *c == '_')
        && chars.iter().any(|c| c.is_ascii_lowercase())
        && !word.starts_with('_')
        && !word.ends_with('_');
    let camel = chars.iter().all(|c| c.is_ascii_alphanumeric())
        && chars
            .windows(2)
            .skip(1)
            .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase());
    let dotted_member = word.contains('.')
        && word.split('.').count() == 2
        && word.split('.').all(|p| !p.is_empty())
        && word
            .split('.')
            .any(|p| p.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
        && word
            .split('.')
            .any(|p| p.chars().any(|c| c.is_ascii_uppercase()));
    call || snake || camel || dotted_member
}

/// What a message's delivery stands at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "Text"))]
pub enum MailStatus {
    /// Committed, waiting for the sender.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "queued"))]
    Queued,
    /// The SMTP server accepted it.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "sent"))]
    Sent,
    /// The last attempt failed; another follows (or "Retry now").
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "failed"))]
    Failed,
    /// No SMTP server is configured: kept in the local outbox, not delivered.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "outbox"))]
    Outbox,
}

impl MailStatus {
    /// As stored (and as pages name it in CSS classes).
    pub fn as_str(self) -> &'static str {
        match self {
            MailStatus::Queued => "queued",
            MailStatus::Sent => "sent",
            MailStatus::Failed => "failed",
            MailStatus::Outbox => "outbox",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MailStatus::Queued => "queued",
            MailStatus::Sent => "sent",
            MailStatus::Failed => "failed",
            MailStatus::Outbox => "not delivered (local outbox)",
        }
    }
}

/// How long the sender waits before attempt `attempt` (1-based) after a failure:
/// 5 s, 10 s, 20 s … at most 10 minutes.
pub fn retry_delay_secs(attempt: u32) -> u64 {
    (5u64 << attempt.saturating_sub(1).min(16)).min(600)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use chrono_tz::Tz;

    fn at(tz: &str, y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Tz> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0)
            .unwrap()
            .with_timezone(&tz.parse::<Tz>().unwrap())
    }

    fn kinds(text: &str) -> Vec<HintKind> {
        wording_hints(text).into_iter().map(|h| h.kind).collect()
    }

    #[test]
    fn the_subject_is_the_title_and_the_start_in_the_organisations_time_zone() {
        let started = at("Europe/Paris", 2026, 11, 30, 13, 2);
        assert_eq!(
            default_subject("Checkout errors ", &started),
            "Checkout errors, 2026-11-30 14:02 CET"
        );
        assert_eq!(
            default_subject("Checkout errors", &at("UTC", 2026, 11, 30, 13, 2)),
            "Checkout errors, 2026-11-30 13:02 UTC"
        );
    }

    #[test]
    fn an_unresolved_incident_is_ongoing_and_a_resolved_one_ended_on_its_date() {
        let began = at("UTC", 2026, 11, 30, 23, 40);
        assert_eq!(
            opening(&["Checkout".into()], &began, None),
            "We experienced a production issue impacting Checkout. The issue began at 23:40 UTC on 2026-11-30 and is ongoing."
        );
        let ended = at("UTC", 2026, 12, 1, 1, 5);
        assert_eq!(
            opening(&["API".into(), "Checkout".into(), "Push".into()], &began, Some(&ended)),
            "We experienced a production issue impacting API, Checkout and Push. The issue began at 23:40 UTC on 2026-11-30 and ended on 2026-12-01."
        );
    }

    #[test]
    fn the_time_zone_moves_the_date_as_well_as_the_time() {
        let began = at("America/Los_Angeles", 2026, 12, 1, 2, 30);
        assert_eq!(
            opening(&["Push".into()], &began, None),
            "We experienced a production issue impacting Push. The issue began at 18:30 PST on 2026-11-30 and is ongoing."
        );
    }

    #[test]
    fn a_reply_subject_gets_one_re_prefix() {
        assert_eq!(
            reply_subject("Outage, 2026-11-30"),
            "Re: Outage, 2026-11-30"
        );
        assert_eq!(reply_subject("Re: Outage"), "Re: Outage");
    }

    #[test]
    fn the_plain_text_carries_every_template_field_in_order() {
        let draft = EmailDraft {
            subject: "s".into(),
            cause: "Database went down due to a bad query.".into(),
            impact: "Push campaigns failed.".into(),
            customers: "38 orgs, 52 apps".into(),
            current_status: "Fixed at 15:00.".into(),
            next_steps: DEFAULT_NEXT_STEPS.into(),
            ..Default::default()
        };
        let team = vec![(TeamRole::Engineering, vec!["ada".into(), "bob".into()])];
        let text = plain_text("We experienced…", &team, &draft);
        assert!(text.starts_with("Hi everyone,\n\nWe experienced…\n\nIssue team:"));
        assert!(text.contains("  • Engineering: @ada, @bob\n"));
        assert!(text.contains("  • Product Marketing: nobody named yet\n"));
        let mut last = 0;
        for q in Question::ALL {
            let found = text.find(q.heading()).unwrap();
            assert!(found > last, "{} out of order", q.heading());
            last = found;
            assert!(text.contains(draft.answer(q)));
        }
    }

    #[test]
    fn a_draft_without_subject_or_recipients_is_refused_naming_both() {
        let err = EmailDraft {
            cause: "x".into(),
            ..Default::default()
        }
        .check(&[])
        .unwrap_err();
        assert!(err.field("subject").is_some());
        assert!(err.field("recipients").is_some());
    }

    #[test]
    fn a_malformed_address_is_named_next_to_its_field() {
        let err = EmailDraft {
            subject: "s".into(),
            cause: "x".into(),
            extra: "ok@example.com, bob@, carol".into(),
            ..Default::default()
        }
        .check(&[])
        .unwrap_err();
        assert_eq!(
            err.field("extra").unwrap(),
            "\"bob@\", \"carol\" are not email addresses like ada@example.com."
        );
    }

    #[test]
    fn a_subject_on_two_lines_is_refused() {
        let draft = EmailDraft {
            subject: "a\r\nBcc: x@example.com".into(),
            cause: "x".into(),
            ..Default::default()
        };
        assert!(draft
            .check(&["a@example.com".into()])
            .unwrap_err()
            .field("subject")
            .is_some());
    }

    #[test]
    fn recipients_from_lists_and_by_hand_are_merged_once() {
        let draft = EmailDraft {
            subject: "s".into(),
            cause: "x".into(),
            extra: "Ada@Example.com; new@example.com".into(),
            ..Default::default()
        };
        assert_eq!(
            draft.check(&["ada@example.com".into()]).unwrap(),
            vec!["ada@example.com".to_string(), "new@example.com".into()]
        );
    }

    #[test]
    fn an_answer_over_its_limit_is_refused_naming_it() {
        let draft = EmailDraft {
            subject: "s".into(),
            cause: "x".into(),
            impact: "y".repeat(MAX_ANSWER_LEN + 1),
            ..Default::default()
        };
        assert!(draft
            .check(&["a@example.com".into()])
            .unwrap_err()
            .field("impact")
            .is_some());
    }

    #[test]
    fn the_seeds_example_raises_no_hint() {
        assert!(wording_hints(PLAIN_EXAMPLE).is_empty());
        assert!(wording_hints(
            "Push campaigns failed for two hours because a database was overloaded. 500 customers saw errors; see https://status.example.com/x_y."
        )
        .is_empty());
    }

    #[test]
    fn a_stack_trace_is_pointed_out_once() {
        let text = "It crashed:\nException in thread \"main\" java.lang.NullPointerException\n    at com.example.Foo.bar(Foo.java:10)\n    at com.example.Main.main(Main.java:3)";
        assert_eq!(kinds(text), vec![HintKind::StackTrace]);
        assert_eq!(
            kinds("thread 'main' panicked at src/main.rs:3:5"),
            vec![HintKind::StackTrace]
        );
    }

    #[test]
    fn sql_is_pointed_out() {
        assert_eq!(
            kinds("The query SELECT * FROM orders WHERE id = 3 ran for an hour"),
            vec![HintKind::Sql]
        );
        assert_eq!(kinds("someone ran delete from users"), vec![HintKind::Sql]);
        assert!(kinds("Please select an option from the menu").is_empty());
        assert!(kinds("We will update the page soon").is_empty());
    }

    #[test]
    fn host_names_and_ip_addresses_are_pointed_out() {
        assert_eq!(
            kinds("db-01.prod.example.com stopped answering 10.0.3.17:5432"),
            vec![HintKind::Host, HintKind::IpAddress]
        );
        assert_eq!(kinds("cache.internal was full"), vec![HintKind::Host]);
        assert!(kinds("Version 1.2 shipped. Prices went up by 3.5%.").is_empty());
    }

    #[test]
    fn error_codes_are_pointed_out() {
        assert_eq!(
            kinds("The API returned HTTP 503 and ORA-00942, then ECONNREFUSED and 0x80004005"),
            vec![HintKind::ErrorCode; 4]
        );
        assert!(kinds("About 503 people were affected").is_empty());
    }

    #[test]
    fn code_identifiers_and_file_paths_are_pointed_out() {
        assert_eq!(
            kinds("campaign_worker timed out in PushDispatcher reading /etc/push/config.yml"),
            vec![
                HintKind::Identifier,
                HintKind::Identifier,
                HintKind::FilePath
            ]
        );
        assert_eq!(kinds("calling retry() failed"), vec![HintKind::Identifier]);
        assert!(kinds("PagerDuty paged us and GitHub was fine").is_empty());
    }

    #[test]
    fn a_hint_names_what_it_found_and_offers_the_seeds_example() {
        let hint = &wording_hints("user_id was null")[0];
        assert_eq!(hint.found, "user_id");
        assert!(hint.advice().contains(PLAIN_EXAMPLE));
    }

    #[test]
    fn retries_back_off_up_to_ten_minutes() {
        assert_eq!(retry_delay_secs(1), 5);
        assert_eq!(retry_delay_secs(2), 10);
        assert_eq!(retry_delay_secs(20), 600);
    }

    #[test]
    fn a_list_needs_a_name_and_valid_addresses() {
        let err = NewList::parse(" ", "exec@example.com nope", false).unwrap_err();
        assert!(err.field("name").is_some());
        assert!(err.field("addresses").unwrap().contains("\"nope\""));
        let list = NewList::parse("Company", "a@x.io\nb@x.io, a@x.io", true).unwrap();
        assert_eq!(list.addresses, vec!["a@x.io".to_string(), "b@x.io".into()]);
    }
}
