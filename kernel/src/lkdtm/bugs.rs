//! lkdtm's bugs family, the part that tests a protection this kernel has: EXHAUST_STACK
//! (drivers/misc/lkdtm/bugs.c), a runaway recursion that must end on the kernel stack's guard
//! page instead of overwriting what lies below it.

use super::Survival;
use crate::process::KERNEL_STACK_SIZE;

/// Stack each level of the recursion takes at least (its buffer).
const LEVEL_BYTES: usize = 1024;

/// Recurses through twice the kernel stack's size. With guarded stacks it never returns: the
/// guard page stops it and the process dies with a stack overflow report.
pub fn exhaust_stack() -> Survival {
    let levels = 2 * KERNEL_STACK_SIZE as usize / LEVEL_BYTES;
    let sum = recurse(levels);
    core::hint::black_box(sum);
    Survival::Survived("recursed through twice the kernel stack's size")
}

/// One level: a buffer the compiler must keep, then the next level.
#[inline(never)]
fn recurse(levels: usize) -> usize {
    let mut buffer = [0u8; LEVEL_BYTES];
    buffer[levels % LEVEL_BYTES] = levels as u8;
    let buffer = core::hint::black_box(&mut buffer);
    if levels == 0 {
        return 0;
    }
    recurse(levels - 1) + buffer[levels % LEVEL_BYTES] as usize
}
