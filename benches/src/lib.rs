//! Benchmarks of ostracon (see benches/).
