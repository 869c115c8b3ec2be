//! The validator's rules, one accepted and one refused program each, every opcode's meaning,
//! and libseccomp's worked example.

use super::*;
use swpan_abi::seccomp::{AUDIT_ARCH_ARM, RET_ALLOW, RET_ERRNO, RET_KILL_PROCESS};

const fn stmt(code: u16, k: u32) -> SockFilter {
    SockFilter::statement(code, k)
}

const fn jump(code: u16, k: u32, jt: u8, jf: u8) -> SockFilter {
    SockFilter::jump(code, k, jt, jf)
}

use bpf::*;

const RET_K: u16 = RET | K;
const RET_A: u16 = RET | A;

fn check(program: &[SockFilter]) -> Result<(), Errno> {
    Program::new(program).map(|_| ())
}

fn data(nr: i32, args: [u64; 6]) -> SeccompData {
    SeccompData { nr, arch: AUDIT_ARCH_ARM, instruction_pointer: 0x8004, args }
}

/// Runs `program` (which must be valid) on the call `nr` with `args`.
fn run(program: &[SockFilter], nr: i32, args: [u64; 6]) -> u32 {
    Program::new(program).expect("a valid program").run(&words_of(&data(nr, args)))
}

/// Runs `body` followed by RET A: the value A ends with.
fn accumulator(body: &[SockFilter]) -> u32 {
    let mut program = body.to_vec();
    program.push(stmt(RET_A, 0));
    run(&program, 20, [0; 6])
}

#[test]
fn length_is_one_to_4096() {
    assert_eq!(check(&[]), Err(Errno::EINVAL));
    assert_eq!(check(&[stmt(RET_K, RET_ALLOW); 4096]), Ok(()));
    assert_eq!(check(&[stmt(RET_K, RET_ALLOW); 4097]), Err(Errno::EINVAL));
}

#[test]
fn only_seccomp_s_opcodes_are_accepted() {
    let accepted: [u16; 41] = [
        0x06, 0x16, 0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x44, 0x4c, 0x54, 0x5c, 0x64,
        0x6c, 0x74, 0x7c, 0xa4, 0xac, 0x84, 0x00, 0x01, 0x60, 0x61, 0x02, 0x03, 0x07, 0x87, 0x05,
        0x15, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x45, 0x4d, 0x20, 0x80, 0x81,
    ];
    for code in 0..=u16::MAX {
        // Operands every other rule accepts: k 1 (a divisor, a shift, a scratch word written
        // just before), 0 for a load's offset and JA, conditional jumps of 0.
        let k = if code == LD | W | ABS || code == JMP | JA { 0 } else { 1 };
        let program = [stmt(ST, 0), stmt(STX, 1), stmt(code, k), stmt(RET_K, 0)];
        let expected = if accepted.contains(&code) { Ok(()) } else { Err(Errno::EINVAL) };
        assert_eq!(check(&program), expected, "opcode {code:#x}");
    }
    // Named refusals from the reference: MOD, H and B loads, IND, MSH, RET X.
    for code in [0x94, 0x9c, 0x28, 0x30, 0x40, 0x48, 0x50, 0xb1, 0x0e] {
        assert!(!accepted.contains(&code));
    }
}

#[test]
fn division_by_a_constant_zero_is_refused() {
    assert_eq!(check(&[stmt(ALU | DIV | K, 0), stmt(RET_A, 0)]), Err(Errno::EINVAL));
    assert_eq!(check(&[stmt(ALU | DIV | K, 1), stmt(RET_A, 0)]), Ok(()));
    // By X it is a run-time matter: accepted.
    assert_eq!(check(&[stmt(ALU | DIV | X, 0), stmt(RET_A, 0)]), Ok(()));
}

#[test]
fn constant_shifts_stay_below_32() {
    for operation in [LSH, RSH] {
        assert_eq!(check(&[stmt(ALU | operation | K, 31), stmt(RET_A, 0)]), Ok(()));
        assert_eq!(check(&[stmt(ALU | operation | K, 32), stmt(RET_A, 0)]), Err(Errno::EINVAL));
    }
}

#[test]
fn scratch_words_are_0_to_15() {
    for code in [ST, STX] {
        assert_eq!(check(&[stmt(code, 15), stmt(RET_A, 0)]), Ok(()));
        assert_eq!(check(&[stmt(code, 16), stmt(RET_A, 0)]), Err(Errno::EINVAL));
    }
    for code in [LD | MEM, LDX | MEM] {
        assert_eq!(check(&[stmt(ST, 15), stmt(code, 15), stmt(RET_A, 0)]), Ok(()));
        assert_eq!(check(&[stmt(ST, 15), stmt(code, 16), stmt(RET_A, 0)]), Err(Errno::EINVAL));
    }
}

