use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// The router's fallback for paths no route matches.
#[component]
pub fn NotFound() -> impl IntoView {
    view! { <Missing what="This page".to_string() /> }
}

/// What a page shows for something that does not exist: a real 404, the status
/// code as well as the page, when rendered on the server.
#[component]
pub fn Missing(what: String) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found" />
        <section class="page empty-state">
            <h1>"Not found"</h1>
            <p>{what} " does not exist. It may have been mistyped, or it never existed."</p>
            <p>
                <A href="/">"Back to the dashboard"</A>
            </p>
        </section>
    }
}
