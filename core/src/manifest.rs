//! The election manifest: contests, options and vote rules.
//!
//! A manifest is plain data (serde; JSON for humans) with a canonical binary encoding
//! that the election's base hash commits to. [`Manifest::validate`] checks every
//! structural rule and names the contest at fault.
//!
//! | rule | per option | contest total | proofs (see [`ProofPlan`]) |
//! |---|---|---|---|
//! | `approval { min, max }` (plurality: `max = 1`) | 0 or 1 | `[min, max]` | CDS 0/1; total CDS or bulletproof |
//! | `cumulative { per_option, min, max }` | `0..=per_option` | `[min, max]` | CDS or bulletproof; total likewise |
//! | `score { max }` | `0..=max` | — | CDS or bulletproof |
//! | `ranked { seats }` | one value per rank, `0..=n` | — | CDS (or bulletproof) per rank; counted after the mixnet |
//! | `write_in { max_len }` | one 16-bit chunk per 2 bytes of text | — | one aggregated bulletproof; decrypted after the mixnet |
//!
//! Ranked and write-in contests cannot be tallied homomorphically: each ballot's row of
//! ciphertexts is shuffled and decrypted individually ([`crate::mixnet`]); their
//! plaintext encodings are in [`crate::mixnet::encoding`].

use alloc::collections::BTreeSet;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, DecodeErrorKind, Error};
use crate::group::Reader;

/// Largest number of contests in a manifest.
pub const MAX_CONTESTS: usize = 1024;
/// Largest number of options in a contest.
pub const MAX_OPTIONS: usize = 1024;
/// Largest value one option may carry (score / cumulative points).
pub const MAX_OPTION_VALUE: u32 = 1 << 20;
/// Longest identifier or label, in bytes.
pub const MAX_TEXT: usize = 1024;
/// Longest write-in, in bytes: its 16-bit chunks fit in one aggregated range proof.
pub const MAX_WRITE_IN: usize = 2 * crate::proofs::range::MAX_COMMITMENTS;
/// Largest bound `L` proved with a disjunctive (CDS) proof; larger ranges use a
/// bulletproof. Chosen by measurement: see `docs/spec.md` § "Choice of proofs".
pub const CDS_MAX_L: u64 = 16;

/// An election manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// A globally unique identifier of the election, chosen by the host.
    pub election_id: String,
    /// Human-readable title.
    #[serde(default)]
    pub title: String,
    /// The contests, in ballot order.
    pub contests: Vec<Contest>,
}

/// A contest (a question on the ballot).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contest {
    /// Identifier, unique within the manifest.
    pub id: String,
    /// Human-readable title.
    #[serde(default)]
    pub title: String,
    /// The options (candidates, answers), in ballot order.
    pub options: Vec<ContestOption>,
    /// How voters may fill this contest.
    pub rule: VoteRule,
}

/// An option of a contest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContestOption {
    /// Identifier, unique within the contest.
    pub id: String,
    /// Human-readable label.
    #[serde(default)]
    pub label: String,
}

/// How a contest may be filled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum VoteRule {
    /// Select between `min` and `max` options (each 0 or 1). Plurality is `max = 1`.
    Approval {
        /// Fewest selections.
        min: u32,
        /// Most selections.
        max: u32,
    },
    /// Give each option up to `per_option` points, `min..=max` points in all.
    Cumulative {
        /// Most points on one option.
        per_option: u32,
        /// Fewest points in all.
        min: u32,
        /// Most points in all.
        max: u32,
    },
    /// Score each option from 0 to `max`.
    Score {
        /// Highest score.
        max: u32,
    },
    /// Rank options; counted by instant-runoff (one seat) or STV (several) after a
    /// verifiable shuffle.
    Ranked {
        /// Number of seats.
        seats: u32,
    },
    /// Free text; decrypted individually after a verifiable shuffle.
    WriteIn {
        /// Longest text in bytes.
        max_len: u32,
    },
}

/// How the plaintexts of one contest are proved in range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeMethod {
    /// A disjunctive proof per value, over `0..=L`.
    Disjunctive(u64),
    /// One aggregated bulletproof over `[lo, hi]` (with well-formedness proofs).
    Bulletproof {
        /// Lower bound.
        lo: u64,
        /// Upper bound.
        hi: u64,
    },
}

