//! The JSON value type: what a parsed body becomes and what a message is
//! built from before it is encoded.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;

use super::error::ParseError;
use super::number;

/// One JSON value.
///
/// The derived `Clone`, `PartialEq`, `Debug` and the compiler's drop glue
/// walk nested values recursively. That is safe for every value the parser
/// makes, because it refuses anything nested deeper than
/// [`MAX_DEPTH`](super::MAX_DEPTH), and the messages we build ourselves are
/// three levels deep.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Value>),
    Object(Object),
}

impl Value {
    /// The text of a string value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A number written as a non-negative integer that fits in a `u64`.
    /// See [`Number::as_u64`].
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    /// A number written as an integer that fits in an `i64`.
    /// See [`Number::as_i64`].
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Value::Object(object) => Some(object),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

/// Formats the value exactly as [`to_string`](super::to_string) does, so
/// `format!("{value}")` gives the bytes Python's `json.dumps` would give.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&super::to_string(self))
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Self {
        Value::Array(items)
    }
}

impl From<Object> for Value {
    fn from(object: Object) -> Self {
        Value::Object(object)
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Self {
        Value::Number(n)
    }
}

/// A JSON number, kept as the text it was written with.
///
/// JSON puts no limit on a number's size or precision, and the protocol only
/// ever needs integers (sizes, indexes, timestamps). Keeping the text means
/// parsing never loses anything and never does arithmetic: a peer may send
/// `1e999999` or a 1,000-digit integer, and it costs no more than reading
/// its bytes. Callers convert when they need a machine integer, and learn
/// then whether it fits.
///
/// The text always matches the RFC 8259 number grammar: it comes from the
/// parser, from [`FromStr`], or from one of the integer `From` conversions.
/// Two numbers are equal when their texts are equal, so `1.0` differs from
/// `1` and `1e2` from `100`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Number(String);

impl Number {
    /// Wraps text that has already been checked against the grammar.
    pub(super) fn from_valid_text(text: String) -> Self {
        Number(text)
    }

    /// The value as a `u64`, if it is written as a non-negative integer
    /// (no fraction, no exponent) that fits. As in Python, `7.0` and `7e0`
    /// are not integers.
    pub fn as_u64(&self) -> Option<u64> {
        // The grammar allows no '+', so Rust's integer parser sees exactly
        // the forms JSON allows; it stops at the first digit that overflows,
        // so a million-digit number costs no more than twenty digits.
        self.0.parse().ok()
    }

    /// The value as an `i64`, if it is written as an integer that fits.
    pub fn as_i64(&self) -> Option<i64> {
        self.0.parse().ok()
    }

    /// The number's text, exactly as it will be written out.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks the text against the JSON number grammar, so that numbers other
/// than integers (`"2.5"`, `"-1e-9"`) can be built too.
impl FromStr for Number {
    type Err = ParseError;

    fn from_str(text: &str) -> Result<Self, ParseError> {
        number::check_number_text(text)?;
        Ok(Number(text.to_owned()))
    }
}

// Integers become plain decimal text, as Python writes them.
macro_rules! number_from_integer {
    ($($int:ty),*) => {$(
        impl From<$int> for Number {
            fn from(n: $int) -> Self {
                Number(n.to_string())
            }
        }

        impl From<$int> for Value {
            fn from(n: $int) -> Self {
                Value::Number(Number::from(n))
            }
        }
    )*};
}

// `i32` is here so that an unsuffixed literal such as `Value::from(5)` or
// `object.insert("index", 0)` compiles: Rust falls back to `i32` for it.
number_from_integer!(u64, i64, u32, i32, usize);

/// A JSON object: key/value pairs that keep the order they were inserted in,
/// like a Python `dict`.
///
/// The order matters because Python's `json.dumps` writes keys in insertion
/// order, and we promise the same bytes (envelope keys go out as `type`,
/// `data`, `metadata`). Keys are unique: [`insert`](Object::insert) replaces
/// the value of an existing key in place, and when a parsed text repeats a
/// key the last value wins at the first key's position, which is what
/// Python's `json.loads` does.
///
/// Lookups scan the pairs in order. That is the fastest choice for the
/// handful of keys a message has; it makes building a large object with
/// `insert` quadratic, which no part of this program does. (The parser does
/// not use `insert`: it removes repeated keys in linear time, so a hostile
/// body with 100,000 keys costs no more than its bytes.)
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Object(Vec<(String, Value)>);

impl Object {
    pub fn new() -> Self {
        Object(Vec::new())
    }

