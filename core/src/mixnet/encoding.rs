//! How rankings and write-in texts become rows of small integers (each encrypted as
//! `v·G`, proved in range on the ballot, decrypted after the shuffle with a table
//! lookup).
//!
//! **Ranking** of a contest with `n` options: a row of `n` values, one per rank. Rank
//! `k` holds `j + 1` when option `j` is the voter's `k`-th preference and `0` when the
//! rank is left empty, so every value lies in `0..=n`. Decoding reads ranks in order and
//! stops at the first empty rank or the first option already ranked: a repeated option
//! and everything after it are ignored (the ballot exhausts there), as are ranks after
//! a gap. An empty ranking is a valid blank ballot.
//!
//! **Write-in** of at most `max_len` bytes: the UTF-8 text (without NUL bytes), padded
//! with zero bytes to `2·⌈max_len/2⌉` bytes, cut into big-endian 16-bit chunks; a row of
//! `⌈max_len/2⌉` values in `0..2¹⁶`. Decoding strips the trailing zero bytes; a zero byte
//! inside the text or invalid UTF-8 makes the row invalid. The empty text is a blank.

use alloc::string::String;
use alloc::vec::Vec;

use crate::manifest::VoteRule;

/// Largest value of a write-in chunk (16 bits).
pub const WRITE_IN_CHUNK_MAX: u64 = 0xffff;

/// Row width of a contest on the mixnet path: `n` ranks for a ranked contest with `n`
/// options, `⌈max_len/2⌉` chunks for a write-in; `None` for homomorphic contests.
pub fn row_width(rule: &VoteRule, options: usize) -> Option<usize> {
    match *rule {
        VoteRule::Ranked { .. } => Some(options),
        VoteRule::WriteIn { max_len } => Some((max_len as usize).div_ceil(2)),
        _ => None,
    }
}

/// Largest value of one entry of the row (`n` for a ranking, `2¹⁶ − 1` for a write-in);
/// `None` for homomorphic contests.
pub fn value_max(rule: &VoteRule, options: usize) -> Option<u64> {
    match *rule {
        VoteRule::Ranked { .. } => Some(options as u64),
        VoteRule::WriteIn { .. } => Some(WRITE_IN_CHUNK_MAX),
        _ => None,
    }
}

/// Encodes a ranking (option indices, most preferred first) for a contest of `options`
/// options. Fails (naming the problem, never the values: the error may reach a log) on
/// an out-of-range or repeated option, or more preferences than options.
pub fn encode_ranking(ranking: &[u32], options: usize) -> Result<Vec<u64>, String> {
    if ranking.len() > options {
        return Err(alloc::format!(
            "more preferences than the {options} options"
        ));
    }
    let mut seen = alloc::vec![false; options];
    let mut row = alloc::vec![0u64; options];
    for (rank, &opt) in ranking.iter().enumerate() {
        let slot = seen.get_mut(opt as usize).ok_or_else(|| {
            alloc::format!("the ranking names an option that does not exist ({options} options)")
        })?;
        if *slot {
            return Err("the ranking has an option ranked twice".into());
        }
        *slot = true;
        row[rank] = u64::from(opt) + 1;
    }
    Ok(row)
}

/// Decodes a decrypted ranking row (see the module documentation for the rules).
/// Fails only on a value above `options`, which a valid ballot proof excludes.
pub fn decode_ranking(row: &[u64], options: usize) -> Result<Vec<u32>, String> {
    let mut seen = alloc::vec![false; options];
    let mut ranking = Vec::new();
    for (rank, &v) in row.iter().enumerate() {
        if v > options as u64 {
            return Err(alloc::format!(
                "rank {rank} holds {v}, above the {options} options"
            ));
        }
        if v == 0 {
            break;
        }
        let opt = (v - 1) as usize;
        if seen[opt] {
            break;
        }
        seen[opt] = true;
        ranking.push(opt as u32);
    }
    Ok(ranking)
}

/// Encodes a write-in text of at most `max_len` bytes. Fails on a longer text or a NUL
/// byte.
pub fn encode_write_in(text: &str, max_len: u32) -> Result<Vec<u64>, String> {
    let bytes = text.as_bytes();
    if bytes.len() > max_len as usize {
        return Err(alloc::format!(
            "the write-in is longer than {max_len} bytes"
        ));
    }
    if bytes.contains(&0) {
        return Err("a write-in may not contain a NUL character".into());
    }
    let width = (max_len as usize).div_ceil(2);
    let mut padded = alloc::vec![0u8; 2 * width];
    padded[..bytes.len()].copy_from_slice(bytes);
    Ok(padded
        .chunks_exact(2)
        .map(|c| u64::from(u16::from_be_bytes([c[0], c[1]])))
        .collect())
}

/// Decodes a decrypted write-in row to its text.
pub fn decode_write_in(row: &[u64]) -> Result<String, String> {
    let mut bytes = Vec::with_capacity(2 * row.len());
    for (i, &v) in row.iter().enumerate() {
        let chunk =
            u16::try_from(v).map_err(|_| alloc::format!("chunk {i} holds {v}, above 16 bits"))?;
        bytes.extend_from_slice(&chunk.to_be_bytes());
    }
    while bytes.last() == Some(&0) {
        bytes.pop();
    }
    if bytes.contains(&0) {
        return Err("a NUL byte inside the text".into());
    }
    String::from_utf8(bytes).map_err(|_| "the text is not valid UTF-8".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranking_round_trip_and_rules() {
        assert_eq!(encode_ranking(&[2, 0], 4).unwrap(), [3, 1, 0, 0]);
        assert_eq!(decode_ranking(&[3, 1, 0, 0], 4).unwrap(), [2, 0]);
        // Gap: ranks after an empty one are ignored.
        assert_eq!(decode_ranking(&[3, 0, 1, 0], 4).unwrap(), [2]);
        // Repeat: exhausts at the repeated option.
        assert_eq!(decode_ranking(&[3, 3, 1, 0], 4).unwrap(), [2]);
        assert!(decode_ranking(&[5, 0, 0, 0], 4).is_err());
        assert!(encode_ranking(&[1, 1], 4).is_err());
        assert!(encode_ranking(&[4], 4).is_err());
        assert!(encode_ranking(&[0, 1, 2, 3, 0], 4).is_err());
        assert_eq!(decode_ranking(&[0, 0], 2).unwrap(), Vec::<u32>::new());
    }

    #[test]
    fn write_in_round_trip_and_rules() {
        for text in ["", "a", "Ada Lovelace", "Jean-Édouard Œuvre ✓"] {
            let row = encode_write_in(text, 31).unwrap();
            assert_eq!(row.len(), 16);
            assert!(row.iter().all(|&v| v <= WRITE_IN_CHUNK_MAX));
            assert_eq!(decode_write_in(&row).unwrap(), text);
        }
        assert!(encode_write_in("abc", 2).is_err());
        assert!(encode_write_in("a\0b", 8).is_err());
        assert!(decode_write_in(&[0x6100, 0x0062]).is_err());
        assert!(decode_write_in(&[0xffff]).is_err());
        assert!(decode_write_in(&[0x1_0000]).is_err());
    }
}
