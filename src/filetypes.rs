//! Which files may be sent: `--allow-ext` and `--deny-ext` (contract §12).
//!
//! The server takes the two lists on its command line, refuses a `FILE`
//! whose name they rule out (`ERROR file_type_refused`), and announces them
//! in the welcome, `"file_types": {"allow": [...], "deny": [...]}`, so that
//! a client can refuse such a file before it sends a byte of it. Both sides
//! use this one module, so they cannot disagree about a name.
//!
//! # The lists
//!
//! Comma-separated extensions, compared ignoring ASCII case: `--allow-ext
//! txt,pdf,png`. Spaces around an item and one leading dot are tolerated
//! (`"txt, .pdf"` is `txt,pdf`), since both are what a person naturally
//! types and neither can mean anything else. Refused, with the item named:
//! an empty item (`txt,,pdf`, a trailing comma), a dot inside an item
//! (`tar.gz`: only the last extension counts, see below, so such an item
//! could never match), a space, slash or control character inside an item,
//! and items longer than [`MAX_EXT_CHARS`]. The announced lists hold the
//! items lower-cased, without dots, each once.
//!
//! # Which extension a name has
//!
//! The extension is what follows the **last** dot of the name a receiver
//! will save the file under ([`safe_file_name`]): the last path component,
//! with trailing dots and spaces removed, as Windows removes them.
//!
//! | name | extension | why |
//! |---|---|---|
//! | `photo.JPG` | `jpg` | case is ignored |
//! | `archive.tar.gz` | `gz` | the last one decides how a system opens a file |
//! | `invoice.pdf.exe` | `exe` | the classic disguise; the last dot wins |
//! | `evil.exe.` or `evil.exe ` | `exe` | Windows saves it as `evil.exe` |
//! | `.bashrc` | `bashrc` | see below |
//! | `README`, `name.` | none | no dot (once the trailing one is gone) |
//!
//! Unix tools say `.bashrc` has no extension: the leading dot only hides
//! the file. Windows says a file named `.exe` is a program. A filter must
//! read a name the way the receiver most easily harmed would, so a leading
//! dot counts like any other.
//!
//! # Both lists together
//!
//! A name passes when the allow list is empty or holds its extension, *and*
//! the deny list does not hold it: deny wins. So with an allow list, a name
//! without an extension is refused (there is nothing to allow it by); with
//! only a deny list, it passes.

use crate::transfer::safe_file_name;

/// The longest extension an item may have, in characters.
pub const MAX_EXT_CHARS: usize = 32;

/// The most items a list may have. The command line is the operator's,
/// but a client reads the lists from a server's welcome, which is a peer.
pub const MAX_EXTS: usize = 256;

/// Which list an error or a refusal is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    Allow,
    Deny,
}

/// Why a list of extensions was refused. The wording is in [`crate::text`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtListError {
    /// Item number `position` (counting from 1) is empty.
    EmptyItem {
        position: usize,
    },
    /// An item has a dot after its first character (`tar.gz`).
    InnerDot {
        item: String,
    },
    /// An item has a space, a slash, a backslash or a control character.
    BadCharacter {
        item: String,
        c: char,
    },
    TooLong {
        item: String,
    },
    TooMany {
        count: usize,
    },
}

/// Why a file name was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// Its extension is on the deny list.
    Denied { ext: String },
    /// There is an allow list and its extension (`None`: it has none) is
    /// not on it.
    NotAllowed { ext: Option<String> },
}

/// The two lists. The default has neither: every file passes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileTypes {
    allow: Vec<String>,
    deny: Vec<String>,
}

impl FileTypes {
    /// The rules from the text of `--allow-ext` and `--deny-ext` (`None`
    /// for a flag not given).
    pub fn from_flags(allow: Option<&str>, deny: Option<&str>) -> Result<FileTypes, ExtListError> {
        Ok(FileTypes {
            allow: allow.map(parse_list).transpose()?.unwrap_or_default(),
            deny: deny.map(parse_list).transpose()?.unwrap_or_default(),
        })
    }

    /// The rules as a welcome announces them, checked like the flags: a
    /// client must not trust a server's lists more than its own.
    pub fn from_lists<S: AsRef<str>>(allow: &[S], deny: &[S]) -> Result<FileTypes, ExtListError> {
        Ok(FileTypes {
            allow: normalize(allow.iter().map(AsRef::as_ref))?,
            deny: normalize(deny.iter().map(AsRef::as_ref))?,
        })
    }

    /// The allow list, lower-cased, without dots: what the welcome announces.
    pub fn allow(&self) -> &[String] {
        &self.allow
    }

    /// The deny list, in the same form.
    pub fn deny(&self) -> &[String] {
        &self.deny
    }

    /// Whether there are no rules at all.
    pub fn is_open(&self) -> bool {
        self.allow.is_empty() && self.deny.is_empty()
    }

