//! A page's data, loaded by a server function and carried from the server's render to
//! the browser inside the page: every page reads through [`resource`].
//!
//! Leptos's own `Resource::new` writes the value as JSON and reads it back in the
//! browser with serde_json, while a server function's answer comes as postcard
//! (`model::wire`): a type a page both receives in its HTML and fetches again would be
//! decoded by two decoders. [`resource`] carries it as postcard too: one decoder.

use crate::model::wire::Postcard;
use leptos::prelude::Resource;
use serde::{de::DeserializeOwned, Serialize};
use std::future::Future;

/// A page's data: what [`resource`] makes.
pub type Loaded<T> = Resource<T, Postcard>;

/// `Resource::new`, carried as [`Postcard`]: `fetcher` runs on the server while the page
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