impl RangeMethod {
    fn for_range(lo: u64, hi: u64) -> Self {
        if lo == 0 && (1..=CDS_MAX_L).contains(&hi) {
            RangeMethod::Disjunctive(hi)
        } else {
            RangeMethod::Bulletproof { lo, hi }
        }
    }
}

/// Which proofs a contest's encryption carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProofPlan {
    /// Range of each option's value and how it is proved.
    pub per_option: RangeMethod,
    /// Range of the contest total and how it is proved, when the rule bounds it.
    ///
    /// For a disjunctive total over `[min, max]` the proof is made on the total shifted
    /// by `−min·G`, proving `total − min ∈ 0..=(max − min)`.
    pub total: Option<(u64, u64, RangeMethod)>,
}

impl VoteRule {
    /// Whether contests with this rule are tallied homomorphically.
    pub fn is_homomorphic(&self) -> bool {
        !matches!(self, VoteRule::Ranked { .. } | VoteRule::WriteIn { .. })
    }

    /// Largest value one option may carry.
    pub fn option_max(&self) -> u64 {
        match *self {
            VoteRule::Approval { .. } => 1,
            VoteRule::Cumulative { per_option, .. } => u64::from(per_option),
            VoteRule::Score { max } => u64::from(max),
            VoteRule::Ranked { .. } | VoteRule::WriteIn { .. } => 0,
        }
    }

    /// Bounds on the contest total, if the rule has any.
    pub fn total_bounds(&self) -> Option<(u64, u64)> {
        match *self {
            VoteRule::Approval { min, max } | VoteRule::Cumulative { min, max, .. } => {
                Some((u64::from(min), u64::from(max)))
            }
            _ => None,
        }
    }

    /// The proofs a ballot carries for a contest with this rule and `n` options: for
    /// homomorphic rules, a range proof per option and possibly one on the total; for
    /// ranked contests a range proof per rank over `0..=n`; for write-ins one aggregated
    /// bulletproof over 16-bit chunks. `None` only for a write-in too long to prove.
    pub fn proof_plan(&self, n: usize) -> Option<ProofPlan> {
        match *self {
            VoteRule::Ranked { .. } => {
                return Some(ProofPlan {
                    per_option: RangeMethod::for_range(0, n as u64),
                    total: None,
                })
            }
            VoteRule::WriteIn { max_len } => {
                let width = (max_len as usize).div_ceil(2);
                let hi = crate::mixnet::encoding::WRITE_IN_CHUNK_MAX;
                return crate::proofs::range::supports(0, hi, width).then_some(ProofPlan {
                    per_option: RangeMethod::Bulletproof { lo: 0, hi },
                    total: None,
                });
            }
            _ => {}
        }
        let per_option = RangeMethod::for_range(0, self.option_max());
        let total = self.total_bounds().and_then(|(min, max)| {
            // A total bound that every ballot satisfies anyway needs no proof.
            let natural_max = self.option_max().saturating_mul(n as u64);
            if min == 0 && max >= natural_max {
                return None;
            }
            let method = if max - min <= CDS_MAX_L {
                RangeMethod::Disjunctive(max - min)
            } else {
                RangeMethod::Bulletproof { lo: min, hi: max }
            };
            Some((min, max, method))
        });
        Some(ProofPlan { per_option, total })
    }
}

fn check_text(what: &str, s: &str, contest: Option<&str>) -> Result<(), Error> {
    let place = contest
        .map(|c| format!(" in contest '{c}'"))
        .unwrap_or_default();
    if s.is_empty() {
        return Err(Error::invalid_manifest(format!("{what} is empty{place}")));
    }
    if s.len() > MAX_TEXT {
        return Err(Error::invalid_manifest(format!(
            "{what} '{}…' is longer than {MAX_TEXT} bytes{place}",
            s.chars().take(16).collect::<String>()
        )));
    }
    Ok(())
}

