//! Stormwatch's application: routes, pages and server functions, shared by the
//! server (feature `ssr`) and the browser bundle (feature `hydrate`).

// The dashboard's and the incident page's views are deep types; the server renders them
// asynchronously (`AnyView`'s `resolve`), and laying out those futures needs room.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod domain;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

use api::session::me;
use components::{
    layout::Header,
    resource::{resource, Loaded},
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::{
    components::{RouteChildren, Router, Routes},
    path, Lazy, MatchNestedRoutes, NestedRoute, SsrMode,
};
use model::session::CurrentUser;
use pages::{
    dashboard::DashboardPage, not_found::NotFound, ActionsRoute, AdminRoute, CustomersRoute,
    DeclareRoute, HistoryRoute, IncidentRoute, InsightsRoute, LoginRoute, MailRoute,
    PostmortemRoute, StatusRoute,
};

/// The HTML document the server renders around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                // Both name the bundle's files as the site's `hash.txt` lists them, if the
                // build named them by content (see server/src/site.rs).
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The signed-in user, loaded once per page and shared through context.
pub type UserResource = Loaded<Result<Option<CurrentUser>, domain::AppError>>;

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let user: UserResource = resource(|| (), |_| me());
    provide_context(user);

    view! {
        <Title formatter=|page: String| format!("{page} · Stormwatch") />
        <Router>
            <Header />
            <main>
                <Routes fallback=NotFound children=RouteChildren::to_children(routes) />
            </main>
        </Router>
    }
}

/// Every page's route, in one place: the router renders them, and the browser's entry
/// point matches the address against them to load a lazy page's chunk before it
/// hydrates (`frontend`). Async: every page arrives whole, so it reads and its forms
/// work before (or without) the WASM bundle, and a missing incident can still set 404.
pub fn routes() -> impl MatchNestedRoutes + Clone + Send + 'static {
    macro_rules! route {
        ($path:expr, $view:expr) => {
            NestedRoute::new($path, $view).ssr_mode(SsrMode::Async)
        };
    }
    // Two tuples: the router matches tuples of up to 16 routes, in order.
    (
        (
            route!(path!("/"), DashboardPage),
            route!(path!("/login"), Lazy::<LoginRoute>::new()),
            route!(path!("/status"), Lazy::<StatusRoute>::new()),
            route!(path!("/actions"), Lazy::<ActionsRoute>::new()),
            route!(path!("/admin/users"), Lazy::<AdminRoute>::new()),
            route!(path!("/admin/sources"), Lazy::<AdminRoute>::new()),
            route!(path!("/admin/automation"), Lazy::<AdminRoute>::new()),
            route!(path!("/incidents"), Lazy::<HistoryRoute>::new()),
            route!(path!("/insights"), Lazy::<InsightsRoute>::new()),
        ),
        (
            route!(path!("/incidents/new"), Lazy::<DeclareRoute>::new()),
            route!(path!("/incidents/:number"), Lazy::<IncidentRoute>::new()),
            route!(
                path!("/incidents/:number/customers"),
                Lazy::<CustomersRoute>::new()
            ),
            route!(path!("/incidents/:number/email"), Lazy::<MailRoute>::new()),
            route!(path!("/emails/:id"), Lazy::<MailRoute>::new()),
            route!(path!("/admin/mail"), Lazy::<MailRoute>::new()),
            route!(
                path!("/incidents/:number/postmortem"),
                Lazy::<PostmortemRoute>::new()
            ),
            route!(path!("/admin/calendar"), Lazy::<AdminRoute>::new()),
        ),
    )
}
