//! `/admin/calendar`: the organisation's time zone, business days and holidays, which
//! decide when postmortems are due.

use crate::{
    api::postmortems::{business_calendar, SaveBusinessCalendar},
    components::{
        form::{action_error, FieldMessage, FormMessage, PostForm},
        layout::NotAllowed,
        resource::resource,
    },
    domain::AppError,
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn CalendarPage() -> impl IntoView {
    let save = ServerAction::<SaveBusinessCalendar>::new();
    let current = resource(move || save.version().get(), |_| business_calendar());
    let error = action_error(save);
    view! {
        <Title text="Business calendar" />
        <section class="page narrow">
            <h1>"Business calendar"</h1>
            <p class="hint">"A postmortem is due 24 business hours after its incident is resolved: business days count whole, in the organisation's time zone, without holidays."</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match current.await {
                        Ok(c) => view! {
                            <PostForm
                                action=save
                                read=|f| Some(SaveBusinessCalendar { zone: f.text("zone"), weekdays: f.text("weekdays"), holidays: f.text("holidays") })
                                attr:class="stack"
                                attr:id="calendar-form"
                            >
                                <label>"Time zone"
                                    <input name="zone" value=c.zone required />
                                </label>
                                <FieldMessage error field="zone" />
                                <label>"Business days"
                                    <input name="weekdays" value=c.weekdays required />
                                </label>
                                <FieldMessage error field="weekdays" />
                                <label>"Holidays (one date per line, like 2026-12-25)"
                                    <textarea name="holidays" rows=6>{c.holidays}</textarea>
                                </label>
                                <FieldMessage error field="holidays" />
                                <FormMessage error />
                                <button type="submit" class="button primary">"Save"</button>
                                {move || save.value().get().and_then(Result::ok).map(|_| view! { <p class="notice" id="calendar-saved">"Saved."</p> })}
                            </PostForm>
                        }.into_any(),
                        Err(AppError::Forbidden) => view! { <NotAllowed /> }.into_any(),
                        Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