    /// Builds an object from pairs in order. A repeated key keeps its first
    /// position and takes its last value.
    pub(super) fn from_pairs(pairs: Vec<(String, Value)>) -> Self {
        if !has_repeated_key(&pairs) {
            return Object(pairs);
        }
        // Rare: only a body that repeats a key comes here. Remember where
        // each key first went, so every later value lands in that slot.
        let mut slot_of_key: HashMap<String, usize> = HashMap::with_capacity(pairs.len());
        let mut unique: Vec<(String, Value)> = Vec::with_capacity(pairs.len());
        for (key, value) in pairs {
            match slot_of_key.get(&key) {
                Some(&slot) => {
                    if let Some(pair) = unique.get_mut(slot) {
                        pair.1 = value;
                    }
                }
                None => {
                    slot_of_key.insert(key.clone(), unique.len());
                    unique.push((key, value));
                }
            }
        }
        Object(unique)
    }

    /// The pairs as stored, for the encoder.
    pub(super) fn pairs(&self) -> &[(String, Value)] {
        &self.0
    }

    /// Sets `key` to `value`. An existing key keeps its position and gets
    /// the new value; a new key goes at the end.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<Value>) {
        let key = key.into();
        let value = value.into();
        match self.get_mut(&key) {
            Some(slot) => *slot = value,
            None => self.0.push((key, value)),
        }
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.0.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Takes the value of `key` out of the object; the other keys keep
    /// their order.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let index = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(index).1)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The pairs in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
}

/// True if some key occurs twice, found in linear time.
fn has_repeated_key(pairs: &[(String, Value)]) -> bool {
    // Comparing every pair with every other is quickest for the few keys of
    // a message, but quadratic; above this size a hash set takes over.
    const SMALL: usize = 8;
    if pairs.len() <= SMALL {
        return pairs
            .iter()
            .enumerate()
            .any(|(i, (key, _))| pairs[..i].iter().any(|(earlier, _)| earlier == key));
    }
    let mut seen: HashSet<&str> = HashSet::with_capacity(pairs.len());
    !pairs.iter().all(|(key, _)| seen.insert(key))
}

/// Moves the pairs out, in order, e.g. to take ownership of the strings.
impl IntoIterator for Object {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// Collects pairs with the same rule as parsing: a repeated key keeps its
/// first position and takes its last value.
impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Object {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        let pairs = pairs
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Object::from_pairs(pairs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(text: &str) -> Number {
        text.parse().expect("test numbers are valid")
    }

    #[test]
    fn as_u64_accepts_only_integers_that_fit() {
        assert_eq!(number("0").as_u64(), Some(0));
        assert_eq!(number("18446744073709551615").as_u64(), Some(u64::MAX));
        assert_eq!(number("18446744073709551616").as_u64(), None);
        assert_eq!(number("-1").as_u64(), None);
        assert_eq!(number("7.0").as_u64(), None);
        assert_eq!(number("7e0").as_u64(), None);
        assert_eq!(Value::from(5).as_u64(), Some(5));
        assert_eq!(Value::from("5").as_u64(), None);
    }

    #[test]
    fn as_i64_accepts_negative_integers_that_fit() {
        assert_eq!(number("-9223372036854775808").as_i64(), Some(i64::MIN));
        assert_eq!(number("-9223372036854775809").as_i64(), None);
        assert_eq!(number("9223372036854775807").as_i64(), Some(i64::MAX));
        assert_eq!(number("-0").as_i64(), Some(0));
        assert_eq!(number("-0").as_u64(), None);
        assert_eq!(number("-2.5").as_i64(), None);
    }

    #[test]
    fn as_u64_on_a_million_digits_returns_none() {
        let digits = "9".repeat(1_000_000);
        assert_eq!(number(&digits).as_u64(), None);
        assert_eq!(number(&digits).as_i64(), None);
    }

    #[test]
    fn integers_become_plain_decimal_text() {
        assert_eq!(Number::from(u64::MAX).as_str(), "18446744073709551615");
        assert_eq!(Number::from(i64::MIN).as_str(), "-9223372036854775808");
        assert_eq!(Number::from(7u32).as_str(), "7");
        assert_eq!(Number::from(12usize).as_str(), "12");
        assert_eq!(Value::from(-3).as_i64(), Some(-3));
    }

    #[test]
    fn number_from_str_checks_the_grammar() {
        assert_eq!(number("-1.5e+10").as_str(), "-1.5e+10");
        for bad in [
            "", "01", "+1", ".5", "1.", "1e", "NaN", "1 ", " 1", "0x10", "--1",
        ] {
            assert!(bad.parse::<Number>().is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn numbers_compare_by_text() {
        assert_ne!(number("1.0"), number("1"));
        assert_eq!(number("1e2"), number("1e2"));
    }

    #[test]
    fn insert_replaces_in_place_and_appends_new_keys() {
        let mut object = Object::new();
        object.insert("type", "TEXT");
        object.insert("data", "hi");
        object.insert("type", "ERROR");
        let keys: Vec<&str> = object.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["type", "data"]);
        assert_eq!(object.get("type"), Some(&Value::from("ERROR")));
        assert_eq!(object.len(), 2);
    }

    #[test]
    fn remove_keeps_the_order_of_the_rest() {
        let mut object: Object = [("a", 1), ("b", 2), ("c", 3)].into_iter().collect();
        assert_eq!(object.remove("b"), Some(Value::from(2)));
        assert_eq!(object.remove("b"), None);
        let keys: Vec<&str> = object.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["a", "c"]);
    }

    #[test]
    fn empty_object() {
        let object = Object::default();
        assert!(object.is_empty());
        assert_eq!(object.len(), 0);
        assert_eq!(object.get("a"), None);
    }

    #[test]
    fn repeated_keys_keep_first_position_and_last_value() {
        // Python: dict([("a", 1), ("b", 2), ("a", 3)]) == {"a": 3, "b": 2}
        let object: Object = [("a", 1), ("b", 2), ("a", 3)].into_iter().collect();
        let pairs: Vec<(&str, &Value)> = object.iter().collect();
        assert_eq!(pairs, [("a", &Value::from(3)), ("b", &Value::from(2))]);
    }

    #[test]
    fn repeated_keys_in_a_large_object_take_the_hash_path() {
        let pairs = (0..1000).map(|i| (format!("k{}", i % 300), i));
        let object: Object = pairs.collect();
        assert_eq!(object.len(), 300);
        assert_eq!(object.iter().next().map(|(k, _)| k), Some("k0"));
        assert_eq!(object.get("k0"), Some(&Value::from(900)));
        assert_eq!(object.get("k299"), Some(&Value::from(899)));
    }

    #[test]
    fn into_iter_moves_strings_out() {
        let mut object = Object::new();
        object.insert("name", "小明");
        let owned: Vec<(String, Value)> = object.into_iter().collect();
        assert_eq!(owned, [("name".to_owned(), Value::from("小明"))]);
    }

    #[test]
    fn accessors_answer_only_for_their_own_kind() {
        let array = Value::from(vec![Value::Null]);
        assert_eq!(array.as_array().map(<[Value]>::len), Some(1));
        assert!(array.as_object().is_none());
        assert!(array.as_str().is_none());
        assert_eq!(Value::from(true).as_bool(), Some(true));
        assert!(Value::Null.is_null());
        assert!(!Value::from(false).is_null());
        assert!(Value::from(Object::new()).as_object().is_some());
        assert_eq!(Value::from(3).as_number().map(Number::as_str), Some("3"));
    }
}
