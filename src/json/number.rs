//! The JSON number grammar, on its own: the parser uses it to find where a
//! number ends, and [`Number`](super::Number)'s `FromStr` to check a whole
//! text.
//!
//! Numbers are only *checked* here, never converted to machine numbers:
//! [`Number`](super::Number) keeps the text, and says why.

use super::error::{ErrorKind, ParseError};

/// Checks the number grammar from `start` and returns where the number ends.
///
/// ```text
/// number = [ "-" ] ( "0" / 1-9 *DIGIT ) [ "." 1*DIGIT ] [ ( "e" / "E" ) [ "+" / "-" ] 1*DIGIT ]
/// ```
///
/// The digits are only checked, never converted: see
/// [`Number`](super::Number) for why.
pub(super) fn number_end(bytes: &[u8], start: usize) -> Result<usize, ParseError> {
    let mut pos = start;
    if bytes.get(pos) == Some(&b'-') {
        pos += 1;
    }
    match bytes.get(pos) {
        Some(b'0') => {
            pos += 1;
            if let Some(b'0'..=b'9') = bytes.get(pos) {
                return Err(ParseError::new(ErrorKind::LeadingZero, pos - 1));
            }
        }
        _ => pos = digits_end(bytes, pos)?,
    }
    if bytes.get(pos) == Some(&b'.') {
        pos = digits_end(bytes, pos + 1)?;
    }
    if let Some(b'e' | b'E') = bytes.get(pos) {
        pos += 1;
        if let Some(b'+' | b'-') = bytes.get(pos) {
            pos += 1;
        }
        pos = digits_end(bytes, pos)?;
    }
    Ok(pos)
}

/// Requires at least one digit at `pos` and returns the end of the digits.
fn digits_end(bytes: &[u8], pos: usize) -> Result<usize, ParseError> {
    let digits = bytes
        .get(pos..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    match (digits, bytes.get(pos)) {
        (0, None) => Err(ParseError::new(ErrorKind::UnexpectedEnd, pos)),
        (0, Some(_)) => Err(ParseError::new(ErrorKind::InvalidNumber, pos)),
        _ => Ok(pos + digits),
    }
}

/// Checks that the whole of `text` is one number (for `Number::from_str`).
pub(super) fn check_number_text(text: &str) -> Result<(), ParseError> {
    let bytes = text.as_bytes();
    match bytes.first() {
        Some(b'-' | b'0'..=b'9') => {}
        Some(_) => return Err(ParseError::new(ErrorKind::ExpectedValue, 0)),
        None => return Err(ParseError::new(ErrorKind::UnexpectedEnd, 0)),
    }
    let end = number_end(bytes, 0)?;
    if end != bytes.len() {
        return Err(ParseError::new(ErrorKind::TrailingCharacters, end));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_where_each_form_ends() {
        for (text, end) in [
            ("0", 1),
            ("-0", 2),
            ("12,", 2),
            ("3.25]", 4),
            ("-1e9}", 4),
            ("6.02E+23 ", 8),
            ("1e-7", 4),
            ("0x10", 1), // the number is `0`; what follows is the parser's business
        ] {
            assert_eq!(number_end(text.as_bytes(), 0), Ok(end), "{text:?}");
        }
    }

    #[test]
    fn starts_where_it_is_told() {
        assert_eq!(number_end(b"[10, 200]", 5), Ok(8));
    }

    #[test]
    fn refuses_what_the_grammar_does_not_allow() {
        for (text, kind, offset) in [
            ("01", ErrorKind::LeadingZero, 0),
            ("-007", ErrorKind::LeadingZero, 1),
            ("-", ErrorKind::UnexpectedEnd, 1),
            ("-a", ErrorKind::InvalidNumber, 1),
            ("1.", ErrorKind::UnexpectedEnd, 2),
            ("1.e5", ErrorKind::InvalidNumber, 2),
            ("1e+", ErrorKind::UnexpectedEnd, 3),
        ] {
            assert_eq!(
                number_end(text.as_bytes(), 0),
                Err(ParseError::new(kind, offset)),
                "{text:?}"
            );
        }
    }

    #[test]
    fn a_whole_text_is_one_number_or_an_error() {
        assert_eq!(check_number_text("-12.5e3"), Ok(()));
        for (text, kind, offset) in [
            ("", ErrorKind::UnexpectedEnd, 0),
            ("+1", ErrorKind::ExpectedValue, 0),
            ("1 ", ErrorKind::TrailingCharacters, 1),
            ("12abc", ErrorKind::TrailingCharacters, 2),
        ] {
            assert_eq!(
                check_number_text(text),
                Err(ParseError::new(kind, offset)),
                "{text:?}"
            );
        }
    }
}
