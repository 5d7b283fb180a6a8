//! Lowercase hexadecimal, used by the JSON encodings.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::error::{DecodeError, DecodeErrorKind, What};

/// Displays bytes as lowercase hexadecimal without allocating.
pub struct Hex<'a>(pub &'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// Encodes bytes as lowercase hexadecimal.
pub fn encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// Decodes hexadecimal (either case).
pub fn decode(s: &str, what: What) -> Result<Vec<u8>, DecodeError> {
    let err = DecodeError::new(what, DecodeErrorKind::InvalidHex);
    let b = s.as_bytes();
    if b.len() % 2 != 0 {
        return Err(err);
    }
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    b.chunks_exact(2)
        .map(|p| Some((nibble(p[0])? << 4) | nibble(p[1])?))
        .collect::<Option<Vec<u8>>>()
        .ok_or(err)
}

/// Serde for 32-byte values as hex strings (`#[serde(with = "crate::hex::serde32")]`).
pub mod serde32 {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serialises as lowercase hex.
    pub fn serialize<S: Serializer>(b: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::encode(b))
    }

    /// Deserialises from hex, exactly 32 bytes.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let s = alloc::string::String::deserialize(d)?;
        let v = super::decode(&s, "32-byte value").map_err(serde::de::Error::custom)?;
        v.try_into()
            .map_err(|_| serde::de::Error::custom("expected 32 bytes"))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trip_and_errors() {
        let v = [0u8, 1, 0xab, 0xff];
        assert_eq!(super::encode(&v), "0001abff");
        assert_eq!(super::decode("0001ABff", "x").unwrap(), v);
        assert!(super::decode("0", "x").is_err());
        assert!(super::decode("zz", "x").is_err());
    }
}
