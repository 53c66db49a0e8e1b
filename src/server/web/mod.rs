//! The browser client, built into the server: `GET /` answers with this page.
//!
//! The page is three files written for it, `index.html`, `app.js` and
//! `style.css`, compiled into the binary with `include_str!`, so the server
//! needs nothing on disk to serve it and a student's copy cannot drift from
//! the code that speaks to it.
//!
//! # One request, one page, and a policy that names its script
//!
//! The wire contract (section 13) serves one HTML page "with its script and
//! style" at `/` and answers every other path 404. So the script and the
//! style sheet are written *into* the page when the server starts
//! ([`page`]): `index.html` holds two markers, `<!-- style.css -->` and
//! `<!-- app.js -->`, which become a `<style>` and a `<script>` element.
//! (The other way, serving `/app.js` and `/style.css` as paths of their
//! own, would cost two more requests and two more routes for nothing.)
//!
//! Inline script is exactly what a cross-site-scripting attack injects, so a
//! Content-Security-Policy normally forbids it. Ours allows two inline
//! blocks and no others: the policy carries the SHA-256 of each
//! (`script-src 'sha256-…'`), computed here from the very text we insert.
//! Should a peer's chat line ever reach the page as markup despite the
//! script's rule (every peer string goes in as text, never as HTML), a
//! `<script>` it smuggled in would have another hash and would not run.
//! The rest of the policy: nothing loads from anywhere (`default-src
//! 'none'`), the WebSocket may go to this server only (`connect-src
//! 'self'`), and no other site may frame the page (`frame-ancestors
//! 'none'`).

use std::sync::OnceLock;

use crate::base64;
use crate::crypto::sha256;

/// The page's skeleton, with the two markers below.
const INDEX_HTML: &str = include_str!("index.html");
/// The client: protocol, screen, files, both languages.
const APP_JS: &str = include_str!("app.js");
const STYLE_CSS: &str = include_str!("style.css");

const STYLE_MARKER: &str = "<!-- style.css -->";
const SCRIPT_MARKER: &str = "<!-- app.js -->";

/// The page as served, and the policy that goes with it.
#[derive(Debug)]
pub struct Page {
    /// `index.html` with the style sheet and the script written in.
    pub html: String,
    /// The `Content-Security-Policy` header's value.
    pub csp: String,
}

/// The page, assembled on first use and kept for the life of the process.
pub fn page() -> &'static Page {
    static PAGE: OnceLock<Page> = OnceLock::new();
    PAGE.get_or_init(|| assemble(INDEX_HTML, STYLE_CSS, APP_JS))
}

/// Writes `style` and `script` into `html` in place of the markers, and
/// builds the policy that allows exactly those two blocks.
fn assemble(html: &str, style: &str, script: &str) -> Page {
    let html = html
        .replacen(STYLE_MARKER, &format!("<style>{style}</style>"), 1)
        .replacen(SCRIPT_MARKER, &format!("<script>{script}</script>"), 1);
    let csp = format!(
        "default-src 'none'; script-src {}; style-src {}; connect-src 'self'; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        hash_source(script),
        hash_source(style)
    );
    Page { html, csp }
}

/// A CSP hash source: `'sha256-` + base64 of the SHA-256 of the block's text
/// (its UTF-8 bytes, exactly as between the tags) + `'`.
fn hash_source(block: &str) -> String {
    format!(
        "'sha256-{}'",
        base64::encode(&sha256::digest(block.as_bytes()))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_source_is_base64_of_sha256() {
        // The hash of nothing, as browsers' developer tools print it.
        assert_eq!(
            hash_source(""),
            "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
        );
    }

    #[test]
    fn the_page_carries_its_script_and_style_and_the_policy_names_them() {
        let page = page();
        assert!(!page.html.contains(STYLE_MARKER) && !page.html.contains(SCRIPT_MARKER));
        assert!(page.html.contains(&format!("<script>{APP_JS}</script>")));
        assert!(page.html.contains(&format!("<style>{STYLE_CSS}</style>")));
        assert!(page.csp.contains(&hash_source(APP_JS)));
        assert!(page.csp.contains(&hash_source(STYLE_CSS)));
        assert!(page.csp.starts_with("default-src 'none'; "));
        assert!(page.csp.contains("connect-src 'self'"));
    }

    #[test]
    fn each_marker_appears_once() {
        assert_eq!(INDEX_HTML.matches(STYLE_MARKER).count(), 1);
        assert_eq!(INDEX_HTML.matches(SCRIPT_MARKER).count(), 1);
    }

    #[test]
    fn the_inserted_blocks_cannot_end_early() {
        // An HTML parser ends a <script> at the first "</script" whatever
        // the JavaScript around it means (and a <style> likewise).
        assert!(!APP_JS.to_ascii_lowercase().contains("</script"));
        assert!(!STYLE_CSS.to_ascii_lowercase().contains("</style"));
    }

    #[test]
    fn the_page_loads_nothing_from_anywhere() {
        let page = &page().html;
        for needle in ["http://", "https://", "src=", "<link", "@import", "url("] {
            assert!(!page.contains(needle), "the page contains {needle:?}");
        }
    }

    #[test]
    fn the_script_never_turns_text_into_markup() {
        // Every peer-controlled string goes in as text. These are the ways
        // a string could become HTML or code; none may appear.
        for needle in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "new Function",
            "createContextualFragment",
            "DOMParser",
            "setAttribute('on",
        ] {
            assert!(!APP_JS.contains(needle), "app.js uses {needle}");
        }
    }

    /// The keys of one catalogue object in app.js: the lines `  key: ...`
    /// between `const NAME = {` and the `};` that closes it.
    fn catalogue_keys(name: &str) -> Vec<&'static str> {
        let start = format!("const {name} = {{\n");
        let from = APP_JS.find(&start).expect("catalogue start") + start.len();
        let body = &APP_JS[from..from + APP_JS[from..].find("\n};\n").expect("catalogue end")];
        body.lines()
            .filter_map(|line| line.strip_prefix("  "))
            .filter(|line| line.starts_with(|c: char| c.is_ascii_alphabetic()))
            .filter_map(|line| line.split_once(':').map(|(key, _)| key))
            .collect()
    }

    #[test]
    fn both_languages_have_every_sentence() {
        let en = catalogue_keys("EN");
        let zh = catalogue_keys("ZH");
        assert!(en.len() > 40, "{en:?}");
        assert_eq!(en, zh);
        // Every label the HTML asks for exists.
        for part in INDEX_HTML.split("data-text=\"").skip(1) {
            let key = &part[..part.find('"').unwrap_or(0)];
            assert!(en.contains(&key), "index.html asks for {key}");
        }
    }
}
