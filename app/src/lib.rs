//! Stormwatch's application: routes, pages and server functions, shared by the
//! server (feature `ssr`) and the browser bundle (feature `hydrate`).

// The incident page's views are deep types; hydrating them asynchronously needs room.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod domain;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

use api::session::me;
use components::layout::Header;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, Lazy, SsrMode,
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
pub type UserResource = Resource<Result<Option<CurrentUser>, domain::AppError>>;

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let user: UserResource = Resource::new(|| (), |_| me());
    provide_context(user);

    view! {
        <Title formatter=|page: String| format!("{page} · Stormwatch") />
        <Router>
            <Header />
            <main>
                // Async: every page arrives whole, so it reads and its forms work before
                // (or without) the WASM bundle, and a missing incident can still set 404.
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=DashboardPage ssr=SsrMode::Async />
                    <Route path=path!("/login") view={Lazy::<LoginRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/status") view={Lazy::<StatusRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/actions") view={Lazy::<ActionsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/users") view={Lazy::<AdminRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/sources") view={Lazy::<AdminRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/automation") view={Lazy::<AdminRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/incidents") view={Lazy::<HistoryRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/insights") view={Lazy::<InsightsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/incidents/new") view={Lazy::<DeclareRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/incidents/:number") view={Lazy::<IncidentRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/incidents/:number/customers") view={Lazy::<CustomersRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/incidents/:number/email") view={Lazy::<MailRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/emails/:id") view={Lazy::<MailRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/mail") view={Lazy::<MailRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/incidents/:number/postmortem") view={Lazy::<PostmortemRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/calendar") view={Lazy::<PostmortemRoute>::new()} ssr=SsrMode::Async />
                </Routes>
            </main>
        </Router>
    }
}
