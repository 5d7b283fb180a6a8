//! `ostracon._native`: the Python binding of the ostracon core.
//!
//! A thin layer: every class wraps a core type, every function converts its arguments,
//! calls the core and converts the result; errors map one-to-one onto the exception
//! classes of [`errors`]. No cryptography and no validation live here. Long work
//! releases the GIL. The public Python package `ostracon` re-exports this module; its
//! types are described by the hand-written `ostracon/_native.pyi`.

use pyo3::prelude::*;

mod ceremony;
mod election;
mod errors;
mod record;
mod simulation;
mod util;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("CHECKS", record::checks(m.py())?)?;

    m.add_class::<election::Manifest>()?;
    m.add_class::<election::Contest>()?;
    m.add_class::<election::Election>()?;
    m.add_class::<election::EncryptedBallot>()?;
    m.add_class::<election::PrecomputedBallot>()?;
    m.add_class::<election::TrackingCode>()?;
    m.add_class::<election::BallotOpening>()?;
    m.add_class::<election::VoterKey>()?;
    m.add_class::<election::VoterRegistry>()?;
    m.add_class::<election::RegistryAttestation>()?;
    m.add_class::<election::Board>()?;
    m.add_class::<election::BoardEntry>()?;
    m.add_class::<election::BoardSummary>()?;
    m.add_class::<election::TallyAccumulator>()?;
    m.add_class::<election::EncryptedTally>()?;
    m.add_class::<election::Results>()?;
    m.add_function(wrap_pyfunction!(election::verify_ballot, m)?)?;

    m.add_class::<ceremony::CeremonyTranscript>()?;
    m.add_class::<ceremony::Trustee>()?;
    m.add_class::<ceremony::KeyShare>()?;
    m.add_class::<ceremony::PartialDecryption>()?;
    m.add_function(wrap_pyfunction!(ceremony::share_recipient, m)?)?;
    m.add_function(wrap_pyfunction!(ceremony::run_ceremony, m)?)?;
    m.add_function(wrap_pyfunction!(ceremony::decrypt_tally, m)?)?;

    m.add_class::<record::Record>()?;
    m.add_class::<record::RecordItems>()?;
    m.add_class::<record::RecordHeader>()?;
    m.add_class::<record::MixnetItem>()?;
    m.add_class::<record::RecordWriter>()?;
    m.add_class::<record::Report>()?;
    m.add_class::<record::CheckResult>()?;
    m.add_class::<record::Failure>()?;
    m.add_class::<record::Counts>()?;
    m.add_function(wrap_pyfunction!(record::verify_record, m)?)?;
    m.add_function(wrap_pyfunction!(record::verify_bytes, m)?)?;

    m.add_class::<simulation::Simulation>()?;
    m.add_function(wrap_pyfunction!(simulation::simulate, m)?)?;
    Ok(())
}
