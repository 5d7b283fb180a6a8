//! The envelope every vector file shares, and small helpers.

use ostracon::labels;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

/// Errors of the generator are messages; any failure stops it.
pub type Gen<T> = Result<T, String>;

/// Version of the vector file format (the envelope); see `vectors/schema.json`.
pub const SCHEMA: &str = "ostracon-vectors/v1";

/// Name of the generator, written into every file.
pub const GENERATOR: &str =
    "ostracon-vectors (vectors/generator): regenerate with `cargo run -p ostracon-vectors`";

/// A deterministic RNG for one named purpose: ChaCha20 keyed by SHA-256 of the name.
pub fn rng(name: &str) -> ChaCha20Rng {
    let seed: [u8; 32] = Sha256::digest(format!("ostracon vectors seed: {name}")).into();
    ChaCha20Rng::from_seed(seed)
}

/// Lowercase hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    ostracon::hex::encode(bytes)
}

/// Builds one test case; `extra` holds its inputs and expected outputs.
pub struct Case {
    comment: String,
    flags: Vec<&'static str>,
    fields: Map<String, Value>,
    result: Result<(), String>,
}

impl Case {
    /// A valid case.
    pub fn valid(comment: impl Into<String>) -> Self {
        Self {
            comment: comment.into(),
            flags: Vec::new(),
            fields: Map::new(),
            result: Ok(()),
        }
    }

    /// An invalid case that must fail with the core's error `code`.
    pub fn invalid(comment: impl Into<String>, code: &str) -> Self {
        Self {
            comment: comment.into(),
            flags: Vec::new(),
            fields: Map::new(),
            result: Err(code.to_string()),
        }
    }

    /// The case's outcome as computed by the core: valid, or invalid with a code.
    pub fn outcome(comment: impl Into<String>, r: Result<(), &str>) -> Self {
        match r {
            Ok(()) => Self::valid(comment),
            Err(code) => Self::invalid(comment, code),
        }
    }

    /// Adds a flag (explained in the file's `notes`).
    pub fn flag(mut self, flag: &'static str) -> Self {
        self.flags.push(flag);
        self
    }

    /// Adds an input or expected output.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.fields.insert(key.into(), value.into());
        self
    }

    /// Whether the case is expected to be invalid.
    pub fn is_invalid(&self) -> bool {
        self.result.is_err()
    }

    fn into_json(self, id: usize) -> Value {
        let mut m = self.fields;
        m.insert("tcId".into(), json!(id));
        m.insert("comment".into(), json!(self.comment));
        m.insert("flags".into(), json!(self.flags));
        match self.result {
            Ok(()) => {
                m.insert("result".into(), json!("valid"));
            }
            Err(code) => {
                m.insert("result".into(), json!("invalid"));
                m.insert("error".into(), json!(code));
            }
        }
        Value::Object(m)
    }
}

/// A group of cases sharing a `type` and some common inputs.
pub struct Group {
    kind: &'static str,
    fields: Map<String, Value>,
    cases: Vec<Case>,
}

impl Group {
    /// A new group of cases of type `kind`.
    pub fn new(kind: &'static str) -> Self {
        Self {
            kind,
            fields: Map::new(),
            cases: Vec::new(),
        }
    }

    /// Adds an input shared by every case of the group.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.fields.insert(key.into(), value.into());
        self
    }

    /// The group's type.
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// Adds a case.
    pub fn push(&mut self, case: Case) {
        self.cases.push(case);
    }
}

/// Assembles a vector file; every flag used must have a note, and every note a use.
pub fn file(algorithm: &str, notes: &[(&'static str, &str)], groups: Vec<Group>) -> Gen<Value> {
    let mut id = 0;
    let mut used = std::collections::BTreeSet::new();
    let mut out_groups = Vec::new();
    for g in groups {
        let mut m = g.fields;
        m.insert("type".into(), json!(g.kind));
        let mut tests = Vec::new();
        for c in g.cases {
            id += 1;
            for f in &c.flags {
                if !notes.iter().any(|(n, _)| n == f) {
                    return Err(format!("flag {f} has no note"));
                }
                used.insert(*f);
            }
            tests.push(c.into_json(id));
        }
        m.insert("tests".into(), Value::Array(tests));
        out_groups.push(Value::Object(m));
    }
    if let Some((n, _)) = notes.iter().find(|(n, _)| !used.contains(n)) {
        return Err(format!("note {n} names an unused flag"));
    }
    let notes: Map<String, Value> = notes
        .iter()
        .map(|(k, v)| ((*k).to_string(), json!(v)))
        .collect();
    Ok(json!({
        "schema": SCHEMA,
        "generator": GENERATOR,
        "protocol": String::from_utf8_lossy(labels::PROTOCOL),
        "algorithm": algorithm,
        "numberOfTests": id,
        "notes": notes,
        "testGroups": out_groups,
    }))
}
