//! What crosses the wire: the types server functions take and return, the live
//! stream's events, and the constants both sides agree on. Compiled for the browser and
//! the server; `api` (the server functions) and `ssr` (the services) both import it,
//! and it imports neither: `pages → components → api → ssr → model → domain`.

pub mod actions;
pub mod alerts;
pub mod automation;
pub mod channel;
pub mod customers;
pub mod email;
pub mod history;
pub mod incidents;
pub mod insights;
pub mod live;
pub mod postmortems;
#[cfg(feature = "ssr")]
pub mod rest;
pub mod session;
pub mod sources;
pub mod users;
pub mod wire;

use serde::{Deserialize, Serialize};

/// A moment, formatted on the server in the viewer's time zone (so the browser needs
/// no time-zone database), with its UTC instant for `<time datetime=…>`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub iso: String,
    pub text: String,
}

/// A user someone can pick: for the issue team, a postmortem's participants, its leader.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: i64,
    pub name: String,
}

/// A page's filters as its query string: the non-empty ones, percent-encoded, in order.
pub fn query_string(pairs: &[(&str, &String)]) -> String {
    let encode = |value: &str| -> String {
        value
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    pairs
        .iter()
        .filter(|(_, value)| !value.trim().is_empty())
        .map(|(key, value)| format!("{key}={}", encode(value.trim())))
        .collect::<Vec<_>>()
        .join("&")
}
