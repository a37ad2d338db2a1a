use super::{AppError, FieldError};
use serde::{Deserialize, Serialize};

/// The longest message or post, in characters.
pub const MAX_MESSAGE_LEN: usize = 10_000;

/// Where an event belongs: the incident channel (the official record) or the postmortem discussion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "Text"))]
pub enum Channel {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "incident"))]
    Incident,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "postmortem"))]
    Postmortem,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Incident => "incident",
            Channel::Postmortem => "postmortem",
        }
    }
}

/// What happened. Stored as text so later kinds (messages, alerts, emails) add rows, not columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "Text"))]
pub enum EventKind {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "declared"))]
    Declared,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "status_changed"))]
    StatusChanged,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "severity_changed"))]
    SeverityChanged,
    /// Affected customers added, edited, removed or restored: one line per change,
    /// however many rows it touched.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "customers_changed"))]
    CustomersChanged,
    /// Someone volunteered (or took over) as Incident Leader.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "leader_changed"))]
    LeaderChanged,
    /// Alerts attached to the incident: one line per source and moment, however many.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "alerts_attached"))]
    AlertsAttached,
    /// Attached alerts that their tool reported resolved.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "alerts_resolved"))]
    AlertsResolved,
    /// A responder's message in the incident channel (Markdown).
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "message"))]
    Message,
    /// Postmortem discussion posts (Markdown).
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "hypothesis"))]
    Hypothesis,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "assumption"))]
    Assumption,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "idea"))]
    Idea,
    /// A reply questioning a post of the discussion.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "challenge"))]
    Challenge,
    /// The company email (or an update on its thread) was sent; `data` names the message.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "email_sent"))]
    EmailSent,
    /// Someone joined or left the issue team.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "team_changed"))]
    TeamChanged,
    /// A postmortem step: started, a participant added or removed, moved to review,
    /// published, reopened, its meeting scheduled.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "postmortem_changed"))]
    PostmortemChanged,
}

impl EventKind {
    /// The kinds someone can post in the postmortem discussion (a challenge is a reply).
    pub const DISCUSSION: [EventKind; 3] = [
        EventKind::Hypothesis,
        EventKind::Assumption,
        EventKind::Idea,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Declared => "declared",
            EventKind::StatusChanged => "status_changed",
            EventKind::SeverityChanged => "severity_changed",
            EventKind::CustomersChanged => "customers_changed",
            EventKind::LeaderChanged => "leader_changed",
            EventKind::AlertsAttached => "alerts_attached",
            EventKind::AlertsResolved => "alerts_resolved",
            EventKind::Message => "message",
            EventKind::Hypothesis => "hypothesis",
            EventKind::Assumption => "assumption",
            EventKind::Idea => "idea",
            EventKind::Challenge => "challenge",
            EventKind::EmailSent => "email_sent",
            EventKind::TeamChanged => "team_changed",
            EventKind::PostmortemChanged => "postmortem_changed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EventKind::Hypothesis => "Hypothesis",
            EventKind::Assumption => "Assumption",
            EventKind::Idea => "Idea",
            EventKind::Challenge => "Challenge",
            _ => "Message",
        }
    }

    /// Written by a person in Markdown, so rendered (sanitised) and editable by its author.
    pub fn is_post(self) -> bool {
        matches!(
            self,
            EventKind::Message
                | EventKind::Hypothesis
                | EventKind::Assumption
                | EventKind::Idea
                | EventKind::Challenge
        )
    }

    /// The channel a post of this kind belongs to.
    pub fn channel(self) -> Channel {
        match self {
            EventKind::Hypothesis
            | EventKind::Assumption
            | EventKind::Idea
            | EventKind::Challenge => Channel::Postmortem,
            _ => Channel::Incident,
        }
    }

    /// A discussion post's kind as the form names it.
    pub fn parse_discussion(raw: &str) -> Result<Self, AppError> {
        Self::DISCUSSION
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(raw.trim()))
            .ok_or_else(|| {
                AppError::invalid(
                    "kind",
                    "Mark the post as a hypothesis, an assumption or an idea.",
                )
            })
    }
}

/// The text of a message or post: Markdown, trimmed, not empty, at most [`MAX_MESSAGE_LEN`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageBody(String);

impl MessageBody {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let body = raw.trim();
        if body.is_empty() {
            return Err(AppError::Validation(vec![FieldError::new(
                "body",
                "Write something first.",
            )]));
        }
        super::refuse_nul("body", body).map_err(|e| AppError::Validation(vec![e]))?;
        if body.chars().count() > MAX_MESSAGE_LEN {
            return Err(AppError::invalid(
                "body",
                format!(
                    "Keep it under {MAX_MESSAGE_LEN} characters (split it into several messages)."
                ),
            ));
        }
        Ok(Self(body.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_message_is_refused_and_names_the_body() {
        assert_eq!(
            MessageBody::parse("  \n ")
                .unwrap_err()
                .field("body")
                .as_deref(),
            Some("Write something first.")
        );
        assert!(MessageBody::parse(&"x".repeat(MAX_MESSAGE_LEN + 1)).is_err());
        assert_eq!(MessageBody::parse(" hi ").unwrap().as_str(), "hi");
    }

    #[test]
    fn discussion_posts_belong_to_the_postmortem_channel() {
        assert_eq!(
            EventKind::parse_discussion("Hypothesis").unwrap(),
            EventKind::Hypothesis
        );
        assert!(EventKind::parse_discussion("challenge").is_err());
        assert_eq!(EventKind::Idea.channel(), Channel::Postmortem);
        assert_eq!(EventKind::Message.channel(), Channel::Incident);
        assert!(EventKind::Challenge.is_post() && !EventKind::StatusChanged.is_post());
    }
}