impl Manifest {
    /// Parses and validates a manifest from JSON.
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        let m: Manifest = serde_json::from_slice(json)
            .map_err(|e| Error::invalid_manifest(format!("manifest JSON: {e}")))?;
        m.validate()?;
        Ok(m)
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks every structural rule; the error names the contest at fault.
    pub fn validate(&self) -> Result<(), Error> {
        check_text("election id", &self.election_id, None)?;
        if self.title.len() > MAX_TEXT {
            return Err(Error::invalid_manifest("election title is too long"));
        }
        if self.contests.is_empty() {
            return Err(Error::invalid_manifest("manifest has no contests"));
        }
        if self.contests.len() > MAX_CONTESTS {
            return Err(Error::invalid_manifest(format!(
                "manifest has {} contests; at most {MAX_CONTESTS} are allowed",
                self.contests.len()
            )));
        }
        let mut ids = BTreeSet::new();
        for c in &self.contests {
            check_text("contest id", &c.id, None)?;
            if !ids.insert(c.id.as_str()) {
                return Err(Error::invalid_manifest(format!(
                    "contest id '{}' appears twice",
                    c.id
                )));
            }
            c.validate()?;
        }
        Ok(())
    }

    /// Number of ciphertexts each ballot carries per contest (see [`Contest::width`]).
    pub fn widths(&self) -> Vec<usize> {
        self.contests.iter().map(Contest::width).collect()
    }

    /// Whether some contest is ranked or write-in (counted through the mixnet). Such an
    /// election admits voter weights 0 and 1 only: a weight-0 ballot contributes no row,
    /// and a row cannot carry a larger weight without revealing whose it is.
    pub fn has_mixnet_contest(&self) -> bool {
        self.contests.iter().any(|c| !c.rule.is_homomorphic())
    }

    /// Number of homomorphically tallied values per contest (0 for ranked and
    /// write-in contests): the shape of a tally.
    pub fn tally_shape(&self) -> Vec<usize> {
        self.contests
            .iter()
            .map(|c| {
                if c.rule.is_homomorphic() {
                    c.options.len()
                } else {
                    0
                }
            })
            .collect()
    }

    /// Index of the contest with this id.
    pub fn contest_index(&self, id: &str) -> Option<usize> {
        self.contests.iter().position(|c| c.id == id)
    }

    /// Canonical binary encoding (what the base hash commits to).
    ///
    /// Strings are `u32 LE length ‖ UTF-8`; the rule is a tag byte and its `u32` fields.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        put_str(&mut out, &self.election_id);
        put_str(&mut out, &self.title);
        out.extend_from_slice(&(self.contests.len() as u32).to_le_bytes());
        for c in &self.contests {
            put_str(&mut out, &c.id);
            put_str(&mut out, &c.title);
            let (tag, fields): (u8, &[u32]) = match &c.rule {
                VoteRule::Approval { min, max } => (1, &[*min, *max]),
                VoteRule::Cumulative {
                    per_option,
                    min,
                    max,
                } => (2, &[*per_option, *min, *max]),
                VoteRule::Score { max } => (3, core::slice::from_ref(max)),
                VoteRule::Ranked { seats } => (4, core::slice::from_ref(seats)),
                VoteRule::WriteIn { max_len } => (5, core::slice::from_ref(max_len)),
            };
            out.push(tag);
            for f in fields {
                out.extend_from_slice(&f.to_le_bytes());
            }
            out.extend_from_slice(&(c.options.len() as u32).to_le_bytes());
            for o in &c.options {
                put_str(&mut out, &o.id);
                put_str(&mut out, &o.label);
            }
        }
        out
    }

    /// Decodes the canonical binary encoding and validates the result.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        const WHAT: &str = "manifest";
        let bad = DecodeError::new(WHAT, DecodeErrorKind::InvalidValue);
        let mut r = Reader::new(bytes, WHAT);
        let election_id = get_str(&mut r)?;
        let title = get_str(&mut r)?;
        let n = r.u32()? as usize;
        if n > MAX_CONTESTS {
            return Err(bad.into());
        }
        let mut contests = Vec::with_capacity(n);
        for _ in 0..n {
            let id = get_str(&mut r)?;
            let ctitle = get_str(&mut r)?;
            let rule = match r.u8()? {
                1 => VoteRule::Approval {
                    min: r.u32()?,
                    max: r.u32()?,
                },
                2 => VoteRule::Cumulative {
                    per_option: r.u32()?,
                    min: r.u32()?,
                    max: r.u32()?,
                },
                3 => VoteRule::Score { max: r.u32()? },
                4 => VoteRule::Ranked { seats: r.u32()? },
                5 => VoteRule::WriteIn { max_len: r.u32()? },
                _ => return Err(bad.into()),
            };
            let k = r.u32()? as usize;
            if k > MAX_OPTIONS {
                return Err(bad.into());
            }
            let mut options = Vec::with_capacity(k);
            for _ in 0..k {
                options.push(ContestOption {
                    id: get_str(&mut r)?,
                    label: get_str(&mut r)?,
                });
            }
            contests.push(Contest {
                id,
                title: ctitle,
                options,
                rule,
            });
        }
        r.finish()?;
        let m = Manifest {
            election_id,
            title,
            contests,
        };
        m.validate()?;
        Ok(m)
    }
}

