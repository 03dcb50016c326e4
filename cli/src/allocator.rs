//! The process's allocator, mimalloc, and how a command-line run tunes it.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys::{
    mi_calloc, mi_free, mi_malloc, mi_malloc_aligned, mi_realloc, mi_realloc_aligned, mi_zalloc,
    mi_zalloc_aligned,
};

#[global_allocator]
static ALLOCATOR: Mimalloc = Mimalloc;

/// mimalloc, asked the short way when the alignment needs no asking. The `mimalloc` crate
/// sends every request through `mi_malloc_aligned`, three calls deeper than `mi_malloc`
/// before it reaches the same fast path: 2.5% of the instructions over the benchmark corpus.
struct Mimalloc;

/// mimalloc's `MI_MAX_ALIGN_SIZE`: a block of at least this many bytes starts on such a
/// boundary, and a smaller block on a boundary of its alignment when the alignment is no
/// larger than the size (`mi_malloc_is_naturally_aligned` in alloc-aligned.c).
const NATURAL_ALIGNMENT: usize = 16;

/// Whether mimalloc gives a block of `size` bytes this alignment without being asked.
fn naturally_aligned(size: usize, align: usize) -> bool {
    align <= NATURAL_ALIGNMENT && align <= size
}

// SAFETY: each call hands mimalloc a request it serves with the layout's alignment (plain
// calls only where mimalloc itself would skip the alignment work, see `naturally_aligned`),
// and every block, however allocated, is freed with `mi_free`.
unsafe impl GlobalAlloc for Mimalloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if naturally_aligned(layout.size(), layout.align()) {
            mi_malloc(layout.size()).cast()
        } else {
            mi_malloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if naturally_aligned(layout.size(), layout.align()) {
            mi_zalloc(layout.size()).cast()
        } else {
            mi_zalloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        mi_free(ptr.cast::<c_void>());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if naturally_aligned(new_size, layout.align()) {
            mi_realloc(ptr.cast::<c_void>(), new_size).cast()
        } else {
            mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
        }
    }
}

/// mimalloc 2's `mi_option_purge_delay`: its place in `mi_option_e` (mimalloc.h), which the
/// binding does not name. A test checks that it reads the documented default, 10 ms.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// For a run that lints and exits: memory freed during the run stays with the process for
/// the next file instead of going back to the kernel, and nothing is handed back at exit.
/// Giving pages back is a `madvise` per range (it splits huge pages), and taking them again
/// is a page fault each; at exit mimalloc gives back everything it holds. -0.2 ms for an
/// 877-line pipeline, sys time over the corpus 0.2 -> 0.05 s, the same peak memory. The
/// language server, which runs for hours, keeps the default.
pub fn keep_freed_memory() {
    // SAFETY: sets one of mimalloc's options, which it reads atomically; -1 is a documented
    // value ("no purging at all").
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, -1) }
}

/// Sends tree-sitter's own allocations (its parse stacks and every node of every script's
/// syntax tree, made in C) to mimalloc too. Left alone they go to the C library's malloc: 1.6%
/// of the instructions over the benchmark corpus, the share glibc's malloc and free took.
/// Call first thing, before any tree-sitter object exists: a block allocated by one
/// allocator must not be freed by the other.
pub fn route_tree_sitter_allocations() {
    // SAFETY: called once, from `main` before any thread or tree-sitter object exists; the
    // four functions below are a complete malloc family over mimalloc.
    unsafe {
        tree_sitter::set_allocator(
            Some(c_malloc),
            Some(c_calloc),
            Some(c_realloc),
            Some(c_free),
        );
    }
}

/// A block from mimalloc, or the standard out-of-memory abort (tree-sitter assumes its
/// allocator never returns null, as its default one aborts).
fn present(block: *mut c_void, size: usize) -> *mut c_void {
    if block.is_null() && size > 0 {
        std::alloc::handle_alloc_error(
            Layout::from_size_align(size, 1).unwrap_or(Layout::new::<u8>()),
        );
    }
    block
}

unsafe extern "C" fn c_malloc(size: usize) -> *mut c_void {
    present(mi_malloc(size), size)
}

unsafe extern "C" fn c_calloc(count: usize, size: usize) -> *mut c_void {
    present(mi_calloc(count, size), count.saturating_mul(size))
}

unsafe extern "C" fn c_realloc(block: *mut c_void, size: usize) -> *mut c_void {
    present(mi_realloc(block, size), size)
}

unsafe extern "C" fn c_free(block: *mut c_void) {
    mi_free(block);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_keep_the_alignment_asked_for() {
        // Sizes around mimalloc's small bins, with every alignment a Rust type can ask for
        // here; each block written through and reallocated larger and smaller.
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in [1, 3, 8, 15, 16, 24, 40, 48, 100, 1000, 70_000] {
                let Ok(layout) = Layout::from_size_align(size, align) else {
                    continue;
                };
                // SAFETY: non-zero sizes; each block freed once with its layout.
                unsafe {
                    let block = ALLOCATOR.alloc(layout);
                    assert!(!block.is_null());
                    assert_eq!(block as usize % align, 0, "{size} bytes, align {align}");
                    block.write_bytes(7, size);
                    let zeroed = ALLOCATOR.alloc_zeroed(layout);
                    assert_eq!(zeroed as usize % align, 0);
                    assert!((0..size).all(|i| *zeroed.add(i) == 0));
                    ALLOCATOR.dealloc(zeroed, layout);
                    // Larger, then smaller than the original.
                    let mut block = block;
                    let mut held = layout;
                    for new_size in [size * 3, size.div_ceil(2)] {
                        block = ALLOCATOR.realloc(block, held, new_size);
                        assert_eq!(
                            block as usize % align,
                            0,
                            "{size} -> {new_size}, align {align}"
                        );
                        assert!((0..size.min(new_size)).all(|i| *block.add(i) == 7));
                        held = Layout::from_size_align(new_size, align).unwrap();
                    }
                    ALLOCATOR.dealloc(block, held);
                }
            }
        }
    }

    #[test]
    fn the_c_allocation_functions_keep_what_they_hold() {
        // SAFETY: each block written only within its size and freed once.
        unsafe {
            let block = c_malloc(24).cast::<u8>();
            block.write_bytes(9, 24);
            let zeroed = c_calloc(6, 8).cast::<u8>();
            assert!((0..48).all(|i| *zeroed.add(i) == 0));
            let grown = c_realloc(block.cast(), 4096).cast::<u8>();
            assert!((0..24).all(|i| *grown.add(i) == 9));
            c_free(grown.cast());
            c_free(zeroed.cast());
            c_free(std::ptr::null_mut());
        }
    }

    #[test]
    fn the_purge_delay_option_is_the_one_named() {
        // The documented default, unless the environment sets it.
        let expected = std::env::var("MIMALLOC_PURGE_DELAY")
            .ok()
            .and_then(|value| value.parse().ok())
            .unwrap_or(10);
        // SAFETY: reads an option.
        assert_eq!(
            unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) },
            expected
        );
    }
}
