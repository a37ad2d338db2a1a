//! Writing in an incident: messages in its channel, posts and challenges in its
//! postmortem discussion, and edits (which keep the earlier wording).

use crate::{
    domain::AppError,
    model::{channel::Revision, wire::Compact},
};
use leptos::prelude::*;

/// A message in the incident channel (Markdown).
#[server(prefix = "/api/respond", protocol = Compact)]
pub async fn post_message(number: i64, body: String) -> Result<i64, AppError> {
    use crate::{
        domain::{EventKind, MessageBody},
        ssr::{db, services::channel, signed_in},
    };
    let actor = signed_in()?;
    let body = MessageBody::parse(&body)?;
    channel::post(
        &db::current()?,
        &actor,
        number,
        EventKind::Message,
        body,
        None,
    )
    .await
}

/// A hypothesis, an assumption or an idea in the postmortem discussion.
#[server(prefix = "/api/respond", protocol = Compact)]
pub async fn post_discussion(number: i64, kind: String, body: String) -> Result<i64, AppError> {
    use crate::{
        domain::{AppError, EventKind, MessageBody},
        ssr::{db, services::channel, signed_in},
    };
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
    channel::post(&db::current()?, &actor, number, kind, body, None).await
}

/// A challenge: a reply questioning a discussion post.
#[server(prefix = "/api/respond", protocol = Compact)]
pub async fn challenge_post(number: i64, parent: i64, body: String) -> Result<i64, AppError> {
    use crate::{
        domain::{EventKind, MessageBody},
        ssr::{db, services::channel, signed_in},
    };
    let actor = signed_in()?;
    let body = MessageBody::parse(&body)?;
    let db = &db::current()?;
    channel::post(db, &actor, number, EventKind::Challenge, body, Some(parent)).await
}

/// Rewords one's own message or post; the earlier wording stays in its history.
#[server(prefix = "/api/respond", protocol = Compact)]
pub async fn edit_post(post: i64, body: String) -> Result<(), AppError> {
    use crate::{
        domain::MessageBody,
        ssr::{db, services::channel, signed_in},
    };
    let actor = signed_in()?;
    let body = MessageBody::parse(&body)?;
    channel::edit(&db::current()?, &actor, post, body).await
}

#[server(prefix = "/api/read", protocol = Compact)]
pub async fn post_history(post: i64) -> Result<Vec<Revision>, AppError> {
    use crate::ssr::{db, services::channel, time::viewer_tz};
    channel::history(&db::current()?, post, viewer_tz()).await
}
