//! Zone files: the TZif format of RFC 8536 (versions 1 to 4), as installed
//! in `/usr/share/zoneinfo`. A TZif file is:
//!
//! ```text
//! header (44 bytes) + data block with 32-bit times       <- version 1
//! header (44 bytes) + data block with 64-bit times       <- version 2+
//! "\n" + POSIX TZ string + "\n"                          <- version 2+
//! ```
//!
//! Version 1 only has the first part. Later versions keep it for old readers
//! (often nearly empty in today's "slim" files) and add a second copy with
//! 64-bit times, which is the one we read. A header holds the magic "TZif",
//! a version byte, 15 reserved bytes and six big-endian 32-bit counts:
//!
//! ```text
//! offset  count      what the data block holds for it
//! 20      isutcnt    one UT/local indicator byte per type (unused here)
//! 24      isstdcnt   one standard/wall indicator byte per type (unused here)
//! 28      leapcnt    leap-second records: time + correction (skipped)
//! 32      timecnt    transition times, then one type index per transition
//! 36      typecnt    local time types: i32 offset, u8 is_dst, u8 name index
//! 40      charcnt    the zone abbreviations, NUL-terminated (unused here)
//! ```

use super::posix::PosixRule;
use super::{TimeZone, Transition, TzError};

pub(super) const TZIF_MAGIC: &[u8; 4] = b"TZif";
pub(super) const TZIF_HEADER_BYTES: u64 = 44;
/// Bytes per local time type record.
const TZIF_TYPE_BYTES: u64 = 6;

/// The six counts of a TZif header.
struct TzifHeader {
    version: u8,
    isutcnt: u32,
    isstdcnt: u32,
    leapcnt: u32,
    timecnt: u32,
    typecnt: u32,
    charcnt: u32,
}

impl TzifHeader {
    fn read(reader: &mut ByteReader<'_>) -> Result<TzifHeader, TzError> {
        if reader.remaining() < TZIF_HEADER_BYTES {
            // Too short to be a header at all: if even the magic is wrong,
            // say so rather than "truncated".
            let magic_so_far = &reader.rest()[..reader.rest().len().min(4)];
            return Err(if TZIF_MAGIC.starts_with(magic_so_far) {
                TzError::Truncated { section: "header" }
            } else {
                TzError::NotTzif
            });
        }
        if reader.array::<4>("header")? != *TZIF_MAGIC {
            return Err(TzError::NotTzif);
        }
        let [version] = reader.array::<1>("header")?;
        if !matches!(version, 0 | b'2' | b'3' | b'4') {
            return Err(TzError::UnsupportedVersion(version));
        }
        reader.take(15, "header")?;
        let mut count = || reader.array::<4>("header").map(u32::from_be_bytes);
        Ok(TzifHeader {
            version,
            isutcnt: count()?,
            isstdcnt: count()?,
            leapcnt: count()?,
            timecnt: count()?,
            typecnt: count()?,
            charcnt: count()?,
        })
    }

    /// The length of the data block this header announces, for times of
    /// `time_bytes` bytes (4 in version 1 data, 8 in version 2+ data).
    /// Counted in u64: six 32-bit counts times at most 12 cannot overflow.
    fn data_block_bytes(&self, time_bytes: u64) -> u64 {
        u64::from(self.timecnt) * (time_bytes + 1)
            + u64::from(self.typecnt) * TZIF_TYPE_BYTES
            + u64::from(self.charcnt)
            + u64::from(self.leapcnt) * (time_bytes + 4)
            + u64::from(self.isstdcnt)
            + u64::from(self.isutcnt)
    }
}

pub(super) fn parse_tzif(bytes: &[u8]) -> Result<TimeZone, TzError> {
    let mut reader = ByteReader::new(bytes);
    let first = TzifHeader::read(&mut reader)?;
    if first.version == 0 {
        let data = read_data_block(&mut reader, &first, 4)?;
        return Ok(TimeZone {
            transitions: data.transitions,
            initial_offset: data.initial_offset,
            rule: None,
        });
    }
    // Skip the 32-bit data without looking at it; the second header's
    // counts describe the 64-bit data we want.
    reader.take(first.data_block_bytes(4), "version 1 data block")?;
    let second = TzifHeader::read(&mut reader)?;
    let data = read_data_block(&mut reader, &second, 8)?;
    let rule = read_footer(&mut reader)?;
    Ok(TimeZone {
        transitions: data.transitions,
        initial_offset: data.initial_offset,
        rule,
    })
}

/// What we keep from a data block.
struct TzifData {
    transitions: Vec<Transition>,
    initial_offset: i32,
}

/// A local time type record; the abbreviation index is not needed.
#[derive(Clone, Copy)]
struct LocalTimeType {
    utc_offset: i32,
    is_dst: bool,
}

