//! The worker threads every parallel stage runs on: loading content and
//! compiling documents.

use std::sync::OnceLock;

/// Stack size of the worker threads. Typst recurses deeply on long
/// documents; the default 2 MiB of a worker thread is not always enough.
pub(crate) const STACK_SIZE: usize = 64 * 1024 * 1024;

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

/// The cores this process may use (its CPU affinity and a container's limit
/// count).
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A pool of a thread per core, when the worker pool has fewer (`--jobs`
/// below the cores), else the worker pool: the few documents of a small
/// build, compiled side by side, spread their work over the cores as one
/// document at a time of a large build does (see [`threads_per_worker`]).
/// No more documents than workers are ever given to it.
pub fn wide_pool() -> &'static rayon::ThreadPool {
    static WIDE: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    let wide = WIDE.get_or_init(|| {
        (cores() > pool().current_num_threads())
            .then(|| builder(cores()).build().expect("worker threads start"))
    });
    wide.as_ref().unwrap_or_else(pool)
}

/// The threads each of `workers` workers compiling a document at a time
/// gets: the cores this process may use, shared among the workers (at
/// least one each). With fewer documents at once than cores (`--jobs 1` on
/// 2 cores) a document's own work is spread over the cores left, as the
/// typst CLI spreads each document over all of them; with a worker per core
/// (the default) each has one.
pub fn threads_per_worker(workers: usize) -> usize {
    (cores() / workers.max(1)).max(1)
}

/// Runs `work(0)`, `work(1)`, … `work(count - 1)` on as many workers as the
/// pool has threads, each taking the next index as it is free; returns the
/// results in index order.
///
/// Each worker runs in a pool of its own ([`threads_per_worker`] threads),
/// not in the shared pool:
/// Typst parallelises inside a document with rayon, and a thread of a shared
/// pool that waits for that work takes up other queued tasks meanwhile, here
/// other documents, nested on its stack. A large build then had dozens of
/// documents half done at once (4 GB where one at a time per worker needs
/// a few hundred MB).
pub fn run_each<T: Send>(count: usize, work: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let workers = pool().current_num_threads().clamp(1, count.max(1));
    let threads = threads_per_worker(workers);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let take = || next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut done: Vec<(usize, T)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|i| {
                let (take, work) = (&take, &work);
                scope.spawn(move || {
                    let own = builder(threads)
                        .thread_name(move |_| format!("motebok-{i}"))
                        .build()
                        .expect("a worker thread starts");
                    own.install(|| {
                        std::iter::from_fn(|| Some(take()).filter(|k| *k < count))
                            .map(|k| (k, work(k)))
                            .collect::<Vec<_>>()
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    done.sort_by_key(|(k, _)| *k);
    done.into_iter().map(|(_, result)| result).collect()
}

#[cfg(test)]
mod tests {
    /// The cores are shared among the workers, each with at least one.
    #[test]
    fn workers_share_the_cores() {
        let cores = super::cores();
        assert_eq!(super::threads_per_worker(1), cores);
        assert_eq!(super::threads_per_worker(0), cores);
        assert_eq!(super::threads_per_worker(cores), 1);
        assert_eq!(super::threads_per_worker(cores * 4), 1);
        assert_eq!(super::threads_per_worker(2), (cores / 2).max(1));
    }

    #[test]
    fn every_index_once_in_order() {
        let out = super::run_each(1000, |k| k * 2);
        assert_eq!(out, (0..1000).map(|k| k * 2).collect::<Vec<_>>());
        assert!(super::run_each(0, |k| k).is_empty());
    }
}
