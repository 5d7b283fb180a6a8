//! Encodings of points and scalars, the generators, and ElGamal encryptions.

use ostracon::curve25519_dalek::ristretto::RistrettoPoint;
use ostracon::curve25519_dalek::scalar::Scalar;
use ostracon::dlog::DlogTable;
use ostracon::elgamal::{Ciphertext, Nonce, SecretKey};
use ostracon::group::{self, decode_scalar, Point};
use ostracon::labels;
use rand_core::RngCore;
use serde_json::{json, Value};

use crate::util::{file, hex, rng, Case, Gen, Group};

/// `2^255 − 19`, little-endian: the field modulus, not a canonical field element.
const FIELD_P: [u8; 32] = {
    let mut b = [0xffu8; 32];
    b[0] = 0xed;
    b[31] = 0x7f;
    b
};

/// `ℓ`, the group order, little-endian.
const ELL: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// Adds a small integer to a little-endian 256-bit number (wrapping).
pub fn add_small(bytes: &[u8; 32], k: u8) -> [u8; 32] {
    let mut out = *bytes;
    let mut carry = u16::from(k);
    for b in out.iter_mut() {
        let s = u16::from(*b) + carry;
        *b = s as u8;
        carry = s >> 8;
    }
    out
}

/// `s + ℓ` as 32 little-endian bytes: the same residue, not canonical.
pub fn unreduced(s: &Scalar) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for (i, b) in out.iter_mut().enumerate() {
        let v = u16::from(s.as_bytes()[i]) + u16::from(ELL[i]) + carry;
        *b = v as u8;
        carry = v >> 8;
    }
    out
}

fn point_case(comment: &str, bytes: &[u8], nonidentity: bool) -> Case {
    let r = if nonidentity {
        Point::decode_nonidentity(bytes, "point")
    } else {
        Point::decode(bytes, "point")
    };
    Case::outcome(comment, r.as_ref().map(|_| ()).map_err(|e| e.code()))
        .with("encoded", hex(bytes))
        .with("identityAllowed", !nonidentity)
}

fn scalar_case(comment: &str, bytes: &[u8]) -> Case {
    let r = decode_scalar(bytes, "scalar");
    Case::outcome(comment, r.as_ref().map(|_| ()).map_err(|e| e.code())).with("encoded", hex(bytes))
}

/// `group.json`: the generators and the canonical encodings of points and scalars.
pub fn group() -> Gen<Value> {
    let mut gens = Group::new("Generators");
    gens.push(
        Case::valid("G: the ristretto255 basepoint")
            .with("name", "G")
            .with("encoded", hex(&group::generator_g().compress().to_bytes())),
    );
    gens.push(
        Case::valid("H: SHA-512 of the label, mapped to the group (hash_from_bytes)")
            .with("name", "H")
            .with("label", String::from_utf8_lossy(labels::GENERATOR_H))
            .with("encoded", hex(group::generator_h().as_bytes())),
    );

    let mut points = Group::new("PointDecode");
    let g = group::generator_g();
    for k in [1u64, 2, 3, 255, 1 << 32] {
        let p = g * Scalar::from(k);
        points.push(
            point_case(&format!("{k}·G"), p.compress().as_bytes(), true)
                .with("scalar", hex(Scalar::from(k).as_bytes())),
        );
    }
    let mut r = rng("group/points");
    for i in 0..3 {
        let s = Scalar::random(&mut r);
        let p = group::generator_h().point() * s;
        points.push(
            point_case(
                &format!("random multiple #{i} of H"),
                p.compress().as_bytes(),
                true,
            )
            .with("scalar", hex(s.as_bytes()))
            .with("base", "H"),
        );
    }
    points.push(point_case("the identity, where allowed", &[0u8; 32], false).flag("Identity"));
    points.push(
        point_case(
            "the identity, where forbidden (keys, commitments)",
            &[0u8; 32],
            true,
        )
        .flag("Identity"),
    );
    points.push(point_case("all bytes 0xff", &[0xffu8; 32], false).flag("NonCanonicalEncoding"));
    points.push(
        point_case("the field modulus p = 2^255 − 19", &FIELD_P, false)
            .flag("NonCanonicalEncoding"),
    );
    points.push(
        point_case(
            "p + 2: encodes the field element 2 non-canonically",
            &add_small(&FIELD_P, 2),
            false,
        )
        .flag("NonCanonicalEncoding"),
    );
    let mut one = [0u8; 32];
    one[0] = 1;
    points.push(
        point_case("s = 1: a negative field element (odd)", &one, false)
            .flag("NonCanonicalEncoding"),
    );
    let mut high = g.compress().to_bytes();
    high[31] |= 0x80;
    points.push(point_case("G with the top bit set", &high, false).flag("NonCanonicalEncoding"));
    // Even, canonical field elements that are not the encoding of any point.
    let mut found = 0;
    let mut r = rng("group/not-on-curve");
    while found < 2 {
        let mut b = [0u8; 32];
        r.fill_bytes(&mut b);
        b[0] &= 0xfe;
        b[31] &= 0x3f;
        if Point::decode(&b, "point").is_err() {
            points.push(
                point_case("an even field element that encodes no point", &b, false)
                    .flag("NotOnCurve"),
            );
            found += 1;
        }
    }
    let gb = g.compress().to_bytes();
    points.push(point_case("31 bytes", &gb[..31], false).flag("WrongLength"));
    let mut long = gb.to_vec();
    long.push(0);
    points.push(point_case("33 bytes", &long, false).flag("WrongLength"));
    points.push(point_case("empty", &[], false).flag("WrongLength"));

    let mut scalars = Group::new("ScalarDecode");
    scalars.push(scalar_case("zero", &[0u8; 32]));
    scalars.push(scalar_case("one", Scalar::ONE.as_bytes()));
    scalars.push(scalar_case("ℓ − 1", (-Scalar::ONE).as_bytes()));
    scalars.push(scalar_case("ℓ", &ELL).flag("NonCanonicalScalar"));
    scalars.push(scalar_case("ℓ + 1", &add_small(&ELL, 1)).flag("NonCanonicalScalar"));
    scalars.push(scalar_case("5 + ℓ", &unreduced(&Scalar::from(5u8))).flag("NonCanonicalScalar"));
    let mut top = [0u8; 32];
    top[31] = 0x80;
    scalars.push(scalar_case("2^255", &top).flag("NonCanonicalScalar"));
    scalars.push(scalar_case("2^256 − 1", &[0xffu8; 32]).flag("NonCanonicalScalar"));
    scalars.push(scalar_case("31 bytes", &[1u8; 31]).flag("WrongLength"));
    scalars.push(scalar_case("33 bytes", &[1u8; 33]).flag("WrongLength"));

    file(
        "ristretto255 encodings and the generators G, H",
        &[
            ("Identity", "The identity point (32 zero bytes): a valid encoding, refused where the protocol forbids it (public keys, commitments) with decode.identity_point."),
            ("NonCanonicalEncoding", "32 bytes that are not the canonical ristretto255 encoding of any point (field element ≥ p, negative field element, top bit set)."),
            ("NotOnCurve", "A canonical, non-negative field element that is not the encoding of a ristretto255 point."),
            ("WrongLength", "Not exactly 32 bytes."),
            ("NonCanonicalScalar", "32 bytes encoding an integer ≥ ℓ; scalars must be reduced modulo ℓ."),
        ],
        vec![gens, points, scalars],
    )
}

