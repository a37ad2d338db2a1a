//! One module per route. The routes few people open (and the heavier ones) are lazy:
//! the browser loads their code, a WASM chunk of its own (`cargo leptos build --split`),
//! when one is first opened, by a visit or by navigating to it.

pub mod actions;
pub mod admin;
pub mod customers;
pub mod dashboard;
pub mod declare;
pub mod email;
pub mod history;
pub mod incident;
pub mod insights;
pub mod login;
pub mod not_found;
pub mod postmortem;
pub mod status;

/// A route whose view is loaded lazily: `lazy_page!(Route, Page)` makes `Route`, for
/// `<Route view=Lazy::<Route>::new() …/>`, rendering `<Page/>` from its own chunk.
macro_rules! lazy_page {
    ($route:ident, $page:path) => {
        pub struct $route;

        #[leptos_router::lazy_route]
        impl leptos_router::LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> leptos::prelude::AnyView {
                use leptos::prelude::*;
                view! { <$page /> }.into_any()
            }
        }
    };
}

lazy_page!(ActionsRoute, actions::TrackerPage);
lazy_page!(CustomersRoute, customers::CustomersPage);
lazy_page!(DeclareRoute, declare::DeclarePage);
// The composer, a stored message and the admin's mail page share one chunk: every split
// point adds shared chunks and loader code to every page's first load (three mail
// routes instead of one: the incident page 670 → 689 KB, the dashboard +1 KB, the
// composer 657 → 564 KB), and the pages opened during an outage come first.
lazy_page!(MailRoute, email::MailPages);
lazy_page!(HistoryRoute, history::IncidentHistory);
lazy_page!(InsightsRoute, insights::InsightsPage);
lazy_page!(IncidentRoute, incident::IncidentPage);
// The postmortem: the shared document's code (yrs) is in this chunk only.
lazy_page!(PostmortemRoute, postmortem::PostmortemPage);
lazy_page!(LoginRoute, login::LoginPage);
lazy_page!(StatusRoute, status::StatusPage);
// The admin's pages share one chunk (the business calendar too, since it left the
// postmortem's chunk and its yrs: the calendar 519 → 389 KB, the postmortem 517 → 502,
// the other admin pages 382–386 → 388–390): wasm-split makes a chunk per set of lazy
// routes sharing code, so each split point multiplies the small files every page
// fetches. One admin route instead of three: the incident page 125 → 95 files and
// 597.7 → 582.9 KB (12.0 → 8.5 s on slow 4G), every other page 1–16 KB less; the admin
// pages 90–137 KB more (556 KB), which are not opened in an outage.
lazy_page!(AdminRoute, admin::AdminPages);
