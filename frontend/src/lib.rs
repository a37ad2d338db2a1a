//! The browser entry point: hydrate the server-rendered page and nothing else. Most
//! routes are lazy (their code is a chunk loaded when first opened): the entry first
//! loads the chunk of the page the server rendered, then hydrates the whole page at once,
//! synchronously; only then is it marked hydrated.
//!
//! Synchronous hydration is what keeps the bundle small. Hydrating asynchronously
//! (`hydrate_lazy`) would await the chunk inside hydration instead, but every view that
//! can be type-erased would then carry a second, async copy of its hydration code (about
//! a sixth of the bundle's code), which this build leaves out (the `tachys` patch in
//! `vendor/`, README "First load").

use leptos_router::{ChooseView, MatchInterface, RouteDefs};

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(async {
        load_page_chunk().await;
        leptos::mount::hydrate_body(app::App);
        app::components::browser::on_hydrated();
    });
}

/// Loads the chunk of the page at this address, if its route is lazy (the page already
/// asked the browser to preload its files, so this is mostly a wait for them).
async fn load_page_chunk() {
    let path = leptos::prelude::window()
        .location()
        .pathname()
        .unwrap_or_default();
    if let Some(matched) = RouteDefs::new(app::routes()).match_route(&path) {
        matched.into_view_and_child().0.preload().await;
    }
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
