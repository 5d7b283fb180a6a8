//! `ostracon.simulate`: a whole election run by the core's simulation, written as a
//! record file (the engine of `ostracon demo`).

use std::path::PathBuf;

use ostracon::record::io::RecordWriter as CoreWriter;
use ostracon::record::RecordItem;
use ostracon::simulation::{self, Config};
use pyo3::prelude::*;
use rand::RngCore;

use crate::election::{Election, Manifest, Results};
use crate::errors;
use crate::util::{self, hex};

/// What a simulation produced.
#[pyclass(module = "ostracon", frozen)]
pub struct Simulation {
    #[pyo3(get)]
    path: PathBuf,
    #[pyo3(get)]
    seed: u64,
    #[pyo3(get)]
    entries: u64,
    election: Election,
    results: Results,
    expected: Results,
    head: [u8; 32],
}

#[pymethods]
impl Simulation {
    #[getter]
    fn election(&self) -> Election {
        self.election.clone()
    }

    /// The decrypted results written to the record.
    #[getter]
    fn results(&self) -> Results {
        self.results.clone()
    }

    /// The count the results must equal, computed from the plaintexts.
    #[getter]
    fn expected(&self) -> Results {
        self.expected.clone()
    }

    /// The board's final chain head (hex).
    #[getter]
    fn head(&self) -> String {
        hex(&self.head)
    }

    fn __repr__(&self) -> String {
        format!(
            "Simulation(path={:?}, seed={}, entries={})",
            self.path.display().to_string(),
            self.seed,
            self.entries
        )
    }
}

/// Runs a whole election in this process and writes its record to `path`: key
/// ceremony, voter registry, `ballots` voters (some challenge, some revote), tally,
/// threshold decryption, results. Reproducible with `seed` (default: random). The
/// defaults are those of `ostracon demo`: the demo manifest, 3-of-5 trustees with
/// trustees 2 and 4 absent, signatures, a challenge every 50 voters, a revote every 20.
/// Giving `trustees` or `threshold` makes nobody absent unless `absent` says so.
#[pyfunction]
#[pyo3(signature = (
    path, ballots = 100, seed = None, *, format = None, manifest = None, trustees = None,
    threshold = None, absent = None, signatures = true, weights = false,
    challenge_every = 50, revote_every = 20
))]
#[allow(clippy::too_many_arguments)]
pub fn simulate(
    py: Python<'_>,
    path: PathBuf,
    ballots: u64,
    seed: Option<u64>,
    format: Option<&str>,
    manifest: Option<&Manifest>,
    trustees: Option<u32>,
    threshold: Option<u32>,
    absent: Option<Vec<u32>>,
    signatures: bool,
    weights: bool,
    challenge_every: u64,
    revote_every: u64,
) -> PyResult<Simulation> {
    let format = crate::record::format_arg(&path, format)?;
    let seed = seed.unwrap_or_else(|| util::rng().next_u64());
    let mut config = Config::demo(ballots, seed);
    if let Some(m) = manifest {
        config.manifest = m.inner.clone();
    }
    if trustees.is_some() || threshold.is_some() {
        config.absent = Vec::new();
    }
    if let Some(n) = trustees {
        config.trustees = n;
    }
    if let Some(t) = threshold {
        config.threshold = t;
    }
    if let Some(a) = absent {
        config.absent = a;
    }
    config.signatures = signatures;
    config.weights = weights;
    config.challenge_every = challenge_every;
    config.revote_every = revote_every;

    let mut writer = CoreWriter::create(&path, format).map_err(|e| errors::io(&path, e))?;
    let mut write_error: Option<std::io::Error> = None;
    let outcome = py.detach(|| {
        let mut sink = |item: RecordItem| -> Result<(), ostracon::Error> {
            writer.write(&item).map_err(|e| {
                let msg = e.to_string();
                write_error = Some(e);
                ostracon::Error::InvalidInput(msg)
            })
        };
        simulation::run(&config, &mut sink)
    });
    if let Some(e) = write_error {
        return Err(errors::io(&path, e));
    }
    // On a refused configuration the writer is dropped: no file appears.
    let outcome = outcome.map_err(errors::core)?;
    py.detach(|| writer.finish())
        .map_err(|e| errors::io(&path, e))?;
    Ok(Simulation {
        path,
        seed,
        entries: outcome.entries,
        election: Election::new(outcome.election),
        results: Results {
            inner: outcome.results,
        },
        expected: Results {
            inner: outcome.expected,
        },
        head: outcome.head,
    })
}
