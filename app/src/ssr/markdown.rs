//! Markdown written by people (messages, posts, later email bodies and postmortems),
//! rendered with pulldown-cmark and sanitised with ammonia before any browser sees it:
//! no script, event handler or `javascript:` link survives.

use pulldown_cmark::{html, Options, Parser};
use std::{collections::HashSet, sync::OnceLock};

/// Safe HTML for `markdown`.
pub fn render(markdown: &str) -> String {
    let options =
        Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS;
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(markdown, options));
    sanitiser().clean(&raw).to_string()
}

/// Built once: the rules never change.
fn sanitiser() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        builder
            .url_schemes(HashSet::from(["http", "https", "mailto"]))
            .link_rel(Some("noopener noreferrer nofollow"));
        builder
    })
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn markdown_becomes_html() {
        assert_eq!(
            render("**down** since `10:02`"),
            "<p><strong>down</strong> since <code>10:02</code></p>\n"
        );
    }

    #[test]
    fn scripts_handlers_and_javascript_links_do_not_survive() {
        let html = render(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[click](javascript:alert(3)) <a href=\"javascript:alert(4)\" onclick=\"x()\">a</a>",
        );
        for bad in ["<script", "onerror", "javascript:", "onclick", "alert(1)"] {
            assert!(!html.contains(bad), "{bad} survived in {html}");
        }
        assert!(render("[ok](https://status.example.com)")
            .contains("href=\"https://status.example.com\""));
    }
}
