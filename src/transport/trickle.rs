//! A stream for the transport tests that behaves like a slow socket with a
//! read timeout: it hands out its bytes `step` at a time, and every other
//! call fails with the error a timeout gives (`WouldBlock`). A reader that
//! survives it keeps partial input across timeouts, at every byte boundary.

use std::io::{self, Read};

pub struct Trickle {
    data: Vec<u8>,
    pos: usize,
    step: usize,
    timeout_next: bool,
}

impl Trickle {
    pub fn new(data: Vec<u8>, step: usize) -> Trickle {
        Trickle {
            data,
            pos: 0,
            step,
            timeout_next: true,
        }
    }

    /// How many bytes it has handed out.
    pub fn position(&self) -> usize {
        self.pos
    }
}

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.timeout_next = !self.timeout_next;
        if !self.timeout_next {
            return Err(io::Error::new(io::ErrorKind::WouldBlock, "timeout"));
        }
        let n = self.step.min(buf.len()).min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}
