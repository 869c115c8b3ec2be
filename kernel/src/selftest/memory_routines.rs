//! Self-tests of the kernel's `memcpy`, `memmove` and `memset` (`arch/memory_routines.s`):
//! every size from 0 to 64 bytes, and sizes around each loop's step, at every source and
//! destination alignment, against a byte-at-a-time reference.

use super::{Case, Test};
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;
use core::hint::black_box;
use core::ptr::{read_volatile, write_volatile};

/// The cases of this suite.
pub const CASES: &[Case] = &[
    Case { name: "memory_routines.memcpy_every_size_and_alignment", run: memcpy_every_size },
    Case { name: "memory_routines.memmove_overlapping_both_ways", run: memmove_overlapping },
    Case { name: "memory_routines.memset_every_size_and_alignment", run: memset_every_size },
];

unsafe extern "C" {
    fn memcpy(destination: *mut u8, source: *const u8, count: usize) -> *mut u8;
    fn memmove(destination: *mut u8, source: *const u8, count: usize) -> *mut u8;
    fn memset(destination: *mut u8, value: i32, count: usize) -> *mut u8;
    fn __aeabi_memset(destination: *mut u8, count: usize, value: i32);
    fn __aeabi_memclr(destination: *mut u8, count: usize);
}

/// Every size from 0 to 64, then sizes on both sides of the 32-byte block, the 128-byte loop
/// turn and a page.
fn sizes() -> impl Iterator<Item = usize> {
    (0..=64).chain([95, 96, 97, 127, 128, 129, 130, 131, 159, 255, 256, 257, 300, 4095, 4099])
}

/// Bytes on each side of the range a routine may write, checked untouched.
const GUARD: usize = 8;

/// A buffer whose every byte differs from its neighbours' and from the other buffer's.
fn patterned(length: usize, seed: u8) -> Vec<u8> {
    (0..length).map(|index| (index as u8).wrapping_mul(7).wrapping_add(seed)).collect()
}

/// The reference: one byte at a time, through volatile accesses so the compiler cannot turn
/// the loop into a call of the routine under test. Copies through a temporary, so it is
/// also the reference for overlapping moves.
fn reference_move(buffer: &mut [u8], destination: usize, source: usize, count: usize) {
    let bytes: Vec<u8> = (0..count)
        // SAFETY: `source + index` is inside `buffer`.
        .map(|index| unsafe { read_volatile(buffer.as_ptr().add(source + index)) })
        .collect();
    for (index, byte) in bytes.into_iter().enumerate() {
        // SAFETY: `destination + index` is inside `buffer`.
        unsafe { write_volatile(buffer.as_mut_ptr().add(destination + index), byte) };
    }
}

/// Compares `actual` with `expected`; on the first difference fails the case with what was
/// being done, and returns false.
fn same(test: &mut Test, what: What, actual: &[u8], expected: &[u8]) -> bool {
    match actual.iter().zip(expected).position(|(a, e)| a != e) {
        None => true,
        Some(offset) => {
            test.fail(format_args!(
                "{what}: byte {offset} is {:#04x}, expected {:#04x}",
                actual[offset], expected[offset]
            ));
            false
        }
    }
}

/// One call under test, for a failure's message.
struct What {
    routine: &'static str,
    count: usize,
    destination_offset: usize,
    source_offset: isize,
}

impl fmt::Display for What {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{} of {} bytes, destination +{}, source {:+}",
            self.routine, self.count, self.destination_offset, self.source_offset
        )
    }
}

