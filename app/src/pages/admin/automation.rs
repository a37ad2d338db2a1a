//! The admin's automation page: API tokens (create one, shown once; revoke; when each
//! was last used) and outgoing webhooks (register a receiver and its events, its signing
//! secret shown once; each delivery's fate, with "Resend").

use crate::{
    api::automation::{
        read_automation, AddEndpoint, CreateToken, RemoveEndpoint, ResendDelivery, RevokeToken,
    },
    components::{
        form::{action_error, FieldMessage, FormMessage, PostForm},
        layout::RequirePermission,
        resource::resource,
    },
    domain::{DeliveryStatus, Permission, WebhookEvent, MAX_TOKEN_NAME_LEN},
    model::automation::{EndpointRow, IssuedEndpoint, IssuedToken, TokenRow, API_ROOT},
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AutomationPage() -> impl IntoView {
    view! {
        <Title text="Automation" />
        <RequirePermission permission=Permission::Administer>
            <AutomationAdmin />
        </RequirePermission>
    }
    .into_any()
}

#[component]
fn AutomationAdmin() -> impl IntoView {
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let add = ServerAction::<AddEndpoint>::new();
    let remove = ServerAction::<RemoveEndpoint>::new();
    let resend = ServerAction::<ResendDelivery>::new();
    let page = resource(
        move || {
            (
                create.version().get(),
                revoke.version().get(),
                add.version().get(),
                remove.version().get(),
                resend.version().get(),
            )
        },
        |_| read_automation(),
    );
    let create_error = action_error(create);
    let add_error = action_error(add);
    let revoke_error = action_error(revoke);
    let remove_error = action_error(remove);
    let resend_error = action_error(resend);
    let url = RwSignal::new(String::new());
    let events = RwSignal::new(Vec::<WebhookEvent>::new());
    view! {
        <section class="page" id="automation-admin">
            <h1>"Automation"</h1>
            <p class="hint">
                "Scripts, bots and other systems call the REST API at " <code>{API_ROOT}</code>
                " with a token (its reference: " <a href=format!("{API_ROOT}/openapi.json")>"the OpenAPI document"</a>
                "), and hear about changes through outgoing webhooks."
            </p>
            <FormMessage error=revoke_error />
            <FormMessage error=remove_error />
            <FormMessage error=resend_error />

            <h2>"API tokens"</h2>
            {move || create.value().get().and_then(Result::ok).map(|token| view! { <IssuedTokenNotice token /> })}
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(read) if read.tokens.is_empty() => view! { <p class="empty-state" id="no-tokens">"No tokens yet."</p> }.into_any(),
                        Ok(read) => view! {
                            <table id="tokens">
                                <thead><tr><th>"Name"</th><th>"Acts as"</th><th>"Token"</th><th>"Created"</th><th>"Expires"</th><th>"Last used"</th><th></th></tr></thead>
                                <tbody>{read.tokens.into_iter().map(|row| view! { <TokenLine row revoke /> }).collect_view()}</tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <h3>"Create a token"</h3>
            <FormMessage error=create_error />
            <PostForm
                action=create
                read=|f| Some(CreateToken { name: f.text("name"), role: f.text("role"), expires_on: f.text("expires_on") })
                attr:class="stack narrow-form"
                attr:id="create-token-form"
            >
                <label>
                    "Name"
                    <input name="name" required maxlength=MAX_TOKEN_NAME_LEN.to_string() placeholder="deploy-bot" />
                    <span class="hint">"Its work shows as “@name (token)” on timelines and in the audit log."</span>
                </label>
                <FieldMessage error=create_error field="name" />
                <label>
                    "Acts as"
                    <select name="role">
                        <option value="responder">"Responder (reads and writes)"</option>
                        <option value="viewer">"Viewer (reads only)"</option>
                    </select>
                </label>
                <FieldMessage error=create_error field="role" />
                <label>
                    "Last day it works (optional)"
                    <input type="date" name="expires_on" />
                </label>
                <FieldMessage error=create_error field="expires_on" />
                <div class="actions"><button type="submit" class="button primary">"Create token"</button></div>
            </PostForm>

            <h2>"Outgoing webhooks"</h2>
            <p class="hint">
                "Each delivery is a JSON POST signed with the receiver's secret: "
                <code>"Stormwatch-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of “t.body”>"</code>
                ". Failed deliveries are retried with backoff for about half an hour."
            </p>
            {move || add.value().get().and_then(Result::ok).map(|endpoint| view! { <IssuedEndpointNotice endpoint /> })}
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(read) if read.endpoints.is_empty() => view! { <p class="empty-state" id="no-endpoints">"No receivers yet."</p> }.into_any(),
                        Ok(read) => read.endpoints.into_iter().map(|row| view! { <Endpoint row remove resend /> }).collect_view().into_any(),
                        Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <h3>"Add a receiver"</h3>
            <FormMessage error=add_error />
            <form class="stack narrow-form" id="add-endpoint-form" on:submit=move |ev| {
                ev.prevent_default();
                let codes: Vec<&str> = events.get().iter().map(|e| e.code()).collect();
                add.dispatch(AddEndpoint { url: url.get(), events: codes.join(",") });
            }>
                <label>
                    "Receiver URL"
                    <input name="url" required placeholder="https://hooks.example.com/stormwatch" bind:value=url />
                </label>
                <FieldMessage error=add_error field="url" />
                <fieldset>
                    <legend>"Events"</legend>
                    {WebhookEvent::ALL.into_iter().map(|event| view! {
                        <label class="check">
                            <input type="checkbox" value=event.code() on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                events.update(|list| {
                                    list.retain(|e| *e != event);
                                    if on { list.push(event) }
                                });
                            } />
                            {event.label()}
                        </label>
                    }).collect_view()}
                </fieldset>
                <FieldMessage error=add_error field="events" />
                <div class="actions"><button type="submit" class="button primary">"Add receiver"</button></div>
            </form>
        </section>
    }
    .into_any()
}

#[component]
fn IssuedTokenNotice(token: IssuedToken) -> impl IntoView {
    view! {
        <div class="notice issued" id="issued-token" role="status">
            <p><strong>{token.name}</strong>": copy this token now. It will not be shown again."</p>
            <input class="secret" readonly value=token.token aria-label="The new token" />
        </div>
    }
}

#[component]
fn IssuedEndpointNotice(endpoint: IssuedEndpoint) -> impl IntoView {
    view! {
        <div class="notice issued" id="issued-endpoint" role="status">
            <p>"Deliveries to " <code>{endpoint.url}</code> " are signed with this secret. Copy it now: it will not be shown again."</p>
            <input class="secret" readonly value=endpoint.secret aria-label="The signing secret" />
        </div>
    }
}

#[component]
fn TokenLine(row: TokenRow, revoke: ServerAction<RevokeToken>) -> impl IntoView {
    let id = row.id;
    let state = match (&row.revoked, row.usable) {
        (Some(at), _) => format!("revoked {}", at.text),
        (None, false) => "expired".to_string(),
        (None, true) => String::new(),
    };
    view! {
        <tr class="token-row" class:unusable=!row.usable data-token=row.name.clone()>
            <td>{row.name.clone()}</td>
            <td>{row.role.label()}</td>
            <td><code>{format!("{}…", row.prefix)}</code></td>
            <td>{row.created.text.clone()}{row.created_by.clone().map(|by| format!(" by {by}"))}</td>
            <td>{row.expires_on.clone().unwrap_or_else(|| "never".into())}</td>
            <td class="last-used">{row.last_used.as_ref().map_or("never".to_string(), |s| s.text.clone())}</td>
            <td>
                {if row.usable {
                    view! { <button type="button" class="button" on:click=move |_| { revoke.dispatch(RevokeToken { id }); }>"Revoke"</button> }.into_any()
                } else {
                    view! { <span class="state">{state}</span> }.into_any()
                }}
            </td>
        </tr>
    }
}

#[component]
fn Endpoint(
    row: EndpointRow,
    remove: ServerAction<RemoveEndpoint>,
    resend: ServerAction<ResendDelivery>,
) -> impl IntoView {
    let id = row.id;
    view! {
        <article class="endpoint" data-url=row.url.clone()>
            <h3><code>{row.url.clone()}</code></h3>
            <p class="hint">{row.events.iter().map(|e| e.label()).collect::<Vec<_>>().join(" · ")}</p>
            <button type="button" class="button" on:click=move |_| { remove.dispatch(RemoveEndpoint { id }); }>"Remove"</button>
            {if row.deliveries.is_empty() {
                view! { <p class="empty-state">"Nothing sent yet."</p> }.into_any()
            } else {
                view! {
                    <table class="deliveries">
                        <thead><tr><th>"Event"</th><th>"Queued"</th><th>"Status"</th><th>"Attempts"</th><th>"Answer"</th><th></th></tr></thead>
                        <tbody>
                            {row.deliveries.into_iter().map(|d| {
                                let delivery = d.id;
                                view! {
                                    <tr class="delivery" data-status=d.status.as_str()>
                                        <td>{d.event}</td>
                                        <td>{d.created.text}</td>
                                        <td>{match d.status { DeliveryStatus::Pending => "pending", DeliveryStatus::Delivered => "delivered", DeliveryStatus::Failed => "failed" }}</td>
                                        <td>{d.attempts}</td>
                                        <td>{d.response_status.map(|s| s.to_string()).or(d.last_error).unwrap_or_default()}</td>
                                        <td><button type="button" class="button" on:click=move |_| { resend.dispatch(ResendDelivery { id: delivery }); }>"Resend"</button></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </article>
    }
}