    /// May a file called `file_name` be sent?
    pub fn check(&self, file_name: &str) -> Result<(), Refused> {
        let ext = extension(file_name);
        if let Some(ext) = &ext
            && self.deny.contains(ext)
        {
            return Err(Refused::Denied { ext: ext.clone() });
        }
        if self.allow.is_empty() {
            return Ok(());
        }
        match ext {
            Some(ext) if self.allow.contains(&ext) => Ok(()),
            ext => Err(Refused::NotAllowed { ext }),
        }
    }
}

/// The extension of `file_name`, lower-cased, as the module documentation
/// defines it; `None` when it has none.
pub fn extension(file_name: &str) -> Option<String> {
    let saved = safe_file_name(file_name);
    let (_, ext) = saved.rsplit_once('.')?;
    if ext.is_empty() {
        // Cannot happen after `safe_file_name`, which removes trailing
        // dots; said here so that the rule does not depend on it.
        return None;
    }
    Some(ext.to_ascii_lowercase())
}

/// One flag's text: a comma-separated list.
pub fn parse_list(text: &str) -> Result<Vec<String>, ExtListError> {
    normalize(text.split(','))
}

fn normalize<'a>(items: impl Iterator<Item = &'a str>) -> Result<Vec<String>, ExtListError> {
    let mut list: Vec<String> = Vec::new();
    for (i, item) in items.enumerate() {
        if i >= MAX_EXTS {
            return Err(ExtListError::TooMany { count: i + 1 });
        }
        let ext = normalize_item(item, i + 1)?;
        if !list.contains(&ext) {
            list.push(ext);
        }
    }
    Ok(list)
}

fn normalize_item(item: &str, position: usize) -> Result<String, ExtListError> {
    let trimmed = item.trim_matches(' ');
    let ext = trimmed.strip_prefix('.').unwrap_or(trimmed);
    if ext.is_empty() {
        return Err(ExtListError::EmptyItem { position });
    }
    let shown = || clip(trimmed);
    if ext.contains('.') {
        return Err(ExtListError::InnerDot { item: shown() });
    }
    if let Some(c) = ext
        .chars()
        .find(|&c| c.is_whitespace() || c.is_control() || c == '/' || c == '\\')
    {
        return Err(ExtListError::BadCharacter { item: shown(), c });
    }
    if ext.chars().count() > MAX_EXT_CHARS {
        return Err(ExtListError::TooLong { item: shown() });
    }
    Ok(ext.to_ascii_lowercase())
}

