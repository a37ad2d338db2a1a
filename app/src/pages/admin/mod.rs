//! The admin's pages — alert sources, people, automation, the business calendar — as
//! one lazy route (`AdminRoute`): one chunk for them, so that the other pages fetch fewer.

pub mod automation;
pub mod calendar;
pub mod sources;
pub mod users;

use automation::AutomationPage;
use calendar::CalendarPage;
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use sources::SourcesPage;
use users::UsersPage;

/// Whichever admin page the path names.
#[component]
pub fn AdminPages() -> impl IntoView {
    let path = use_location().pathname;
    move || match path.get().as_str() {
        "/admin/users" => view! { <UsersPage /> }.into_any(),
        "/admin/automation" => view! { <AutomationPage /> }.into_any(),
        "/admin/calendar" => view! { <CalendarPage /> }.into_any(),
        _ => view! { <SourcesPage /> }.into_any(),
    }
}
