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

/// Room for wasm-split to lay out the data it moves into the lazy chunks. It places each
/// chunk's share of the read-only data at an aligned offset of its own; when that padding
/// makes the total longer than the linked segment, it gives up and leaves *all* data
/// (every lazy page's strings) in the main bundle, silently. These bytes are kept by the
/// linker (`#[used]`) but referenced by no code, so wasm-split emits them nowhere: they
/// cost nothing in any bundle and leave it the room. `scripts/test`'s first-load budget
/// notices if the room runs out.
#[used]
static SPLIT_DATA_ROOM: [u8; 8192] = [0x5a; 8192];
