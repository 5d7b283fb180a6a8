//! The worked examples of docs/spec.md §16, recomputed: each value printed in the
//! specification is what the library computes, so the document cannot drift from the
//! code.

use ostracon::election::{base_hash, ceremony_context, Election, Parameters};
use ostracon::group::Point;
use ostracon::hex;
use ostracon::manifest::Manifest;

const SPEC: &str = include_str!("../../docs/spec.md");

const MANIFEST: &str = r#"{"election_id":"e1","title":"T","contests":[
  {"id":"mayor","title":"Mayor","options":[{"id":"a","label":"A"},{"id":"b","label":"B"}],
   "rule":{"type":"approval","min":1,"max":1}},
  {"id":"score","options":[{"id":"x"},{"id":"y"}],"rule":{"type":"score","max":10}}]}"#;

const COMMITMENTS: [[&str; 2]; 3] = [
    [
        "68d0d3da48e47c59eb3b868fdf3f80470b58c0f8df4b09c6d28b47a7270ea544",
        "f463917ba3d49990634dc5fa61c7226889b44b828b61087164a61ca86bdd9261",
    ],
    [
        "145d0ac107b0d4dffdf201ab8b334aa1ab099b87b15de9ca0da147c9bf075c24",
        "be0aa7607521f062abb03ce55fc602b2d8cb94349aef4120c2437aee5e568015",
    ],
    [
        "ced2819927a3ea7e4e635ed4e80694de84931ce7625ad5e78c46bdf08ccf834e",
        "0cf801d8ccae9e8a36c2b6ee48a2cf2f6eaa5240708653dfb5324a30a86b6f6f",
    ],
];

fn in_spec(what: &str, value: &str) {
    assert!(
        SPEC.contains(value),
        "docs/spec.md §16 does not show the {what} the library computes: {value}"
    );
}

#[test]
fn ceremony_context_base_hash_and_genesis_head_are_the_specs() {
    let manifest = Manifest::from_json(MANIFEST.as_bytes()).unwrap();
    let params = Parameters::new(3, 2);
    let context = ceremony_context(&manifest, &params);
    in_spec("ceremony context", &hex::encode(&context));
    // Absent mixers and mixers = t are the same election.
    assert_eq!(context, ceremony_context(&manifest, &params.with_mixers(2)));
    assert_ne!(context, ceremony_context(&manifest, &params.with_mixers(3)));
    // The registry commitment and the signature requirement are in the context.
    use ostracon::registry::RegistryCommitment;
    let attested = params.with_registry(RegistryCommitment::Attested);
    let fixed = |b: u8| {
        params.with_registry(RegistryCommitment::Fixed {
            fingerprint: [b; 32],
        })
    };
    let contexts = [
        context,
        ceremony_context(&manifest, &attested),
        ceremony_context(&manifest, &attested.with_signatures(true)),
        ceremony_context(&manifest, &fixed(1)),
        ceremony_context(&manifest, &fixed(2)),
    ];
    for (i, a) in contexts.iter().enumerate() {
        for b in &contexts[i + 1..] {
            assert_ne!(a, b);
        }
    }
    let commitments: Vec<Vec<Point>> = COMMITMENTS
        .iter()
        .map(|c| {
            c.iter()
                .map(|h| Point::from_bytes(&hex::decode(h, "point").unwrap()).unwrap())
                .collect()
        })
        .collect();
    for c in COMMITMENTS.iter().flatten() {
        in_spec("commitment", c);
    }
    let election = Election::new(manifest, params, commitments.clone()).unwrap();
    let joint = hex::encode(election.joint_key().point().as_bytes());
    in_spec("joint key", &joint);
    let base = base_hash(&context, election.joint_key(), &commitments);
    assert_eq!(&base, election.base_hash());
    in_spec("base hash", &hex::encode(&base));
    let board = ostracon::board::Board::new(&election, None);
    in_spec("genesis head", &hex::encode(board.head()));
    // §16.2's proof plan: `mayor` disjunctive L = 1 per option and L = 0 on the shifted
    // total; `score` (max 10 ≤ CDS_MAX_L) disjunctive L = 10 per option, no total.
    use ostracon::manifest::RangeMethod;
    let plans: Vec<_> = election
        .manifest()
        .contests
        .iter()
        .map(|c| c.rule.proof_plan(c.options.len()).unwrap())
        .collect();
    assert_eq!(plans[0].per_option, RangeMethod::Disjunctive(1));
    assert_eq!(plans[0].total, Some((1, 1, RangeMethod::Disjunctive(0))));
    assert_eq!(plans[1].per_option, RangeMethod::Disjunctive(10));
    assert_eq!(plans[1].total, None);
    assert!(SPEC.contains("`score` — disjunctive `L = 10` per option"));
}

