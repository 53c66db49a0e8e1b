//! Transports: how one message body is cut out of a connection's bytes, and
//! what goes in front of a body on the way out. (H-core's branch adds the
//! transport interface and the TCP framing; this branch adds the browser's.)

pub mod http;
pub mod sniff;
pub mod websocket;

#[cfg(test)]
mod trickle;
