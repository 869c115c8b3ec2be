//! `fuzz SEED START COUNT`: system calls with random numbers and arguments, biased toward the
//! values that break kernels: NULL, unmapped pages, kernel and device addresses, ranges over
//! the top of the user half, page edges, misaligned pointers, lengths that wrap.
//!
//! Call `i` (for `i` from START to COUNT) is a pure function of SEED and `i`, so a run is
//! reproducible, and the kernel's `fuzz=` job can restart it after call `i` killed it. The
//! fuzzer never issues what would end or block it on purpose: `exit`, `poweroff`, `kill` of
//! itself, `read` from the console (it would wait for input), `ptdump` (it only prints), or a
//! real lkdtm crash type (`provoke` gets bad pointers only, or a name that exists nowhere:
//! `lkdtm_list` may have written real names into any writable page). Everything else,
//! including numbers no call has, is fair game. Its own memory is in the program's .bss, which `munmap` cannot touch,
//! and no pointer it passes reaches its own stack.

#![no_std]
#![no_main]

use core::cell::UnsafeCell;
use swpan_user::abi::{map, protection, syscall as number};
use swpan_user::forbidden::{DEVICE, KERNEL_TEXT, USER_END};
use swpan_user::println;
use swpan_user::syscall::raw;

swpan_user::main!(run);

/// A page of the program's own, its bytes in 0x80..=0xFF plus a few NULs: valid memory whose
/// contents never name a program or a crash type.
#[repr(C, align(4096))]
struct Buffers(UnsafeCell<[u8; BUFFER_BYTES]>);

// SAFETY: the program is single-threaded; the kernel writes into the buffers only during the
// system calls the fuzzer makes.
unsafe impl Sync for Buffers {}

const BUFFER_BYTES: usize = 3 * 4096;
static BUFFERS: Buffers = Buffers(UnsafeCell::new([0; BUFFER_BYTES]));