/// docs/spec.md §3.4 lists exactly the labels of core/src/labels.rs, each with its
/// string, length and hex.
#[test]
fn the_label_table_is_labels_rs() {
    const LABELS: &str = include_str!("../src/labels.rs");
    let consts: Vec<(&str, &str)> = LABELS
        .lines()
        .filter_map(|l| {
            let rest = l.trim().strip_prefix("pub const ")?;
            let (name, value) = rest.split_once(": &[u8] = b\"")?;
            Some((name, value.strip_suffix("\";")?))
        })
        .collect();
    assert!(consts.len() > 50, "labels.rs not parsed");
    let start = SPEC.find("Every label of `core/src/labels.rs`").unwrap();
    let table: Vec<&str> = SPEC[start..]
        .lines()
        .skip_while(|l| !l.starts_with("| constant"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .collect();
    let expected: Vec<String> = consts
        .iter()
        .map(|(name, value)| {
            format!(
                "| `{name}` | `{value}` | {} | `{}` |",
                value.len(),
                hex::encode(value.as_bytes())
            )
        })
        .collect();
    assert_eq!(table, expected, "docs/spec.md §3.4 differs from labels.rs");
}

/// Every error code the core defines (a string literal `"family.name"` in core/src) is
/// listed in docs/spec.md §15a.
#[test]
fn every_error_code_is_in_the_spec() {
    const FAMILIES: [&str; 9] = [
        "decode",
        "ballot",
        "proof",
        "input",
        "manifest",
        "selection",
        "dlog",
        "record",
        "mix",
    ];
    let section = &SPEC[SPEC.find("## 15a. Error codes").unwrap()..];
    let mut files = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    let mut codes = std::collections::BTreeSet::new();
    while let Some(p) = files.pop() {
        if p.is_dir() {
            files.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        for piece in text.split('"').skip(1).step_by(2) {
            let Some((family, name)) = piece.split_once('.') else {
                continue;
            };
            let known = FAMILIES.contains(&family) || family == "registry" || family == "pin";
            if known && !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            {
                codes.insert(piece.to_string());
            }
        }
    }
    assert!(codes.len() > 50, "found only {codes:?}");
    assert!(codes.contains("registry.too_few_attestations"));
    let missing: Vec<_> = codes
        .iter()
        .filter(|c| !section.contains(&format!("`{c}`")))
        .collect();
    assert!(missing.is_empty(), "not in docs/spec.md §15a: {missing:?}");
}

/// A shuffle proof checked the way an implementer reading only docs/spec.md §13a would:
/// its context, transcript, generators, encoding and the five verification equations
/// recomputed from the text with merlin, SHA-512, ChaCha20 and ristretto255 directly.
#[test]
fn a_shuffle_proof_verifies_as_the_spec_describes() {
    use ostracon::curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
    use ostracon::curve25519_dalek::scalar::Scalar;
    use ostracon::curve25519_dalek::traits::Identity;
    use ostracon::elgamal::{Nonce, SecretKey};
    use ostracon::merlin::Transcript;
    use ostracon::mixnet::{self, shuffle, ShuffleGenerators, ShuffleWitness};
    use ostracon::transcript::ProofContext;
    use rand::rngs::StdRng;
    use rand::{RngCore, SeedableRng};
    use sha2::{Digest, Sha512};

    let mut rng = StdRng::seed_from_u64(5);
    let domain = [0x42u8; 32];
    let (n, w, contest, step) = (3usize, 2usize, 1u32, 0u32);
    let sk = SecretKey::random(&mut rng);
    let ek = sk.public_key().precompute();
    let input: Vec<_> = (0..n * w)
        .map(|v| ek.encrypt(v as u64, &Nonce::random(&mut rng)))
        .collect();
    let ctx = mixnet::mix_context(&ProofContext::new(&domain), contest, step);
    // MIX(c, s) as §3.2 and §13a.3 write it.
    let by_hand = ProofContext::new(&domain)
        .bind(b"ostracon/v1/mixnet", b"")
        .bind_u64(b"contest", u64::from(contest))
        .bind_u64(b"mix-step", u64::from(step));
    assert_eq!(
        ctx.fingerprint(b"fingerprint"),
        by_hand.fingerprint(b"fingerprint")
    );
    let gens = ShuffleGenerators::derive(&domain, n);
    let witness = ShuffleWitness::random(n, w, &mut rng);
    let (output, proof) =
        shuffle::shuffle(&ctx, &ek, &gens, &input, w, &witness, &mut rng).unwrap();

    // §13a.3 encoding.
    let bytes = proof.to_bytes();
    let le32 = |b: &[u8]| u32::from_le_bytes(b.try_into().unwrap()) as usize;
    assert_eq!((le32(&bytes[0..4]), le32(&bytes[4..8])), (n, w));
    let rest = bytes[8..].to_vec();
    assert_eq!(rest.len(), 32 * (5 * n + 6 + 3 * w));
    let chunk = |i: usize| -> [u8; 32] { rest[32 * i..32 * i + 32].try_into().unwrap() };
    let pt = |i: usize| CompressedRistretto(chunk(i)).decompress().unwrap();
    let sc = |i: usize| Scalar::from_canonical_bytes(chunk(i)).unwrap();
    let mut i = 0;
    let mut next = |k: usize| {
        let r = i..i + k;
        i += k;
        r
    };
    let (c_r, ch_r, t123_r, t4_r, th_r) = (next(n), next(n), next(3), next(2 * w), next(n));
    let (s1_i, s2_i, s3_i, s4_r, sh_r, sp_r) = (
        next(1).start,
        next(1).start,
        next(1).start,
        next(w),
        next(n),
        next(n),
    );
    assert_eq!(i, 5 * n + 6 + 3 * w);

    // §3.1 / §13a.3 transcript.
    let d = |elements: &[[u8; 32]]| -> [u8; 64] {
        let mut h = Sha512::new();
        h.update((elements.len() as u64).to_le_bytes());
        for e in elements {
            h.update(e);
        }
        h.finalize().into()
    };
    let d_cts = |cts: &[ostracon::elgamal::Ciphertext]| -> [u8; 64] {
        let mut h = Sha512::new();
        h.update((cts.len() as u64).to_le_bytes());
        for ct in cts {
            h.update(ct.a.as_bytes());
            h.update(ct.b.as_bytes());
        }
        h.finalize().into()
    };
    let wide = |t: &mut Transcript, label: &'static [u8]| {
        let mut b = [0u8; 64];
        t.challenge_bytes(label, &mut b);
        Scalar::from_bytes_mod_order_wide(&b)
    };
    let mut t: Transcript = ctx.transcript();
    t.append_message(b"dom-sep", b"shuffle-tw v1");
    t.append_u64(b"n", 2);
    t.append_u64(b"n", n as u64);
    t.append_u64(b"n", w as u64);
    t.append_message(b"K", sk.public_key().point().as_bytes());
    t.append_message(b"shuffle.in", &d_cts(&input));
    t.append_message(b"shuffle.out", &d_cts(&output));
    let commitments: Vec<[u8; 32]> = c_r.clone().map(chunk).collect();
    t.append_message(b"commit", &d(&commitments));
    let mut seed = [0u8; 32];
    t.challenge_bytes(b"seed", &mut seed);
    let mut chacha = rand_chacha::ChaCha20Rng::from_seed(seed);
    let u: Vec<Scalar> = (0..n)
        .map(|_| {
            let mut b = [0u8; 64];
            chacha.fill_bytes(&mut b);
            Scalar::from_bytes_mod_order_wide(&b)
        })
        .collect();
    let chain: Vec<[u8; 32]> = ch_r.clone().map(chunk).collect();
    t.append_message(b"shuffle.chain", &d(&chain));
    for k in t123_r.clone().chain(t4_r.clone()) {
        t.append_message(b"commit", &chunk(k));
    }
    let t_hat: Vec<[u8; 32]> = th_r.clone().map(chunk).collect();
    t.append_message(b"commit", &d(&t_hat));
    let c = wide(&mut t, b"c");

    // §13a.2 generators.
    let gen = |tag: &[u8], index: u64| {
        let mut h = Sha512::new();
        h.update(b"ostracon/v1/shuffle/generator");
        h.update((domain.len() as u64).to_le_bytes());
        h.update(domain);
        h.update((tag.len() as u64).to_le_bytes());
        h.update(tag);
        h.update(index.to_le_bytes());
        RistrettoPoint::from_hash(h)
    };
    let hs: Vec<RistrettoPoint> = (0..n as u64)
        .map(|i| {
            let half = gen(b"H", i);
            half + half
        })
        .collect();
    let big_u = gen(b"U", 0);
    let g = ostracon::group::generator_g();
    let h_el = *ostracon::group::generator_h().point();
    let k_pt = *sk.public_key().point().point();

    // §13a.3 verification equations.
    let cs: Vec<RistrettoPoint> = c_r.map(pt).collect();
    let chs: Vec<RistrettoPoint> = ch_r.map(pt).collect();
    let tt: Vec<RistrettoPoint> = t123_r.map(pt).collect();
    let t4: Vec<RistrettoPoint> = t4_r.map(pt).collect();
    let ths: Vec<RistrettoPoint> = th_r.map(pt).collect();
    let (s1, s2, s3) = (sc(s1_i), sc(s2_i), sc(s3_i));
    let s4: Vec<Scalar> = s4_r.map(sc).collect();
    let sh: Vec<Scalar> = sh_r.map(sc).collect();
    let sp: Vec<Scalar> = sp_r.map(sc).collect();
    let sum = |v: &mut dyn Iterator<Item = RistrettoPoint>| {
        v.fold(RistrettoPoint::identity(), |a, b| a + b)
    };
    let prod_u = u.iter().fold(Scalar::ONE, |a, b| a * b);
    assert_eq!(
        tt[0],
        c * (sum(&mut cs.iter().copied()) - sum(&mut hs.iter().copied())) + s1 * g
    );
    assert_eq!(tt[1], c * (chs[n - 1] - prod_u * big_u) + s2 * g);
    assert_eq!(
        tt[2],
        c * sum(&mut cs.iter().zip(&u).map(|(p, x)| p * x))
            + s3 * g
            + sum(&mut hs.iter().zip(&sp).map(|(p, x)| p * x))
    );
    let pa = |ct: &ostracon::elgamal::Ciphertext| (*ct.a.point(), *ct.b.point());
    for k in 0..w {
        let (mut a, mut b) = (RistrettoPoint::identity(), RistrettoPoint::identity());
        for j in 0..n {
            let (ea, eb) = pa(&input[j * w + k]);
            let (oa, ob) = pa(&output[j * w + k]);
            a += c * u[j] * ea + sp[j] * oa;
            b += c * u[j] * eb + sp[j] * ob;
        }
        assert_eq!(t4[2 * k], a - s4[k] * h_el, "t4[{k}].A");
        assert_eq!(t4[2 * k + 1], b - s4[k] * k_pt, "t4[{k}].B");
    }
    for j in 0..n {
        let prev = if j == 0 { big_u } else { chs[j - 1] };
        assert_eq!(ths[j], c * chs[j] + sh[j] * g + sp[j] * prev, "t̂[{j}]");
    }
}