#[test]
fn jumps_stay_inside_the_program() {
    // JA k: k < len - pc - 1.
    let ja = |k| [stmt(JMP | JA, k), stmt(RET_K, 1), stmt(RET_K, 2)];
    assert_eq!(check(&ja(1)), Ok(()));
    assert_eq!(check(&ja(2)), Err(Errno::EINVAL));
    assert_eq!(check(&ja(u32::MAX)), Err(Errno::EINVAL), "no wrap-around into a loop");
    for code in [0x15, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x45, 0x4d] {
        let conditional = |jt, jf| [jump(code, 0, jt, jf), stmt(RET_K, 1), stmt(RET_K, 2)];
        assert_eq!(check(&conditional(1, 0)), Ok(()), "{code:#x}");
        assert_eq!(check(&conditional(2, 0)), Err(Errno::EINVAL), "{code:#x} jt");
        assert_eq!(check(&conditional(0, 2)), Err(Errno::EINVAL), "{code:#x} jf");
    }
}

#[test]
fn the_last_instruction_returns() {
    assert_eq!(check(&[stmt(RET_K, 0)]), Ok(()));
    assert_eq!(check(&[stmt(RET_A, 0)]), Ok(()));
    assert_eq!(check(&[stmt(RET_K, 0), stmt(LD | IMM, 0)]), Err(Errno::EINVAL));
    // A jump cannot be last either: its targets would be past the end.
    assert_eq!(check(&[stmt(RET_K, 0), stmt(JMP | JA, 0)]), Err(Errno::EINVAL));
}

#[test]
fn loads_are_aligned_words_inside_seccomp_data() {
    for offset in (0..64).step_by(4) {
        assert_eq!(check(&[stmt(LD | W | ABS, offset), stmt(RET_A, 0)]), Ok(()), "{offset}");
    }
    for offset in [64, 2, 61, 0xffff_f000] {
        let program = [stmt(LD | W | ABS, offset), stmt(RET_A, 0)];
        assert_eq!(check(&program), Err(Errno::EINVAL), "{offset}");
    }
}

#[test]
fn scratch_memory_is_written_before_it_is_read_on_every_path() {
    // Read with nothing written.
    assert_eq!(check(&[stmt(LD | MEM, 0), stmt(RET_A, 0)]), Err(Errno::EINVAL));
    assert_eq!(check(&[stmt(LDX | MEM, 3), stmt(RET_A, 0)]), Err(Errno::EINVAL));
    // Another word written.
    assert_eq!(check(&[stmt(ST, 1), stmt(LD | MEM, 0), stmt(RET_A, 0)]), Err(Errno::EINVAL));
    // Written on one branch only, read where the branches meet.
    let one_branch = [jump(JMP | JEQ | K, 0, 0, 1), stmt(ST, 2), stmt(LD | MEM, 2), stmt(RET_A, 0)];
    assert_eq!(check(&one_branch), Err(Errno::EINVAL));
    // Written on both branches.
    let both = [
        jump(JMP | JEQ | K, 0, 0, 2),
        stmt(ST, 2),
        stmt(JMP | JA, 1),
        stmt(STX, 2),
        stmt(LDX | MEM, 2),
        stmt(RET_A, 0),
    ];
    assert_eq!(check(&both), Ok(()));
    // Written before the branch: valid on both paths.
    let before = [stmt(STX, 9), jump(JMP | JSET | K, 1, 0, 1), stmt(LD | MEM, 9), stmt(RET_A, 0)];
    assert_eq!(check(&before), Ok(()));
    // Written only past a jump that skips it.
    let skipped = [stmt(JMP | JA, 1), stmt(ST, 4), stmt(LD | MEM, 4), stmt(RET_A, 0)];
    assert_eq!(check(&skipped), Err(Errno::EINVAL));
}

#[test]
fn the_accumulators_start_at_zero() {
    assert_eq!(accumulator(&[]), 0);
    assert_eq!(accumulator(&[stmt(MISC | TXA, 0)]), 0);
}