/// `elgamal.json`: a key pair and encryptions with explicit nonces.
pub fn elgamal() -> Gen<Value> {
    let mut r = rng("elgamal/key");
    let sk = SecretKey::random(&mut r);
    let pk = sk.public_key();
    let ek = pk.precompute();
    let table = DlogTable::default();
    let mut enc = Group::new("Encryption")
        .with("secretKey", hex(&*sk.to_bytes()))
        .with("publicKey", hex(&pk.to_bytes()));
    let mut r = rng("elgamal/nonces");
    let mut cts = Vec::new();
    for v in [0u64, 1, 2, 7, 1000, 1 << 20] {
        let nonce = Nonce::random(&mut r);
        let ct = ek.encrypt(v, &nonce);
        let back = table
            .find(&sk.decrypt_to_point(&ct.raw()), 1 << 21)
            .map_err(|e| e.to_string())?;
        if back != v {
            return Err("decryption does not give back the plaintext".into());
        }
        enc.push(
            Case::valid(format!("encryption of {v}"))
                .with("value", v)
                .with("nonce", hex(nonce.as_scalar().as_bytes()))
                .with("ciphertext", hex(&ct.to_bytes())),
        );
        cts.push((v, ct));
    }
    let mut sums = Group::new("HomomorphicSum").with("publicKey", hex(&pk.to_bytes()));
    let (v1, c1) = cts[1];
    let (v2, c2) = cts[3];
    let (v3, c3) = cts[4];
    let sum = (c1.raw() + c2.raw() + c3.raw()).to_ciphertext();
    sums.push(
        Case::valid("componentwise sum of three ciphertexts decrypts to the sum")
            .with(
                "ciphertexts",
                json!([
                    hex(&c1.to_bytes()),
                    hex(&c2.to_bytes()),
                    hex(&c3.to_bytes())
                ]),
            )
            .with("sum", hex(&sum.to_bytes()))
            .with("value", v1 + v2 + v3),
    );

    let mut dec = Group::new("CiphertextDecode");
    let good = cts[2].1.to_bytes();
    let code = |b: &[u8]| Ciphertext::from_bytes(b).map(|_| ()).map_err(|e| e.code());
    dec.push(Case::outcome("a valid ciphertext", code(&good)).with("encoded", hex(&good)));
    let mut bad = good;
    bad[..32].copy_from_slice(&[0xffu8; 32]);
    dec.push(
        Case::outcome("A is not a point", code(&bad))
            .flag("NonCanonicalEncoding")
            .with("encoded", hex(&bad)),
    );
    let mut bad = good;
    bad[32..].copy_from_slice(&FIELD_P);
    dec.push(
        Case::outcome("B is not canonical", code(&bad))
            .flag("NonCanonicalEncoding")
            .with("encoded", hex(&bad)),
    );
    dec.push(
        Case::outcome("truncated to 63 bytes", code(&good[..63]))
            .flag("Truncated")
            .with("encoded", hex(&good[..63])),
    );
    let id = RistrettoPoint::default().compress().to_bytes();
    let mut idct = good;
    idct[..32].copy_from_slice(&id);
    dec.push(
        Case::outcome(
            "A is the identity (decodes; it is proofs that refuse it)",
            code(&idct),
        )
        .flag("Identity")
        .with("encoded", hex(&idct)),
    );

    file(
        "exponential ElGamal over ristretto255: (A, B) = (r·H, v·G + r·K), K = x·H",
        &[
            (
                "NonCanonicalEncoding",
                "A component is not a canonical point encoding.",
            ),
            ("Truncated", "The encoding is shorter than 64 bytes."),
            ("Identity", "A component is the identity point."),
        ],
        vec![enc, sums, dec],
    )
}
