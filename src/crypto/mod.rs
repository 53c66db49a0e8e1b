//! Hash functions written here from their standards (H-crypto's branch adds SHA-256, HMAC, PBKDF2 and SCRAM).

pub mod sha1;
