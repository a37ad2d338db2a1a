//! The admin's alert sources: add one (its webhook URL and secret are shown once),
//! rotate its secret, disable or enable it, set its default service or PagerDuty's
//! signing secret, and open AWS SNS's confirmation link.

use crate::{
    api::sources::{list_sources, AddSource, RotateSource, SetSourceEnabled, UpdateSource},
    components::{
        form::{action_error, FieldMessage, FormMessage, PostForm},
        layout::RequirePermission,
        resource::resource,
    },
    domain::{Permission, SourceKind},
    model::sources::{IssuedSecret, SourceRow},
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SourcesPage() -> impl IntoView {
    view! {
        <Title text="Alert sources" />
        <RequirePermission permission=Permission::Administer>
            <SourcesAdmin />
        </RequirePermission>
    }
    .into_any()
}

#[component]
fn SourcesAdmin() -> impl IntoView {
    let add = ServerAction::<AddSource>::new();
    let rotate = ServerAction::<RotateSource>::new();
    let enable = ServerAction::<SetSourceEnabled>::new();
    let update = ServerAction::<UpdateSource>::new();
    let sources = resource(
        move || {
            (
                add.version().get(),
                rotate.version().get(),
                enable.version().get(),
                update.version().get(),
            )
        },
        |_| list_sources(),
    );
    let add_error = action_error(add);
    let rotate_error = action_error(rotate);
    let enable_error = action_error(enable);
    let update_error = action_error(update);
    // The secret just issued, by adding or rotating: shown until the page is left.
    let issued = RwSignal::new(None::<IssuedSecret>);
    Effect::new(move |_| {
        if let Some(Ok(added)) = add.value().get() {
            issued.set(Some(added));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(rotated)) = rotate.value().get() {
            issued.set(Some(rotated));
        }
    });
    let kind = RwSignal::new(SourceKind::Pingdom);
    view! {
        <section class="page" id="sources-admin">
            <h1>"Alert sources"</h1>
            <p class="hint">
                "Monitoring tools post alerts to a source's webhook URL. Its secret is shown once, when the source is added or its secret rotated; Stormwatch keeps only a hash."
            </p>
            {move || issued.get().map(|secret| view! { <Issued secret /> })}
            <FormMessage error=rotate_error />
            <FormMessage error=enable_error />
            <FormMessage error=update_error />
            {move || update_error.get().and_then(|e| e.field("service").or_else(|| e.field("signing_secret"))).map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
            <Transition fallback=|| view! { <p class="loading">"Loading sources…"</p> }>
                {move || Suspend::new(async move {
                    match sources.await {
                        Ok(rows) if rows.is_empty() => view! { <p class="empty-state" id="no-sources">"No alert sources yet. Add one below."</p> }.into_any(),
                        Ok(rows) => view! {
                            <table class="sources" id="sources">
                                <thead>
                                    <tr>
                                        <th>"Name"</th>
                                        <th>"Kind"</th>
                                        <th>"Webhook URL"</th>
                                        <th>"Deliveries"</th>
                                        <th>"Default service, signing"</th>
                                        <th>"State"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {rows.into_iter().map(|row| view! { <SourceLine row rotate enable update /> }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>

            <h2>"Add a source"</h2>
            <FormMessage error=add_error />
            <PostForm
                action=add
                read=|f| Some(AddSource { kind: f.text("kind"), name: f.text("name"), service: f.text("service"), signing_secret: f.text("signing_secret") })
                attr:class="stack narrow-form"
                attr:id="add-source-form"
            >
                <label>
                    "Kind"
                    <select name="kind" on:change=move |ev| {
                        if let Ok(k) = event_target_value(&ev).parse() { kind.set(k) }
                    }>
                        {SourceKind::ALL.into_iter().map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view()}
                    </select>
                </label>
                <FieldMessage error=add_error field="kind" />
                <p class="hint">{move || kind.get().setup_hint()}</p>
                <label>
                    "Name"
                    <input name="name" required maxlength="100" placeholder="Pingdom prod" />
                </label>
                <FieldMessage error=add_error field="name" />
                <label>
                    "Default service"
                    <input name="service" maxlength="64" placeholder="push-api" />
                    <span class="hint">"For alerts whose payload names no service (Pingdom, CloudWatch). Alerts for a service with an open incident attach to it."</span>
                </label>
                <FieldMessage error=add_error field="service" />
                <Show when=move || kind.get() == SourceKind::PagerDuty>
                    <label>
                        "PagerDuty signing secret"
                        <input name="signing_secret" autocomplete="off" />
                        <span class="hint">"Shown by PagerDuty when you add the webhook subscription; you can paste it later."</span>
                    </label>
                </Show>
                <Show when=move || kind.get() != SourceKind::PagerDuty>
                    <input type="hidden" name="signing_secret" value="" />
                </Show>
                <FieldMessage error=add_error field="signing_secret" />
                <div class="actions">
                    <button type="submit" class="button primary">"Add source"</button>
                </div>
            </PostForm>
        </section>
    }
    .into_any()
}

/// The URL and secrets of a source, shown once.
#[component]
fn Issued(secret: IssuedSecret) -> impl IntoView {
    view! {
        <div class="notice issued" id="issued-secret" role="status">
            <p>
                <strong>{format!("{} ({})", secret.name, secret.kind.label())}</strong>
                ": copy this now. It will not be shown again."
            </p>
            <label class="stack">
                "Webhook URL"
                <input class="secret" readonly value=secret.url.clone() id="issued-url" />
            </label>
            {secret.signing_secret.clone().zip(secret.signed_url.clone()).map(|(key, url)| view! {
                <label class="stack">
                    "Signing key (for X-Stormwatch-Signature: sha256=<HMAC of the body>)"
                    <input class="secret" readonly value=key id="issued-signing-secret" />
                </label>
                <p class="hint">{format!("Signed deliveries go to {url}")}</p>
            })}
            <p class="hint">{secret.kind.setup_hint()}</p>
        </div>
    }
    .into_any()
}

#[component]
fn SourceLine(
    row: SourceRow,
    rotate: ServerAction<RotateSource>,
    enable: ServerAction<SetSourceEnabled>,
    update: ServerAction<UpdateSource>,
) -> impl IntoView {
    let (id_update, id_enable, id_rotate) = (
        row.public_id.clone(),
        row.public_id.clone(),
        row.public_id.clone(),
    );
    let pagerduty = row.kind == SourceKind::PagerDuty;
    let enabled = row.enabled;
    let (state_label, toggle_label) = if enabled {
        ("Enabled", "Disable")
    } else {
        ("Disabled", "Enable")
    };
    view! {
        <tr class="source-row" class:disabled=!row.enabled data-source=row.name.clone()>
            <td class="name">{row.name.clone()}</td>
            <td>{row.kind.label()}</td>
            <td class="url">
                <code>{row.masked_url.clone()}</code>
                {row.signed_url.clone().map(|url| view! { <br /><span class="hint">"signed: "</span><code>{url}</code> })}
                {row.confirm_url.clone().map(|url| view! {
                    <p class="confirm">
                        "AWS SNS asks to confirm this subscription: "
                        <a href=url target="_blank" rel="noopener noreferrer">"open the confirmation link"</a>
                    </p>
                })}
            </td>
            <td>
                <span class="deliveries">{row.deliveries}</span>
                <br />
                {match row.last_delivery.clone() {
                    Some(at) => view! { <span class="hint">"last " <time datetime=at.iso>{at.text}</time></span> }.into_any(),
                    None => view! { <span class="hint">"none yet"</span> }.into_any(),
                }}
            </td>
            <td>
                <PostForm
                    action=update
                    read=|f| Some(UpdateSource { public_id: f.text("public_id"), service: f.text("service"), signing_secret: f.text("signing_secret") })
                    attr:class="inline-form update-source-form"
                >
                    <input type="hidden" name="public_id" value=id_update />
                    <input name="service" value=row.service.clone() maxlength="64" placeholder="no default" aria-label="Default service" />
                    {if pagerduty {
                        view! { <input name="signing_secret" autocomplete="off" placeholder=if row.has_signing_secret { "signing secret set: paste to replace" } else { "paste PagerDuty's signing secret" } aria-label="Signing secret" /> }.into_any()
                    } else {
                        view! { <input type="hidden" name="signing_secret" value="" /> }.into_any()
                    }}
                    <button type="submit" class="button small">"Save"</button>
                </PostForm>
                {(pagerduty && !row.has_signing_secret).then(|| view! { <p class="form-error">"Deliveries are refused until PagerDuty's signing secret is set."</p> })}
            </td>
            <td>
                <span class="state">{state_label}</span>
                <PostForm
                    action=enable
                    read=move |f| Some(SetSourceEnabled { public_id: f.text("public_id"), enabled: !enabled })
                    attr:class="inline"
                >
                    <input type="hidden" name="public_id" value=id_enable />
                    <input type="hidden" name="enabled" value=(!enabled).to_string() />
                    <button type="submit" class="button small">{toggle_label}</button>
                </PostForm>
                <PostForm action=rotate read=|f| Some(RotateSource { public_id: f.text("public_id") }) attr:class="inline">
                    <input type="hidden" name="public_id" value=id_rotate />
                    <button type="submit" class="button small">"Rotate secret"</button>
                </PostForm>
                <br />
                <span class="hint">"secret since " <time datetime=row.rotated.iso>{row.rotated.text}</time></span>
            </td>
        </tr>
    }
    .into_any()
}
