//! Work over the inputs: in parallel when there are several, on this thread when there is
//! one. A lone file (what a pre-commit hook or an editor passes) then does not pay for
//! starting rayon's thread pool, which spawns a thread per core and reads the cgroup limits,
//! unless it is long enough to be spread over the cores ([`start_pool`]).

use std::sync::Once;

use rayon::prelude::*;

/// Starts rayon's pool with the calling (main) thread as one of its workers. Left to itself
/// rayon starts a thread per core and the main thread only waits for them; as a worker it
/// works, and one thread fewer is started (a thread costs its stack, and the first pages of
/// its own heap). Call from the main thread only.
pub fn start_pool() {
    static STARTED: Once = Once::new();
    STARTED.call_once(|| {
        // Fails only when a pool exists already: then that one serves.
        let _ = rayon::ThreadPoolBuilder::new()
            .use_current_thread()
            .build_global();
    });
}

/// `items.map(work)`, in order.
pub fn map_each<'a, T, R, F>(items: &'a [T], work: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&'a T) -> R + Sync + Send,
{
    if items.len() <= 1 {
        items.iter().map(work).collect()
    } else {
        start_pool();
        // One file a job: files differ in size fifty-fold, and rayon's own splitting (a few
        // runs of files a thread) left one core idle for the last tenth of a second while
        // the other finished a run of big ones.
        items.par_iter().with_max_len(1).map(work).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_of_the_inputs() {
        let many: Vec<usize> = (0..100).collect();
        assert_eq!(
            map_each(&many, |n| n * 2),
            (0..100).map(|n| n * 2).collect::<Vec<_>>()
        );
        assert_eq!(map_each(&[7], |n| n + 1), vec![8]);
        assert!(map_each(&[] as &[u8], |n| *n).is_empty());
    }
}
