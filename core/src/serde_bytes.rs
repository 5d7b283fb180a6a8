//! Serde support for objects with a canonical byte encoding.
//!
//! Human-readable formats (JSON) carry the canonical bytes as a lowercase hexadecimal
//! string; binary formats carry them as a byte string. Either way, deserialising runs the
//! same strict decoder as `from_bytes`.

/// Implements `Serialize`/`Deserialize` for a type with `to_bytes()` and
/// `from_bytes(&[u8]) -> Result<Self, DecodeError>`.
macro_rules! serde_via_bytes {
    ($ty:ty, $what:literal) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let bytes = self.to_bytes();
                if s.is_human_readable() {
                    s.serialize_str(&$crate::hex::encode(bytes.as_ref()))
                } else {
                    s.serialize_bytes(bytes.as_ref())
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                        write!(f, "a hex string or bytes encoding a {}", $what)
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$ty, E> {
                        let bytes = $crate::hex::decode(v, $what).map_err(E::custom)?;
                        <$ty>::from_bytes(&bytes).map_err(E::custom)
                    }
                    fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<$ty, E> {
                        <$ty>::from_bytes(v).map_err(E::custom)
                    }
                    fn visit_seq<A: serde::de::SeqAccess<'de>>(
                        self,
                        mut seq: A,
                    ) -> Result<$ty, A::Error> {
                        let mut bytes = alloc::vec::Vec::new();
                        while let Some(b) = seq.next_element::<u8>()? {
                            bytes.push(b);
                        }
                        <$ty>::from_bytes(&bytes).map_err(serde::de::Error::custom)
                    }
                }
                if d.is_human_readable() {
                    d.deserialize_str(V)
                } else {
                    d.deserialize_bytes(V)
                }
            }
        }
    };
}

pub(crate) use serde_via_bytes;

serde_via_bytes!(crate::elgamal::Ciphertext, "ciphertext");
serde_via_bytes!(crate::elgamal::PublicKey, "public key");
serde_via_bytes!(crate::group::Point, "point");

impl crate::group::Point {
    /// Decodes a canonical point (for serde; identity allowed).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, crate::error::DecodeError> {
        Self::decode(bytes, "point")
    }
}
