//! Alert sources as admins see them, and the secrets issued once.

use super::Stamp;
use crate::domain::SourceKind;
use serde::{Deserialize, Serialize};

/// Where monitoring tools post: `WEBHOOKS/{public_id}/{secret}`, or for signed
/// deliveries `WEBHOOKS/{public_id}`.
pub const WEBHOOKS: &str = "/webhooks";

/// One row of the sources table. Secrets never come back once issued.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRow {
    pub public_id: String,
    pub kind: SourceKind,
    pub name: String,
    pub service: String,
    pub enabled: bool,
    /// The webhook URL with its secret masked.
    pub masked_url: String,
    /// The URL for signed deliveries (no secret in it), for the kinds that sign.
    pub signed_url: Option<String>,
    /// Whether deliveries can be checked against a signing key.
    pub has_signing_secret: bool,
    pub created: Stamp,
    pub rotated: Stamp,
    pub deliveries: i64,
    pub last_delivery: Option<Stamp>,
    /// AWS SNS's confirmation link, waiting to be opened.
    pub confirm_url: Option<String>,
}

/// What an admin sees once, when a source is added or its secret rotated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedSecret {
    pub public_id: String,
    pub name: String,
    pub kind: SourceKind,
    /// The webhook URL, secret included.
    pub url: String,
    pub secret: String,
    /// The key to sign deliveries with (the generic kind).
    pub signing_secret: Option<String>,
    /// The URL for signed deliveries.
    pub signed_url: Option<String>,
}
