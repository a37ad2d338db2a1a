//! A page's data, loaded by a server function and carried from the server's render to
//! the browser inside the page: every page reads through [`resource`].
//!
//! Leptos's own `Resource::new` writes the value as JSON and reads it back in the browser
//! from a `&str`, while a server function's answer is read from bytes. serde_json builds
//! its whole decoder for a type once per kind of input, so every type a page both
//! receives in its HTML and fetches again afterwards was decoded by two copies of the
//! same code. [`Json`] reads from bytes too: one copy (the bundle's code 4,770 → 4,560 KB
//! before `wasm-opt`, README "First load").

use leptos::{
    prelude::Resource,
    server::codee::{Decoder, Encoder},
};
use serde::{de::DeserializeOwned, Serialize};
use std::future::Future;

/// JSON, read from bytes as the server functions' answers are.
pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, Self::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(encoded: &str) -> Result<T, Self::Error> {
        serde_json::from_slice(encoded.as_bytes())
    }
}

/// A page's data: what [`resource`] makes.
pub type Loaded<T> = Resource<T, Json>;

/// `Resource::new`, read back as [`Json`]: `fetcher` runs on the server while the page
/// renders, and again in the browser whenever `source` changes.
#[track_caller]
pub fn resource<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Loaded<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: PartialEq + Clone + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}