#[test]
fn alu_operations_wrap_at_32_bits() {
    let with = |a: u32, operation: u16, k: u32| {
        let by_k = accumulator(&[stmt(LD | IMM, a), stmt(ALU | operation | K, k)]);
        let by_x =
            accumulator(&[stmt(LDX | IMM, k), stmt(LD | IMM, a), stmt(ALU | operation | X, 0)]);
        assert_eq!(by_k, by_x, "{operation:#x} by K and by X agree");
        by_k
    };
    assert_eq!(with(u32::MAX, ADD, 2), 1);
    assert_eq!(with(1, SUB, 2), u32::MAX);
    assert_eq!(with(0x8000_0001, MUL, 2), 2);
    assert_eq!(with(7, DIV, 2), 3);
    assert_eq!(with(0xf0, OR, 0x0f), 0xff);
    assert_eq!(with(0xf0, AND, 0x3c), 0x30);
    assert_eq!(with(1, LSH, 31), 0x8000_0000);
    assert_eq!(with(0x8000_0000, RSH, 31), 1, "logical, not arithmetic");
    assert_eq!(with(0xff, XOR, 0x0f), 0xf0);
    assert_eq!(accumulator(&[stmt(LD | IMM, 1), stmt(ALU | NEG, 0)]), u32::MAX);
}

#[test]
fn division_by_an_x_of_zero_returns_zero() {
    let program = [stmt(LD | IMM, 9), stmt(ALU | DIV | X, 0), stmt(RET_K, RET_ALLOW)];
    assert_eq!(run(&program, 20, [0; 6]), 0, "the program ends: KILL_THREAD");
}

#[test]
fn shifts_by_x_use_its_low_five_bits() {
    let shift = |operation, x| {
        accumulator(&[stmt(LDX | IMM, x), stmt(LD | IMM, 0x10), stmt(ALU | operation | X, 0)])
    };
    assert_eq!(shift(LSH, 33), 0x20);
    assert_eq!(shift(RSH, 36), 0x1);
    assert_eq!(shift(LSH, 32), 0x10);
}

#[test]
fn loads_and_transfers() {
    assert_eq!(accumulator(&[stmt(LD | IMM, 7)]), 7);
    assert_eq!(accumulator(&[stmt(LDX | IMM, 8), stmt(MISC | TXA, 0)]), 8);
    assert_eq!(accumulator(&[stmt(LD | W | LEN, 0)]), 64);
    assert_eq!(accumulator(&[stmt(LDX | W | LEN, 0), stmt(MISC | TXA, 0)]), 64);
    assert_eq!(
        accumulator(&[
            stmt(LD | IMM, 5),
            stmt(MISC | TAX, 0),
            stmt(LD | IMM, 0),
            stmt(MISC | TXA, 0)
        ]),
        5
    );
    let memory = [
        stmt(LD | IMM, 11),
        stmt(ST, 3),
        stmt(LDX | IMM, 12),
        stmt(STX, 4),
        stmt(LD | MEM, 4),
        stmt(LDX | MEM, 3),
        stmt(ALU | SUB | X, 0),
    ];
    assert_eq!(accumulator(&memory), 1);
}

#[test]
fn every_word_of_seccomp_data_loads() {
    let args = [0x1_0000_0010, 0x11, 0x12, 0x13, 0x14, 0x15_0000_0015];
    let call = data(-5, args);
    for offset in (0..64).step_by(4) {
        let program = [stmt(LD | W | ABS, offset), stmt(RET_A, 0)];
        let loaded = Program::new(&program).unwrap().run(&words_of(&call));
        assert_eq!(loaded, call.word(offset), "offset {offset}");
    }
    assert_eq!(run(&[stmt(LD | W | ABS, 0), stmt(RET_A, 0)], -5, args), -5i32 as u32);
    assert_eq!(run(&[stmt(LD | W | ABS, 4), stmt(RET_A, 0)], 1, args), AUDIT_ARCH_ARM);
    assert_eq!(run(&[stmt(LD | W | ABS, 8), stmt(RET_A, 0)], 1, args), 0x8004);
    assert_eq!(run(&[stmt(LD | W | ABS, 20), stmt(RET_A, 0)], 1, args), 1, "arg0's high word");
    assert_eq!(run(&[stmt(LD | W | ABS, 56), stmt(RET_A, 0)], 1, args), 0x15, "arg5's low");
}

