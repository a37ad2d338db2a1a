//! The browser entry point: hydrate the server-rendered page and nothing else. Some
//! routes are lazy (their code is a chunk loaded when first opened), so the page
//! hydrates asynchronously, waiting for the chunks the server rendered with; only then
//! is it marked hydrated.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(async {
        let owner = leptos::mount::hydrate_from_async(leptos::tachys::dom::body(), app::App).await;
        owner.forget();
        app::components::browser::on_hydrated();
    });
}
