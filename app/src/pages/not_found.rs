use crate::components::layout::Missing;
use leptos::prelude::*;

/// The router's fallback for paths no route matches.
#[component]
pub fn NotFound() -> impl IntoView {
    view! { <Missing what="This page".to_string() /> }
}
