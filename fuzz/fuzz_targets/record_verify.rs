//! The universal verifier on arbitrary bytes (either encoding): a report or an error,
//! never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ostracon_fuzz::rng;

fuzz_target!(|data: &[u8]| {
    if let Ok(report) = ostracon::verify::verify_bytes(data, &mut rng(4)) {
        let _ = report.summary();
    }
});