impl Contest {
    /// Number of ciphertexts a ballot carries for this contest: one per option
    /// (homomorphic rules), one per rank (ranked: as many ranks as options), or one per
    /// two bytes of text (write-in).
    pub fn width(&self) -> usize {
        crate::mixnet::encoding::row_width(&self.rule, self.options.len())
            .unwrap_or(self.options.len())
    }

    /// Checks the contest's own rules.
    pub fn validate(&self) -> Result<(), Error> {
        let id = self.id.as_str();
        let bad = |msg: String| Err(Error::invalid_manifest(format!("contest '{id}': {msg}")));
        if self.title.len() > MAX_TEXT {
            return bad("title is too long".into());
        }
        let n = self.options.len();
        if n == 0 {
            return bad("has no options".into());
        }
        if n > MAX_OPTIONS {
            return bad(format!(
                "has {n} options; at most {MAX_OPTIONS} are allowed"
            ));
        }
        let mut ids = BTreeSet::new();
        for o in &self.options {
            check_text("option id", &o.id, Some(id))?;
            if o.label.len() > MAX_TEXT {
                return bad(format!("label of option '{}' is too long", o.id));
            }
            if !ids.insert(o.id.as_str()) {
                return bad(format!("option id '{}' appears twice", o.id));
            }
        }
        match self.rule {
            VoteRule::Approval { min, max } => {
                if max == 0 || min > max || max as usize > n {
                    return bad(format!("approval needs 0 ≤ min ≤ max ≤ {n} options and max ≥ 1; got min {min}, max {max}"));
                }
            }
            VoteRule::Cumulative {
                per_option,
                min,
                max,
            } => {
                if per_option == 0 || per_option > MAX_OPTION_VALUE {
                    return bad(format!("per_option must be in 1..={MAX_OPTION_VALUE}"));
                }
                if max == 0 || min > max || u64::from(max) > u64::from(per_option) * n as u64 {
                    return bad(format!(
                        "cumulative needs min ≤ max ≤ per_option × options and max ≥ 1; got min {min}, max {max}"
                    ));
                }
            }
            VoteRule::Score { max } => {
                if max == 0 || max > MAX_OPTION_VALUE {
                    return bad(format!("score max must be in 1..={MAX_OPTION_VALUE}"));
                }
            }
            VoteRule::Ranked { seats } => {
                if seats == 0 || seats as usize > n {
                    return bad(format!("ranked needs 1 ≤ seats ≤ {n}"));
                }
            }
            VoteRule::WriteIn { max_len } => {
                if max_len == 0 || max_len as usize > MAX_WRITE_IN {
                    return bad(format!("write-in max_len must be in 1..={MAX_WRITE_IN}"));
                }
            }
        }
        if let Some(RangeMethod::Bulletproof { lo, hi }) =
            self.rule.proof_plan(n).map(|p| p.per_option)
        {
            if !crate::proofs::range::supports(lo, hi, n) {
                return bad(format!(
                    "{n} options scored in [{lo}, {hi}] need more than {} range commitments in one proof",
                    crate::proofs::range::MAX_COMMITMENTS
                ));
            }
        }
        Ok(())
    }
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn get_str(r: &mut Reader<'_>) -> Result<String, DecodeError> {
    let len = r.u32()? as usize;
    if len > MAX_TEXT {
        return Err(DecodeError::new("manifest", DecodeErrorKind::InvalidValue));
    }
    let b = r.take(len)?;
    String::from_utf8(b.to_vec())
        .map_err(|_| DecodeError::new("manifest", DecodeErrorKind::InvalidValue))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    pub(crate) fn opts(n: usize) -> Vec<ContestOption> {
        (0..n)
            .map(|i| ContestOption {
                id: format!("o{i}"),
                label: format!("Option {i}"),
            })
            .collect()
    }

    fn manifest() -> Manifest {
        Manifest {
            election_id: "e1".into(),
            title: "Test".into(),
            contests: vec![
                Contest {
                    id: "a".into(),
                    title: String::new(),
                    options: opts(4),
                    rule: VoteRule::Approval { min: 1, max: 2 },
                },
                Contest {
                    id: "c".into(),
                    title: String::new(),
                    options: opts(3),
                    rule: VoteRule::Cumulative {
                        per_option: 3,
                        min: 0,
                        max: 5,
                    },
                },
                Contest {
                    id: "s".into(),
                    title: String::new(),
                    options: opts(2),
                    rule: VoteRule::Score { max: 100 },
                },
                Contest {
                    id: "r".into(),
                    title: String::new(),
                    options: opts(3),
                    rule: VoteRule::Ranked { seats: 1 },
                },
            ],
        }
    }

    #[test]
    fn round_trips_and_validates() {
        let m = manifest();
        m.validate().unwrap();
        assert_eq!(Manifest::from_bytes(&m.to_bytes()).unwrap(), m);
        assert_eq!(Manifest::from_json(m.to_json().as_bytes()).unwrap(), m);
        let mut bytes = m.to_bytes();
        bytes.push(0);
        assert!(Manifest::from_bytes(&bytes).is_err());
        assert!(Manifest::from_bytes(&bytes[..10]).is_err());
    }

    #[test]
    fn errors_name_the_contest() {
        let mut m = manifest();
        m.contests[1].rule = VoteRule::Cumulative {
            per_option: 1,
            min: 0,
            max: 5,
        };
        let e = m.validate().unwrap_err();
        assert!(
            alloc::string::ToString::to_string(&e).contains("contest 'c'"),
            "{e}"
        );
        let mut m = manifest();
        m.contests[2].id = "a".into();
        assert!(
            alloc::string::ToString::to_string(&m.validate().unwrap_err())
                .contains("'a' appears twice")
        );
        let mut m = manifest();
        m.contests[0].options[1].id = "o0".into();
        assert!(
            alloc::string::ToString::to_string(&m.validate().unwrap_err()).contains("contest 'a'")
        );
        assert!(Manifest::from_json(br#"{"election_id":"x","contests":[],"extra":1}"#).is_err());
    }

    #[test]
    fn proof_plans() {
        let plan = VoteRule::Approval { min: 1, max: 2 }.proof_plan(4).unwrap();
        assert_eq!(plan.per_option, RangeMethod::Disjunctive(1));
        assert_eq!(plan.total, Some((1, 2, RangeMethod::Disjunctive(1))));
        // Approval of any number: no total proof.
        assert_eq!(
            VoteRule::Approval { min: 0, max: 4 }
                .proof_plan(4)
                .unwrap()
                .total,
            None
        );
        let plan = VoteRule::Score { max: 100 }.proof_plan(2).unwrap();
        assert_eq!(plan.per_option, RangeMethod::Bulletproof { lo: 0, hi: 100 });
        let ranked = VoteRule::Ranked { seats: 1 }.proof_plan(3).unwrap();
        assert_eq!(ranked.per_option, RangeMethod::Disjunctive(3));
        assert_eq!(ranked.total, None);
        let write_in = VoteRule::WriteIn { max_len: 9 }.proof_plan(1).unwrap();
        assert_eq!(
            write_in.per_option,
            RangeMethod::Bulletproof { lo: 0, hi: 0xffff }
        );
        // A score contest too large for one aggregated range proof is refused up front.
        let big = Contest {
            id: "big".into(),
            title: String::new(),
            options: opts(200),
            rule: VoteRule::Score { max: 100 },
        };
        assert!(big.validate().is_err());
        let ok = Contest {
            options: opts(128),
            ..big
        };
        ok.validate().unwrap();
    }
}
