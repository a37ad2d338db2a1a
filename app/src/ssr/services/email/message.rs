//! One message of the company email, built from the composer's fields: a plain-text
//! part and a sanitised HTML part of the same template, its headers, and the whole
//! RFC 5322 message as the SMTP server receives it. The preview and "Send" both use it.

use crate::{
    domain::{plain_text, wording_hints, AppError, EmailDraft, Question, TeamRole, WordingHint},
    ssr::markdown,
};
use chrono::{DateTime, Utc};
use lettre::message::{header::ContentType, Attachment, Mailbox, MultiPart};

/// What the message is built from, besides the fields.
pub struct Envelope<'a> {
    pub opening: &'a str,
    pub team: &'a [(TeamRole, Vec<String>)],
    pub from: &'a str,
    pub to: &'a [String],
    /// The thread's earlier `Message-ID`s, oldest first (empty for the first message).
    pub thread: &'a [String],
    /// The affected-customers table, when it goes along: file name and CSV.
    pub csv: Option<(String, String)>,
    pub message_id: &'a str,
    pub date: DateTime<Utc>,
}

pub struct Built {
    pub subject: String,
    pub html: String,
    pub text: String,
    pub headers: Vec<(String, String)>,
    pub raw: String,
    pub attachment: Option<String>,
    pub hints: Vec<WordingHint>,
}

/// The HTML part: the template's text escaped, each answer's Markdown rendered and
/// sanitised (no script, handler or `javascript:` link survives).
pub fn html(opening: &str, team: &[(TeamRole, Vec<String>)], draft: &EmailDraft) -> String {
    let escape = escape_html;
    let mut html = String::from(
        "<!DOCTYPE html><html><body style=\"font-family: sans-serif; line-height: 1.45\">",
    );
    html.push_str("<p>Hi everyone,</p>");
    html.push_str(&format!("<p>{}</p>", escape(opening)));
    html.push_str("<p><strong>Issue team:</strong></p><ul>");
    for role in TeamRole::ALL {
        let names: Vec<String> = team
            .iter()
            .filter(|(r, _)| *r == role)
            .flat_map(|(_, names)| names.iter().map(|n| format!("@{}", escape(n))))
            .collect();
        let names = if names.is_empty() {
            "nobody named yet".to_string()
        } else {
            names.join(", ")
        };
        html.push_str(&format!("<li>{}: {names}</li>", role.label()));
    }
    html.push_str("</ul>");
    for question in Question::ALL {
        let answer = draft.answer(question).trim();
        html.push_str(&format!("<h3>{}</h3>", question.heading()));
        if answer.is_empty() {
            html.push_str("<p>—</p>");
        } else {
            html.push_str(&markdown::render(answer));
        }
    }
    html.push_str("</body></html>");
    html
}

/// Text as HTML: the five characters that mean markup, escaped.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub fn build(envelope: &Envelope<'_>, draft: &EmailDraft) -> Result<Built, AppError> {
    let subject = draft.subject.trim().to_string();
    let text = plain_text(envelope.opening, envelope.team, draft);
    let html = html(envelope.opening, envelope.team, draft);
    let from: Mailbox = envelope.from.parse().map_err(|_| AppError::Internal)?;
    let mut builder = lettre::Message::builder()
        .from(from.clone())
        .subject(subject.clone())
        .date(envelope.date.into())
        .message_id(Some(format!("<{}>", envelope.message_id)));
    for address in envelope.to {
        let to: Mailbox = address.parse().map_err(|_| {
            AppError::invalid("recipients", format!("\"{address}\" is not an address"))
        })?;
        builder = builder.to(to);
    }
    let mut headers = vec![
        ("From".to_string(), from.to_string()),
        ("To".to_string(), envelope.to.join(", ")),
        ("Subject".to_string(), subject.clone()),
        ("Date".to_string(), envelope.date.to_rfc2822()),
    ];
    if let Some(last) = envelope.thread.last() {
        let references = envelope
            .thread
            .iter()
            .map(|id| format!("<{id}>"))
            .collect::<Vec<_>>()
            .join(" ");
        builder = builder
            .in_reply_to(format!("<{last}>"))
            .references(references.clone());
        headers.push(("In-Reply-To".into(), format!("<{last}>")));
        headers.push(("References".into(), references));
    }
    let alternative = MultiPart::alternative_plain_html(text.clone(), html.clone());
    let attachment = envelope.csv.as_ref().map(|(name, _)| name.clone());
    let message = match &envelope.csv {
        None => builder.multipart(alternative),
        Some((name, csv)) => builder.multipart(
            MultiPart::mixed().multipart(alternative).singlepart(
                Attachment::new(name.clone()).body(
                    csv.clone(),
                    ContentType::parse("text/csv; charset=utf-8")
                        .map_err(|_| AppError::Internal)?,
                ),
            ),
        ),
    }
    .map_err(|e| {
        tracing::error!(error = %e, "an email could not be built");
        AppError::Internal
    })?;
    let raw = String::from_utf8(message.formatted()).map_err(|_| AppError::Internal)?;
    Ok(Built {
        hints: wording_hints(&draft.cause),
        subject,
        html,
        text,
        headers,
        raw,
        attachment,
    })
}
