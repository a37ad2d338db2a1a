//! What only the browser can do, run once the page has hydrated.

/// Marks the page as hydrated (tests wait for `body[data-hydrated]`) and reports the
/// browser's time zone in the `tz` cookie, so the server formats times in it.
pub fn on_hydrated() {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        if let Some(body) = document.body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
        let options =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
                .resolved_options();
        let zone = js_sys::Reflect::get(&options, &"timeZone".into())
            .ok()
            .and_then(|z| z.as_string());
        if let (Some(zone), Ok(html)) = (zone, document.dyn_into::<web_sys::HtmlDocument>()) {
            let current = html.cookie().unwrap_or_default();
            let wanted = format!("tz={zone}");
            if !current.split("; ").any(|c| c == wanted) {
                let _ =
                    html.set_cookie(&format!("{wanted}; path=/; max-age=31536000; samesite=lax"));
            }
        }
    }
}

/// Puts text on the clipboard.
pub async fn copy_text(text: &str) -> Result<(), String> {
    #[cfg(feature = "hydrate")]
    {
        let window = web_sys::window().ok_or("no window")?;
        let promise = window.navigator().clipboard().write_text(text);
        wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .map(|_| ())
            .map_err(|e| format!("{e:?}"))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = text;
        Err("the clipboard is only reachable in the browser".into())
    }
}

/// The text of the file picked in a file input, if one is picked.
pub async fn read_picked_file(
    input: &leptos::web_sys::HtmlInputElement,
) -> Result<Option<String>, String> {
    #[cfg(feature = "hydrate")]
    {
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return Ok(None);
        };
        let text = wasm_bindgen_futures::JsFuture::from(file.text())
            .await
            .map_err(|e| format!("{e:?}"))?;
        // Picking the same file again must fire `change` again.
        input.set_value("");
        Ok(text.as_string())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = input;
        Err("files are only read in the browser".into())
    }
}