fn memcpy_every_size(test: &mut Test) {
    for count in sizes() {
        for source_align in 0..4 {
            for destination_align in 0..4 {
                let length = count + 2 * GUARD + 4;
                let source = patterned(length, 0x31);
                let mut actual = patterned(length, 0xC5);
                let mut expected = actual.clone();
                let destination_offset = GUARD + destination_align;
                let source_offset = GUARD + source_align;
                // SAFETY: both ranges lie inside their buffers (GUARD + 3 + count < length),
                // and the buffers are distinct.
                let returned = unsafe {
                    memcpy(
                        black_box(actual.as_mut_ptr().add(destination_offset)),
                        black_box(source.as_ptr().add(source_offset)),
                        black_box(count),
                    )
                };
                for index in 0..count {
                    // SAFETY: both indices are inside their buffers.
                    unsafe {
                        write_volatile(
                            expected.as_mut_ptr().add(destination_offset + index),
                            read_volatile(source.as_ptr().add(source_offset + index)),
                        )
                    };
                }
                let what = What {
                    routine: "memcpy",
                    count,
                    destination_offset: destination_align,
                    source_offset: source_align as isize,
                };
                if !same(test, what, &actual, &expected) {
                    return;
                }
                if returned != actual.as_mut_ptr().wrapping_add(destination_offset) {
                    test.fail(format_args!("memcpy of {count} bytes returned {returned:?}"));
                    return;
                }
            }
        }
    }
}

/// Source-to-destination distances: both directions, less than, equal to and more than a
/// word, a block and a loop turn.
const DISTANCES: [isize; 22] =
    [-130, -64, -33, -32, -17, -16, -5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 16, 17, 32, 33, 64, 130];

fn memmove_overlapping(test: &mut Test) {
    for count in sizes() {
        for source_align in 0..4 {
            for distance in DISTANCES {
                let length = count + 2 * 130 + 2 * GUARD + 4;
                let source_offset = 130 + GUARD + source_align;
                let destination_offset = (source_offset as isize + distance) as usize;
                let mut actual = patterned(length, 0x5B);
                let mut expected = actual.clone();
                // SAFETY: both ranges lie inside `actual` (130 + GUARD on each side); memmove
                // allows them to overlap.
                let returned = unsafe {
                    let base = actual.as_mut_ptr();
                    memmove(
                        black_box(base.add(destination_offset)),
                        black_box(base.add(source_offset)),
                        black_box(count),
                    )
                };
                reference_move(&mut expected, destination_offset, source_offset, count);
                let what = What {
                    routine: "memmove",
                    count,
                    destination_offset: destination_offset % 4,
                    source_offset: -distance,
                };
                if !same(test, what, &actual, &expected) {
                    return;
                }
                if returned != actual.as_mut_ptr().wrapping_add(destination_offset) {
                    test.fail(format_args!("memmove of {count} bytes returned {returned:?}"));
                    return;
                }
            }
        }
    }
}

fn memset_every_size(test: &mut Test) {
    // memset, then the EABI's two entry points with their own argument order.
    let routines: [(&'static str, u8); 3] =
        [("memset", 0xA5), ("__aeabi_memset", 0x3C), ("__aeabi_memclr", 0)];
    for (routine, value) in routines {
        for count in sizes() {
            for destination_align in 0..4 {
                let length = count + 2 * GUARD + 4;
                let mut actual = patterned(length, 0x77);
                let mut expected = actual.clone();
                let offset = GUARD + destination_align;
                // SAFETY: the range lies inside `actual`.
                unsafe {
                    let destination = black_box(actual.as_mut_ptr().add(offset));
                    let count = black_box(count);
                    match routine {
                        // The value's high bits must be ignored.
                        "memset" => {
                            memset(destination, 0x1200 | i32::from(value), count);
                        }
                        "__aeabi_memset" => __aeabi_memset(destination, count, i32::from(value)),
                        _ => __aeabi_memclr(destination, count),
                    }
                }
                for index in 0..count {
                    // SAFETY: the index is inside `expected`.
                    unsafe { write_volatile(expected.as_mut_ptr().add(offset + index), value) };
                }
                let what = What {
                    routine,
                    count,
                    destination_offset: destination_align,
                    source_offset: 0,
                };
                if !same(test, what, &actual, &expected) {
                    return;
                }
            }
        }
    }
    let mut buffer = vec![0u8; 40];
    // SAFETY: 32 bytes inside a 40-byte buffer.
    let returned = unsafe { memset(black_box(buffer.as_mut_ptr().add(1)), 1, black_box(32)) };
    test.check_eq("memset returns its destination", returned, buffer.as_mut_ptr().wrapping_add(1));
}
