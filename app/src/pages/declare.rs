use crate::{
    api::incidents::{list_service_names, DeclareIncident},
    components::{
        form::{action_error, FieldMessage, FormMessage},
        layout::RequirePermission,
    },
    domain::{Permission, Severity, MAX_SUMMARY_LEN, MAX_TITLE_LEN},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn DeclarePage() -> impl IntoView {
    view! {
        <Title text="Declare an incident" />
        <RequirePermission permission=Permission::Respond>
            <DeclareForm />
        </RequirePermission>
    }
}

#[component]
fn DeclareForm() -> impl IntoView {
    let declare = ServerAction::<DeclareIncident>::new();
    let error = action_error(declare);
    let known_services = Resource::new(|| (), |_| list_service_names());
    let pending = declare.pending();
    view! {
        <section class="page narrow">
            <h1>"Declare an incident"</h1>
            <p class="hint">"Everyone watching the dashboard sees it at once. You can change anything later."</p>
            <FormMessage error />
            <ActionForm action=declare attr:class="stack" attr:id="declare-form">
                <label>
                    "Title"
                    <input name="title" required maxlength=MAX_TITLE_LEN placeholder="Push campaigns failing to send" />
                </label>
                <FieldMessage error field="title" />
                <label>
                    "Services affected"
                    <input name="services" required list="known-services" placeholder="push-api, scheduler" />
                    <span class="hint">"Separate several with commas."</span>
                </label>
                <datalist id="known-services">
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            known_services.await.unwrap_or_default().into_iter()
                                .map(|name| view! { <option value=name></option> })
                                .collect_view()
                        })}
                    </Suspense>
                </datalist>
                <FieldMessage error field="services" />
                <fieldset class="severity-choice">
                    <legend>"Severity"</legend>
                    {Severity::ALL
                        .into_iter()
                        .map(|s| view! {
                            <label class="choice">
                                <input type="radio" name="severity" value=s.as_str() required checked=s == Severity::Sev2 />
                                <strong>{s.as_str()}</strong> " " <span class="hint">{s.meaning()}</span>
                            </label>
                        })
                        .collect_view()}
                </fieldset>
                <FieldMessage error field="severity" />
                <label>
                    "Started at"
                    <input name="started_at" type="datetime-local" />
                    <span class="hint">"In your time zone. Leave empty for now."</span>
                </label>
                <FieldMessage error field="started_at" />
                <label>
                    "Summary"
                    <textarea name="summary" rows="4" maxlength=MAX_SUMMARY_LEN placeholder="What are people seeing?"></textarea>
                </label>
                <FieldMessage error field="summary" />
                <div class="actions">
                    <button type="submit" class="button primary" disabled=move || pending.get()>
                        {move || if pending.get() { "Declaring…" } else { "Declare incident" }}
                    </button>
                    <A href="/">"Cancel"</A>
                </div>
            </ActionForm>
        </section>
    }
}