/// SplitMix64: small, fast, and good enough to pick arguments.
fn mix(mut state: u64) -> u64 {
    state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    state = (state ^ (state >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    state = (state ^ (state >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    state ^ (state >> 31)
}

struct Random(u64);

impl Random {
    fn next(&mut self) -> u32 {
        self.0 = mix(self.0);
        (self.0 >> 32) as u32
    }

    fn below(&mut self, bound: u32) -> u32 {
        self.next() % bound
    }

    fn pick<T: Copy>(&mut self, choices: &[T]) -> T {
        choices[self.below(choices.len() as u32) as usize]
    }
}

/// The calls the fuzzer issues, with a weight each (numbers no call has come from `ENOSYS`).
const CALLS: &[(u32, u32)] = &[
    (number::READ, 6),
    (number::WRITE, 10),
    (number::GETPID, 1),
    (number::KILL, 2),
    (number::MUNMAP, 6),
    (number::SCHED_YIELD, 1),
    (number::MMAP2, 8),
    (number::CACHEFLUSH, 6),
    (number::SPAWN, 6),
    (number::WAIT, 6),
    (number::PROVOKE, 6),
    (number::UACCESS_REPORT, 6),
    (number::MAPS, 6),
    (number::LKDTM_LIST, 6),
    (ENOSYS, 4),
];
const ENOSYS: u32 = u32::MAX;

/// A valid string that names no crash type.
static NOT_A_CRASH_TYPE: &[u8] = b"NOT_A_CRASH_TYPE\0";

/// The lowest address of the user stack (the kernel maps 64 KiB under the top of the user half).
const STACK_BOTTOM: u32 = 0x7FFF_0000;

fn buffers() -> u32 {
    BUFFERS.0.get() as u32
}

/// A pointer argument.
fn pointer(random: &mut Random) -> u32 {
    let valid = buffers();
    let read_only = run as *const () as u32; // the program's own code: read-only
    match random.below(14) {
        0 => 0,
        1 => random.below(0x1_0000), // the never-mapped first pages
        2 => 0x0020_0000 + random.below(0x1000), // unmapped, above the program
        3 => KERNEL_TEXT + random.below(0x10_0000),
        4 => 0x8006_0000 + random.below(0x2_0000), // kernel data
        5 => DEVICE + random.below(0x1000),
        // The top of the user half: the last bytes hold our argument, which we no longer need;
        // lower would be our own stack frames.
        6 => USER_END - random.below(8),
        7 => read_only + random.below(256), // read-only user memory
        8 => valid + random.below(3 * 4096), // inside our buffers
        9 => valid + 3 * 4096 - random.below(64), // their end, running into a hole
        10 => valid + 4096 - random.below(8), // a page edge inside them
        11 => (valid + random.below(3 * 4096)) | 1, // misaligned
        12 => 0x4000_0000 + random.below(0x10) * 0x1000, // where mmap puts things
        _ => match random.next() {
            // Anywhere but our own stack, which a writing call would corrupt under us.
            any if (STACK_BOTTOM..USER_END).contains(&any) => any ^ 0x8000_0000,
            any => any,
        },
    }
}

/// A length argument.
fn length(random: &mut Random) -> u32 {
    match random.below(10) {
        0 => 0,
        1 => 1,
        2 => 4,
        3 => random.below(64),
        4 => 4096,
        5 => 4096 + random.below(8192),
        6 => u32::MAX,
        7 => 0x8000_0000,
        8 => u32::MAX - random.below(16),
        _ => random.next(),
    }
}

fn arguments(call: u32, random: &mut Random, own_pid: u32) -> [u32; 6] {
    let mut arguments = [0u32; 6];
    for argument in arguments.iter_mut() {
        *argument = random.next();
    }
    match call {
        // Never the console: 0 would wait for input, 1 and 2 would print the fuzz.
        number::READ => arguments[0] = random.pick(&[1, 2, 3, 4, 7, 0xFFFF_FFFF]),
        number::WRITE => arguments[0] = random.pick(&[0, 3, 4, 7, 0xFFFF_FFFF]),
        number::KILL => {
            let any = random.next();
            arguments[0] = random.pick(&[0, 1, 999, any]);
            if arguments[0] == own_pid {
                arguments[0] = 999;
            }
            let any = random.next();
            arguments[1] = random.pick(&[9, 15, 0, any]);
        }
        number::MMAP2 => {
            let protections =
                [protection::READ, protection::READ | protection::WRITE, 0x7, 0, 0xFF];
            arguments[2] = random.pick(&protections);
            let flags = map::PRIVATE | map::ANONYMOUS;
            let any = random.next();
            arguments[3] = random.pick(&[flags, flags | map::FIXED, map::PRIVATE, 0, any]);
            arguments[4] = random.pick(&[u32::MAX, 0, 3]);
            arguments[5] = random.pick(&[0, 0, 1]);
            let any = length(random);
            arguments[1] = random.pick(&[4096, 8192, 0, any]);
        }
        _ => {}
    }
    if call != number::KILL && call != number::MMAP2 {
        // Pointer-sized arguments: a pointer, then a length, in the positions the calls use.
        arguments[0] = if call == number::READ || call == number::WRITE {
            arguments[0]
        } else {
            pointer(random)
        };
        arguments[1] = if call == number::READ || call == number::WRITE {
            pointer(random)
        } else {
            length(random)
        };
        arguments[2] = length(random);
    } else if call == number::MMAP2 && random.below(2) == 0 {
        arguments[0] = pointer(random) & !0xFFF;
    }
    if call == number::PROVOKE {
        // Calls like lkdtm_list write real crash type names into writable memory, ours or an
        // mmap'd page; provoking one would oops by design. So provoke gets the bad pointers
        // only, or a name that exists nowhere.
        arguments[0] = match random.below(7) {
            0 => 0,
            1 => 0x0020_0000 + random.below(0x1000),
            2 => KERNEL_TEXT + random.below(0x10_0000),
            3 => DEVICE,
            4 => (run as *const () as u32) | 1,
            5 => USER_END - random.below(8),
            _ => NOT_A_CRASH_TYPE.as_ptr() as u32,
        };
    }
    if call == number::WAIT && random.below(2) == 0 {
        arguments[0] = u32::MAX; // any child
    }
    arguments
}

fn fill_buffers(seed: u64) {
    let mut random = Random(seed ^ 0xB0FF_E125);
    let bytes = BUFFERS.0.get() as *mut u8;
    for index in 0..BUFFER_BYTES {
        // Bytes 0x80..=0xFF never spell a program or crash type name; a NUL now and then
        // ends the strings the kernel reads.
        let byte = if random.below(61) == 0 { 0 } else { 0x80 | random.below(0x80) as u8 };
        // SAFETY: inside the buffers; the program is single-threaded.
        unsafe { bytes.add(index).write(byte) };
    }
}

fn parse(text: Option<&str>) -> Option<u64> {
    text?.parse().ok()
}

fn run(argument: &str) -> i32 {
    let mut words = argument.split_ascii_whitespace();
    let (Some(seed), Some(start), Some(count)) =
        (parse(words.next()), parse(words.next()), parse(words.next()))
    else {
        println!("fuzz: usage: fuzz SEED START COUNT");
        return 2;
    };
    fill_buffers(seed);
    let own_pid = swpan_user::syscall::getpid();
    let total_weight: u32 = CALLS.iter().map(|(_, weight)| weight).sum();
    for index in start..count {
        let mut random = Random(seed ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03));
        let mut chosen = random.below(total_weight);
        let mut call = ENOSYS;
        for &(candidate, weight) in CALLS {
            if chosen < weight {
                call = candidate;
                break;
            }
            chosen -= weight;
        }
        let arguments = arguments(call, &mut random, own_pid);
        let any = random.next();
        let number = if call == ENOSYS { random.pick(&[2, 5, 400, 0x0f_0fff, any]) } else { call };
        // SAFETY: not sound in general, on purpose: the kernel must refuse every bad argument.
        // The fuzzer's own state is out of reach of the calls it makes (see the module doc).
        unsafe { raw(number, arguments) };
    }
    0
}
