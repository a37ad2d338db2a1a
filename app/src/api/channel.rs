//! Writing in an incident: messages in its channel, posts and challenges in its
//! postmortem discussion, and edits (which keep the earlier wording).

use super::Stamp;
use crate::domain::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// An earlier wording of an edited post.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub body: String,
    pub html: String,
    /// When this wording was replaced, and by whom.
    pub replaced: Stamp,
    pub by: Option<String>,
}

/// A message in the incident channel (Markdown).
#[server(prefix = "/api/respond")]
pub async fn post_message(number: i64, body: String) -> Result<i64, AppError> {
    use crate::{
        domain::{EventKind, MessageBody},
        ssr::{respond, services::channel, signed_in, AppState},
    };
    respond(async move {
        let actor = signed_in()?;
        let body = MessageBody::parse(&body)?;
        channel::post(
            &AppState::current()?.db,
            &actor,
            number,
            EventKind::Message,
            body,
            None,
        )
        .await
    })
    .await
}

/// A hypothesis, an assumption or an idea in the postmortem discussion.
#[server(prefix = "/api/respond")]
pub async fn post_discussion(number: i64, kind: String, body: String) -> Result<i64, AppError> {
    use crate::{
        domain::{AppError, EventKind, MessageBody},
        ssr::{respond, services::channel, signed_in, AppState},
    };
    respond(async move {
        let actor = signed_in()?;
        let (kind, body) = match (
            EventKind::parse_discussion(&kind),
            MessageBody::parse(&body),
        ) {
            (Ok(kind), Ok(body)) => (kind, body),
            (kind, body) => {
                let mut errors = Vec::new();
                for err in [kind.err(), body.err()].into_iter().flatten() {
                    if let AppError::Validation(fields) = err {
                        errors.extend(fields);
                    }
                }
                return Err(AppError::Validation(errors));
            }
        };
        channel::post(&AppState::current()?.db, &actor, number, kind, body, None).await
    })
    .await
}

/// A challenge: a reply questioning a discussion post.
#[server(prefix = "/api/respond")]
pub async fn challenge_post(number: i64, parent: i64, body: String) -> Result<i64, AppError> {
    use crate::{
        domain::{EventKind, MessageBody},
        ssr::{respond, services::channel, signed_in, AppState},
    };
    respond(async move {
        let actor = signed_in()?;
        let body = MessageBody::parse(&body)?;
        let db = &AppState::current()?.db;
        channel::post(db, &actor, number, EventKind::Challenge, body, Some(parent)).await
    })
    .await
}

/// Rewords one's own message or post; the earlier wording stays in its history.
#[server(prefix = "/api/respond")]
pub async fn edit_post(post: i64, body: String) -> Result<(), AppError> {
    use crate::{
        domain::MessageBody,
        ssr::{respond, services::channel, signed_in, AppState},
    };
    respond(async move {
        let actor = signed_in()?;
        let body = MessageBody::parse(&body)?;
        channel::edit(&AppState::current()?.db, &actor, post, body).await
    })
    .await
}

#[server(prefix = "/api/read")]
pub async fn post_history(post: i64) -> Result<Vec<Revision>, AppError> {
    use crate::ssr::{respond, services::channel, time::viewer_tz, AppState};
    respond(async move { channel::history(&AppState::current()?.db, post, viewer_tz()).await })
        .await
}