/// An item as an error message quotes it: at most a few more characters
/// than a valid one has (the text may come from a peer).
fn clip(item: &str) -> String {
    match item.char_indices().nth(MAX_EXT_CHARS + 8) {
        Some((end, _)) => format!("{}…", &item[..end]),
        None => item.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(allow: &str, deny: &str) -> FileTypes {
        let allow = (!allow.is_empty()).then_some(allow);
        let deny = (!deny.is_empty()).then_some(deny);
        FileTypes::from_flags(allow, deny).unwrap()
    }

    #[test]
    fn lists_are_lower_cased_deduplicated_and_tolerate_spaces_and_a_dot() {
        assert_eq!(parse_list("txt,pdf").unwrap(), ["txt", "pdf"]);
        assert_eq!(
            parse_list("TXT, .Pdf ,  png").unwrap(),
            ["txt", "pdf", "png"]
        );
        assert_eq!(parse_list("txt,TXT,.txt").unwrap(), ["txt"]);
        assert_eq!(parse_list("文档").unwrap(), ["文档"]);
        assert_eq!(parse_list("gz").unwrap(), ["gz"]);
    }

    #[test]
    fn bad_lists_name_the_bad_item() {
        assert_eq!(parse_list(""), Err(ExtListError::EmptyItem { position: 1 }));
        assert_eq!(
            parse_list("txt,,pdf"),
            Err(ExtListError::EmptyItem { position: 2 })
        );
        assert_eq!(
            parse_list("txt,"),
            Err(ExtListError::EmptyItem { position: 2 })
        );
        assert_eq!(
            parse_list(" . "),
            Err(ExtListError::EmptyItem { position: 1 })
        );
        assert_eq!(
            parse_list("tar.gz"),
            Err(ExtListError::InnerDot {
                item: "tar.gz".into()
            })
        );
        assert_eq!(
            parse_list("..txt"),
            Err(ExtListError::InnerDot {
                item: "..txt".into()
            })
        );
        assert_eq!(
            parse_list("t xt"),
            Err(ExtListError::BadCharacter {
                item: "t xt".into(),
                c: ' '
            })
        );
        assert_eq!(
            parse_list("txt\tpdf"),
            Err(ExtListError::BadCharacter {
                item: "txt\tpdf".into(),
                c: '\t'
            })
        );
        assert!(matches!(
            parse_list("a/b"),
            Err(ExtListError::BadCharacter { c: '/', .. })
        ));
        assert!(matches!(
            parse_list("a\\b"),
            Err(ExtListError::BadCharacter { c: '\\', .. })
        ));
        assert!(matches!(
            parse_list("e\u{1b}[31m"),
            Err(ExtListError::BadCharacter { c: '\u{1b}', .. })
        ));
        assert_eq!(parse_list(&"x".repeat(32)).unwrap().len(), 1);
        assert!(matches!(
            parse_list(&"x".repeat(33)),
            Err(ExtListError::TooLong { .. })
        ));
    }

    #[test]
    fn errors_quote_long_items_cut_short() {
        match parse_list(&"名".repeat(10_000)) {
            Err(ExtListError::TooLong { item }) => {
                assert_eq!(item.chars().count(), MAX_EXT_CHARS + 9)
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn lists_have_a_bounded_length() {
        let many: Vec<String> = (0..MAX_EXTS).map(|i| format!("e{i}")).collect();
        assert_eq!(parse_list(&many.join(",")).unwrap().len(), MAX_EXTS);
        let too_many: Vec<String> = (0..100_000).map(|i| format!("e{i}")).collect();
        assert_eq!(
            parse_list(&too_many.join(",")),
            Err(ExtListError::TooMany {
                count: MAX_EXTS + 1
            })
        );
    }

    #[test]
    fn the_extension_is_after_the_last_dot_of_the_saved_name() {
        let cases = [
            ("photo.JPG", Some("jpg")),
            ("archive.tar.gz", Some("gz")),
            ("invoice.pdf.exe", Some("exe")),
            ("evil.exe.", Some("exe")),
            ("evil.exe ", Some("exe")),
            ("evil.exe. . .", Some("exe")),
            (".bashrc", Some("bashrc")),
            ("README", None),
            ("name.", None),
            ("..", None),
            ("", None),
            ("dir/sub/notes.TXT", Some("txt")),
            ("C:\\Users\\x\\run.BAT", Some("bat")),
            // Saved as `file`: a name ending in a slash has no last component.
            ("report.pdf/", None),
            ("报告.文档", Some("文档")),
            ("x.exe:stream", Some("exe_stream")),
        ];
        for (name, ext) in cases {
            assert_eq!(extension(name).as_deref(), ext, "{name:?}");
        }
    }

    #[test]
    fn no_rules_pass_everything() {
        let open = FileTypes::default();
        assert!(open.is_open());
        for name in ["a.exe", "README", ".bashrc", "x.tar.gz", ""] {
            assert_eq!(open.check(name), Ok(()));
        }
    }

    #[test]
    fn an_allow_list_admits_only_its_extensions() {
        let r = rules("txt,PDF", "");
        assert_eq!(r.check("notes.txt"), Ok(()));
        assert_eq!(r.check("NOTES.TXT"), Ok(()));
        assert_eq!(r.check("paper.pdf"), Ok(()));
        assert_eq!(
            r.check("song.mp3"),
            Err(Refused::NotAllowed {
                ext: Some("mp3".into())
            })
        );
        assert_eq!(r.check("README"), Err(Refused::NotAllowed { ext: None }));
        assert_eq!(r.check("name."), Err(Refused::NotAllowed { ext: None }));
        // `txt.exe` is an exe, whatever its stem says.
        assert_eq!(
            r.check("notes.txt.exe"),
            Err(Refused::NotAllowed {
                ext: Some("exe".into())
            })
        );
    }

    #[test]
    fn a_deny_list_refuses_only_its_extensions() {
        let r = rules("", "exe,bat");
        assert_eq!(
            r.check("setup.EXE"),
            Err(Refused::Denied { ext: "exe".into() })
        );
        assert_eq!(
            r.check("setup.exe."),
            Err(Refused::Denied { ext: "exe".into() })
        );
        assert_eq!(r.check(".exe"), Err(Refused::Denied { ext: "exe".into() }));
        assert_eq!(r.check("notes.txt"), Ok(()));
        assert_eq!(r.check("README"), Ok(()));
        assert_eq!(r.check("exe"), Ok(()), "a name, not an extension");
    }

    #[test]
    fn deny_wins_over_allow() {
        let r = rules("txt,exe", "EXE");
        assert_eq!(r.check("a.txt"), Ok(()));
        assert_eq!(r.check("a.exe"), Err(Refused::Denied { ext: "exe".into() }));
        assert_eq!(r.allow(), ["txt", "exe"]);
        assert_eq!(r.deny(), ["exe"]);
    }

    #[test]
    fn only_the_last_extension_counts_for_double_extensions() {
        let r = rules("", "gz");
        assert!(r.check("archive.tar.gz").is_err());
        let r = rules("tar", "");
        assert!(r.check("archive.tar.gz").is_err());
        assert!(r.check("archive.tar").is_ok());
    }

    #[test]
    fn lists_from_a_welcome_are_checked_like_flags() {
        let r = FileTypes::from_lists(&["TXT", "pdf"], &[]).unwrap();
        assert_eq!(r, rules("txt,pdf", ""));
        assert!(FileTypes::from_lists(&["txt", ""], &[]).is_err());
        assert!(FileTypes::from_lists::<&str>(&[], &["a.b"]).is_err());
        let huge: Vec<String> = (0..10_000).map(|i| i.to_string()).collect();
        assert!(FileTypes::from_lists(&huge, &[]).is_err());
        // What a server announces, a client reads back to the same rules.
        let server = rules(" .TXT, png", "exe");
        let client = FileTypes::from_lists(server.allow(), server.deny()).unwrap();
        assert_eq!(client, server);
    }
}