#[test]
fn jumps_compare_unsigned_and_go_forward() {
    let compare = |code: u16, a: u32, operand: u32| {
        let program = [
            stmt(LDX | IMM, operand),
            stmt(LD | IMM, a),
            jump(JMP | code | K, operand, 0, 1),
            stmt(RET_K, 1),
            stmt(RET_K, 0),
        ];
        let by_k = run(&program, 0, [0; 6]);
        let mut by_x = program;
        by_x[2] = jump(JMP | code | X, 0, 0, 1);
        assert_eq!(by_k, run(&by_x, 0, [0; 6]), "{code:#x}: K and X agree");
        by_k == 1
    };
    assert!(compare(JEQ, 5, 5) && !compare(JEQ, 5, 6));
    assert!(compare(JGT, 0x8000_0000, 1), "unsigned: 0x80000000 > 1");
    assert!(!compare(JGT, 5, 5));
    assert!(compare(JGE, 5, 5) && !compare(JGE, 4, 5));
    assert!(compare(JSET, 0b0110, 0b0100) && !compare(JSET, 0b0110, 0b1001));
    let always = [stmt(JMP | JA, 1), stmt(RET_K, 1), stmt(RET_K, 2)];
    assert_eq!(run(&always, 0, [0; 6]), 2);
}

/// libseccomp 2.5.4's program for: default ALLOW; ERRNO(EPERM) for getpid; KILL_PROCESS for
/// kill; ERRNO(E2BIG) for write when arg0 == 3 (13 instructions, 104 bytes).
pub(crate) const LIBSECCOMP_EXAMPLE: [SockFilter; 13] = [
    stmt(LD | W | ABS, 4),
    jump(JMP | JEQ | K, AUDIT_ARCH_ARM, 0, 10),
    stmt(LD | W | ABS, 0),
    jump(JMP | JEQ | K, 20, 0, 1),
    stmt(RET_K, 0x0005_0001),
    jump(JMP | JEQ | K, 37, 0, 1),
    stmt(RET_K, 0x8000_0000),
    jump(JMP | JEQ | K, 4, 0, 2),
    stmt(LD | W | ABS, 0x10),
    jump(JMP | JEQ | K, 3, 1, 0),
    stmt(RET_K, 0x7fff_0000),
    stmt(RET_K, 0x0005_0007),
    stmt(RET_K, 0),
];

#[test]
fn libseccomp_s_worked_example() {
    let bytes: Vec<u8> = LIBSECCOMP_EXAMPLE.iter().flat_map(|i| i.to_le_bytes()).collect();
    assert_eq!(bytes.len(), 104);
    let program = Program::new(&LIBSECCOMP_EXAMPLE).expect("libseccomp's output is valid");
    assert_eq!(program.len(), 13);
    assert_eq!(program.constant(), None);
    let verdict = |nr, arg0| program.run(&words_of(&data(nr, [arg0, 0, 0, 0, 0, 0])));
    assert_eq!(verdict(20, 0), RET_ERRNO | 1, "getpid: EPERM");
    assert_eq!(verdict(37, 1), RET_KILL_PROCESS, "kill");
    assert_eq!(verdict(4, 3), RET_ERRNO | 7, "write to fd 3: E2BIG");
    assert_eq!(verdict(4, 1), RET_ALLOW, "write to fd 1");
    assert_eq!(verdict(4, 0x1_0000_0003), RET_ERRNO | 7, "only the low word is compared");
    assert_eq!(verdict(3, 3), RET_ALLOW, "read");
    let mut foreign = data(20, [0; 6]);
    foreign.arch = 0xc000_003e;
    assert_eq!(program.run(&words_of(&foreign)), 0, "another architecture: KILL");
}

#[test]
fn programs_that_ignore_the_call_are_found_constant() {
    let allow = Program::new(&[stmt(RET_K, RET_ALLOW)]).unwrap();
    assert_eq!(allow.constant(), Some(RET_ALLOW));
    // libseccomp's ALLOW-only program: the arch check, then ALLOW.
    let checked = [
        stmt(LD | W | ABS, 4),
        jump(JMP | JEQ | K, AUDIT_ARCH_ARM, 0, 1),
        stmt(RET_K, RET_ALLOW),
        stmt(RET_K, 0),
    ];
    assert_eq!(Program::new(&checked).unwrap().constant(), Some(RET_ALLOW));
    let high_word = [stmt(LD | W | ABS, 60), stmt(RET_A, 0)];
    assert_eq!(Program::new(&high_word).unwrap().constant(), Some(0));
    let by_number = [stmt(LD | W | ABS, 0), stmt(RET_A, 0)];
    assert_eq!(Program::new(&by_number).unwrap().constant(), None);
    let by_pc = [stmt(LD | W | ABS, 8), stmt(RET_A, 0)];
    assert_eq!(Program::new(&by_pc).unwrap().constant(), None);
}
