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

/// The words of `markdown` without its markup, on one line: for places that quote it
/// as plain text (the status view's impact, excerpts).
pub fn plain(markdown: &str) -> String {
    use pulldown_cmark::{Event, TagEnd};
    let mut text = String::with_capacity(markdown.len());
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph | TagEnd::Item) => {
                text.push(' ')
            }
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
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
    use super::{plain, render};

    #[test]
    fn plain_text_keeps_the_words_and_drops_the_markup() {
        assert_eq!(
            plain("Push campaigns were **delayed**.\n\n- one\n- `two` [link](https://x.io)"),
            "Push campaigns were delayed. one two link"
        );
    }

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
