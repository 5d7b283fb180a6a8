//! The voter's signing key.

use std::sync::Arc;

use ostracon::board::{self, SigningKey};
use rand_core::OsRng;
use zeroize::Zeroizing;

use crate::error::{invalid_input, Result};

/// A voter's Ed25519 signing key, for elections whose voter registry requires signed
/// ballots; pass it to [`EncryptedBallot::cast`](crate::EncryptedBallot::cast). The
/// secret never crosses the boundary back: nothing reads it out, and it is wiped when
/// the object is released (`close()` in Kotlin, the last reference in Swift; the
/// `SigningKey` of `ed25519-dalek` zeroizes on drop).
#[derive(uniffi::Object)]
pub struct VoterKey {
    key: SigningKey,
}

impl VoterKey {
    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.key
    }
}

/// Shows the public key only.
impl std::fmt::Debug for VoterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VoterKey(public {})", self.public_key())
    }
}

#[uniffi::export]
impl VoterKey {
    /// The key whose 32-byte Ed25519 seed is `seed` (kept by the host, e.g. in the
    /// platform keystore). The copy passed in is wiped.
    #[uniffi::constructor]
    pub fn from_seed(seed: Vec<u8>) -> Result<Arc<Self>> {
        let seed = Zeroizing::new(seed);
        let bytes: Zeroizing<[u8; 32]> =
            Zeroizing::new(seed.as_slice().try_into().map_err(|_| {
                invalid_input(format!(
                    "voter key seed: expected 32 bytes, got {}",
                    seed.len()
                ))
            })?);
        Ok(Arc::new(Self {
            key: SigningKey::from_bytes(&bytes),
        }))
    }

    /// A fresh key from the operating system's random generator.
    #[uniffi::constructor]
    pub fn generate() -> Arc<Self> {
        Arc::new(Self {
            key: board::generate_voter_key(&mut OsRng),
        })
    }

    /// The Ed25519 public key (hex), as the voter registry stores it.
    pub fn public_key(&self) -> String {
        ostracon::hex::encode(self.key.verifying_key().as_bytes())
    }
}
