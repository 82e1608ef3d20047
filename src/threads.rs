//! The worker threads every parallel stage runs on: loading content and
//! compiling documents.

use std::sync::OnceLock;

/// Stack size of the worker threads. Typst recurses deeply on long
/// documents; the default 2 MiB of a worker thread is not always enough.
const STACK_SIZE: usize = 64 * 1024 * 1024;

static POOL: OnceLock<rayon::ThreadPool> = OnceLock::new();

/// Sets the number of worker threads (default: one per core), which caps the
/// documents compiled at once. Takes effect only before the first parallel
/// work of the process.
pub fn set_threads(threads: Option<usize>) -> Result<(), String> {
    let pool = builder(threads.unwrap_or(0))
        .build()
        .map_err(|e| e.to_string())?;
    POOL.set(pool)
        .map_err(|_| "the worker threads are already running".to_owned())
}

/// The worker threads.
pub fn pool() -> &'static rayon::ThreadPool {
    POOL.get_or_init(|| builder(0).build().expect("worker threads start"))
}

fn builder(threads: usize) -> rayon::ThreadPoolBuilder {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .stack_size(STACK_SIZE)
        .thread_name(|i| format!("motebok-{i}"))
}
