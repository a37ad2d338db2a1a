use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// A real 404: the status code as well as the page.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! { <Missing what="This page".to_string() /> }
}

/// What a page shows for something that does not exist.
#[component]
pub fn Missing(what: String) -> impl IntoView {
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