fn read_data_block(
    reader: &mut ByteReader<'_>,
    header: &TzifHeader,
    time_bytes: u64,
) -> Result<TzifData, TzError> {
    // The checks that need only the header come first.
    if header.typecnt == 0 {
        return Err(TzError::Corrupt("no local time types"));
    }
    if header.isstdcnt != 0 && header.isstdcnt != header.typecnt {
        return Err(TzError::Corrupt(
            "standard/wall indicator count differs from type count",
        ));
    }
    if header.isutcnt != 0 && header.isutcnt != header.typecnt {
        return Err(TzError::Corrupt(
            "UT/local indicator count differs from type count",
        ));
    }
    // The header's counts are claims made by the file. Before allocating
    // anything sized by them, check that the bytes they describe are really
    // there: a 50-byte file claiming four billion transitions is an error,
    // not a request for 40 GB of memory. After this, every Vec below is at
    // most as long as the file.
    let block = reader.take(header.data_block_bytes(time_bytes), "data block")?;
    let mut block = ByteReader::new(block);

    let times = block.take(u64::from(header.timecnt) * time_bytes, "transition times")?;
    let type_indices = block.take(u64::from(header.timecnt), "transition types")?;
    let mut types = Vec::with_capacity(header.typecnt as usize);
    for _ in 0..header.typecnt {
        let utc_offset = i32::from_be_bytes(block.array("local time types")?);
        let [is_dst, _abbreviation_index] = block.array("local time types")?;
        // RFC 8536 forbids -2^31, which could not be negated.
        if utc_offset == i32::MIN {
            return Err(TzError::Corrupt("UTC offset out of range"));
        }
        if is_dst > 1 {
            return Err(TzError::Corrupt("is_dst flag is neither 0 nor 1"));
        }
        types.push(LocalTimeType {
            utc_offset,
            is_dst: is_dst == 1,
        });
    }
    // The rest of the block (abbreviations, leap seconds, indicators) is not
    // needed; its length was checked along with everything else.

    let mut times = ByteReader::new(times);
    let mut transitions: Vec<Transition> = Vec::with_capacity(type_indices.len());
    for &type_index in type_indices {
        let at = if time_bytes == 4 {
            i64::from(i32::from_be_bytes(times.array("transition times")?))
        } else {
            i64::from_be_bytes(times.array("transition times")?)
        };
        // Binary search needs sorted instants.
        if transitions.last().is_some_and(|previous| at <= previous.at) {
            return Err(TzError::Corrupt(
                "transition times are not in ascending order",
            ));
        }
        let Some(local_type) = types.get(usize::from(type_index)) else {
            return Err(TzError::Corrupt(
                "transition refers to a missing local time type",
            ));
        };
        transitions.push(Transition {
            at,
            utc_offset: local_type.utc_offset,
        });
    }

    // Before the first transition, use the first standard-time type. RFC
    // 8536 simply says "type 0", and the tz compiler makes sure type 0 is
    // standard time (usually local mean time), so both agree on current
    // data; looking for standard time also handles files from older
    // compilers that put a DST type first.
    let initial = types.iter().find(|t| !t.is_dst).unwrap_or(&types[0]);
    Ok(TzifData {
        transitions,
        initial_offset: initial.utc_offset,
    })
}

/// The version 2+ footer: a POSIX TZ string between two newlines. It may be
/// empty, meaning "no rule: the last transition's offset stays forever".
fn read_footer(reader: &mut ByteReader<'_>) -> Result<Option<PosixRule>, TzError> {
    let rest = reader.rest();
    let Some(after_newline) = rest.strip_prefix(b"\n") else {
        return Err(if rest.is_empty() {
            TzError::Truncated { section: "footer" }
        } else {
            TzError::Corrupt("footer does not start with a newline")
        });
    };
    let Some(length) = after_newline.iter().position(|&b| b == b'\n') else {
        return Err(TzError::Truncated { section: "footer" });
    };
    let footer = &after_newline[..length];
    if footer.is_empty() {
        return Ok(None);
    }
    let text = std::str::from_utf8(footer).map_err(|_| TzError::Corrupt("footer is not text"))?;
    PosixRule::parse(text)
        .map(Some)
        .map_err(|e| TzError::Footer {
            at: e.at,
            reason: e.reason,
        })
}

/// A read position in a byte slice whose reads fail, instead of panicking,
/// when the bytes run out.
struct ByteReader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> ByteReader<'a> {
    fn new(bytes: &'a [u8]) -> ByteReader<'a> {
        ByteReader { bytes, pos: 0 }
    }

    fn rest(&self) -> &'a [u8] {
        &self.bytes[self.pos..]
    }

    fn remaining(&self) -> u64 {
        self.rest().len() as u64
    }

    /// The next `count` bytes, or `Truncated` naming the `section` being read.
    fn take(&mut self, count: u64, section: &'static str) -> Result<&'a [u8], TzError> {
        if count > self.remaining() {
            return Err(TzError::Truncated { section });
        }
        // `count` fits in usize: it is at most the slice's length.
        let taken = &self.rest()[..count as usize];
        self.pos += taken.len();
        Ok(taken)
    }

    fn array<const N: usize>(&mut self, section: &'static str) -> Result<[u8; N], TzError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N as u64, section)?);
        Ok(out)
    }
}
