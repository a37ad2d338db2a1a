//! API tokens and outgoing webhooks as the admin page shows them, and the secrets
//! issued once.

use super::Stamp;
use crate::domain::{DeliveryStatus, Role, WebhookEvent};
use serde::{Deserialize, Serialize};

/// The REST API's root; its OpenAPI document is `API_ROOT/openapi.json`.
pub const API_ROOT: &str = "/api/v1";

/// The admin page: every token (active first) and every endpoint with its latest
/// deliveries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Automation {
    pub tokens: Vec<TokenRow>,
    pub endpoints: Vec<EndpointRow>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub role: Role,
    /// The token's first characters, to tell it apart (the rest is never shown again).
    pub prefix: String,
    pub created: Stamp,
    pub created_by: Option<String>,
    /// The last day it works.
    pub expires_on: Option<String>,
    pub last_used: Option<Stamp>,
    pub revoked: Option<Stamp>,
    /// Revoked or past its expiry.
    pub usable: bool,
}

/// What the admin sees once, when a token is created.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedToken {
    pub id: i64,
    pub name: String,
    pub token: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointRow {
    pub id: i64,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub created: Stamp,
    /// The latest deliveries, newest first.
    pub deliveries: Vec<DeliveryRow>,
}

/// What the admin sees once, when an endpoint is added: the key to check signatures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedEndpoint {
    pub id: i64,
    pub url: String,
    pub secret: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRow {
    pub id: i64,
    pub event: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    /// The receiver's last HTTP status (None: no answer).
    pub response_status: Option<i32>,
    pub last_error: Option<String>,
    pub created: Stamp,
    pub delivered: Option<Stamp>,
}
