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
