//! One seccomp filter program: Linux's checks once at install, then a compiled form that the
//! interpreter runs over a system call's `seccomp_data`.
//!
//! [`Program::new`] applies `bpf_check_classic` (net/core/filter.c) and then
//! `seccomp_check_filter` (kernel/seccomp.c): every refusal is EINVAL. What survives is
//! translated once: each opcode becomes one [`Operation`] variant (so the interpreter does a
//! single dispatch per instruction), jump offsets become absolute targets, a load from
//! `seccomp_data` becomes a load of word `k / 4`, and BPF_LEN becomes the constant 64.
//!
//! The interpreter follows classic BPF (`bpf_convert_filter` and `___bpf_prog_run`,
//! kernel/bpf/core.c): A and X are 32 bits and start at 0; arithmetic wraps; DIV by an X of 0
//! ends the program with 0 (KILL_THREAD); a shift by X uses X & 31; jumps compare unsigned.

use crate::errno::Errno;
use alloc::vec::Vec;
use swpan_abi::seccomp::{
    DATA_SIZE, MAX_INSTRUCTIONS, SCRATCH_WORDS, SeccompData, SockFilter, bpf,
};

/// `seccomp_data` as the sixteen 32-bit words a BPF_W|BPF_ABS load reads (little-endian: the
/// low half of each 64-bit field first).
pub type Words = [u32; 16];

/// `data` as the words a filter loads.
pub fn words_of(data: &SeccompData) -> Words {
    core::array::from_fn(|index| data.word(4 * index as u32))
}

/// A validated instruction's operation: one variant per accepted opcode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum Operation {
    ReturnK,
    ReturnA,
    AddK,
    AddX,
    SubK,
    SubX,
    MulK,
    MulX,
    DivK,
    DivX,
    OrK,
    OrX,
    AndK,
    AndX,
    LshK,
    LshX,
    RshK,
    RshX,
    XorK,
    XorX,
    Neg,
    /// A = k (BPF_IMM, and BPF_LEN as the constant 64).
    LoadImmediate,
    /// X = k.
    LoadXImmediate,
    /// A = word k of `seccomp_data`.
    LoadWord,
    /// A = scratch word k.
    LoadMemory,
    /// X = scratch word k.
    LoadXMemory,
    Store,
    StoreX,
    Tax,
    Txa,
    /// Jump always, k instructions forward.
    Jump,
    JeqK,
    JeqX,
    JgtK,
    JgtX,
    JgeK,
    JgeX,
    JsetK,
    JsetX,
}

/// A compiled instruction, 12 bytes: the operation, where control goes next as a distance in
/// bytes from this instruction (so that a jump is one add, its `+ 1` folded in at install),
/// and k.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
struct Instruction {
    operation: Operation,
    /// A conditional jump's destination when the condition holds, JA's always; for every
    /// other operation the next instruction ([`STEP`]).
    taken: u16,
    /// A conditional jump's destination when the condition fails; [`STEP`] otherwise (0 for
    /// JA, which never reads it).
    not_taken: u16,
    k: u32,
}

/// The size of an [`Instruction`]: the distance to the next one.
const STEP: u16 = core::mem::size_of::<Instruction>() as u16;

// The fields' offsets are written into the interpreter's jumps (`ldrh` at 2 and 4), and every
// distance within a longest program fits in a `u16`.
const _: () = {
    assert!(core::mem::offset_of!(Instruction, taken) == 2);
    assert!(core::mem::offset_of!(Instruction, not_taken) == 4);
    assert!(STEP as usize * MAX_INSTRUCTIONS <= u16::MAX as usize);
};

/// A filter program that passed Linux's checks, compiled for the interpreter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    instructions: Vec<Instruction>,
    /// The value the program returns for every system call of this kernel, when it reads no
    /// word of `seccomp_data` but the architecture (always AUDIT_ARCH_ARM) and the high words
    /// (always 0: 32-bit values zero-extended): found once, at install.
    constant: Option<u32>,
}

/// The opcode's operation, or `None` when seccomp refuses it (`seccomp_check_filter`'s list;
/// `bpf_check_classic`'s own list, `chk_code_allowed`, contains all of these).
fn operation_of(code: u16) -> Option<Operation> {
    use Operation::*;
    use bpf::*;
    let operation = match code {
        c if c == RET | K => ReturnK,
        c if c == RET | A => ReturnA,
        c if c == ALU | ADD | K => AddK,
        c if c == ALU | ADD | X => AddX,
        c if c == ALU | SUB | K => SubK,
        c if c == ALU | SUB | X => SubX,
        c if c == ALU | MUL | K => MulK,
        c if c == ALU | MUL | X => MulX,
        c if c == ALU | DIV | K => DivK,
        c if c == ALU | DIV | X => DivX,
        c if c == ALU | OR | K => OrK,
        c if c == ALU | OR | X => OrX,
        c if c == ALU | AND | K => AndK,
        c if c == ALU | AND | X => AndX,
        c if c == ALU | LSH | K => LshK,
        c if c == ALU | LSH | X => LshX,
        c if c == ALU | RSH | K => RshK,
        c if c == ALU | RSH | X => RshX,
        c if c == ALU | XOR | K => XorK,
        c if c == ALU | XOR | X => XorX,
        c if c == ALU | NEG => Neg,
        c if c == LD | IMM => LoadImmediate,
        c if c == LDX | IMM => LoadXImmediate,
        c if c == LD | W | ABS => LoadWord,
        c if c == LD | W | LEN => LoadImmediate,
        c if c == LDX | W | LEN => LoadXImmediate,
        c if c == LD | MEM => LoadMemory,
        c if c == LDX | MEM => LoadXMemory,
        c if c == ST => Store,
        c if c == STX => StoreX,
        c if c == MISC | TAX => Tax,
        c if c == MISC | TXA => Txa,
        c if c == JMP | JA => Jump,
        c if c == JMP | JEQ | K => JeqK,
        c if c == JMP | JEQ | X => JeqX,
        c if c == JMP | JGT | K => JgtK,
        c if c == JMP | JGT | X => JgtX,
        c if c == JMP | JGE | K => JgeK,
        c if c == JMP | JGE | X => JgeX,
        c if c == JMP | JSET | K => JsetK,
        c if c == JMP | JSET | X => JsetX,
        _ => return None,
    };
    Some(operation)
}

impl Operation {
    fn is_conditional(self) -> bool {
        use Operation::*;
        matches!(self, JeqK | JeqX | JgtK | JgtX | JgeK | JgeX | JsetK | JsetX)
    }
}

/// `check_load_and_stores`: every path reaches a scratch-memory load only after a store to
/// that word. Each instruction keeps the set of words valid on every jump into it; a jump
/// hands its set to its targets and leaves "everything" to the next instruction in line,
/// which is reached only through jumps (a RET in between does not reset the set, as in Linux).
fn scratch_written_before_read(
    program: &[SockFilter],
    operations: &[Operation],
) -> Result<(), Errno> {
    let mut valid_at = alloc::vec![u16::MAX; program.len()];
    let mut valid: u16 = 0;
    for (pc, (instruction, operation)) in program.iter().zip(operations).enumerate() {
        valid &= valid_at[pc];
        match operation {
            Operation::Store | Operation::StoreX => valid |= 1 << instruction.k,
            Operation::LoadMemory | Operation::LoadXMemory if valid & (1 << instruction.k) == 0 => {
                return Err(Errno::EINVAL);
            }
            Operation::Jump => {
                valid_at[pc + 1 + instruction.k as usize] &= valid;
                valid = u16::MAX;
            }
            operation if operation.is_conditional() => {
                valid_at[pc + 1 + usize::from(instruction.jt)] &= valid;
                valid_at[pc + 1 + usize::from(instruction.jf)] &= valid;
                valid = u16::MAX;
            }
            _ => {}
        }
    }
    Ok(())
}

impl Program {
    /// Checks `program` by Linux's rules and compiles it. EINVAL for: an empty program or
    /// one over 4096 instructions; an opcode outside seccomp's list; DIV by a constant 0;
    /// a shift by a constant of 32 or more; a scratch word k of 16 or more; a jump past the
    /// end (JA k ≥ len − pc − 1, or pc + 1 + jt or jf ≥ len); a last instruction that is not
    /// RET; a scratch word read before it is written on some path; a load from
    /// `seccomp_data` at an offset that is not a multiple of 4 below 64.
    pub fn new(program: &[SockFilter]) -> Result<Program, Errno> {
        let length = program.len();
        if length == 0 || length > MAX_INSTRUCTIONS {
            return Err(Errno::EINVAL);
        }
        let mut operations = Vec::with_capacity(length);
        for (pc, instruction) in program.iter().enumerate() {
            let operation = operation_of(instruction.code).ok_or(Errno::EINVAL)?;
            let k = instruction.k;
            let refused = match operation {
                Operation::DivK => k == 0,
                Operation::LshK | Operation::RshK => k >= 32,
                Operation::LoadMemory
                | Operation::LoadXMemory
                | Operation::Store
                | Operation::StoreX => k >= SCRATCH_WORDS as u32,
                Operation::Jump => k >= (length - pc - 1) as u32,
                operation if operation.is_conditional() => {
                    pc + usize::from(instruction.jt) + 1 >= length
                        || pc + usize::from(instruction.jf) + 1 >= length
                }
                // seccomp_check_filter: only aligned words inside seccomp_data.
                Operation::LoadWord => k >= DATA_SIZE || k % 4 != 0,
                _ => false,
            };
            if refused {
                return Err(Errno::EINVAL);
            }
            operations.push(operation);
        }
        if !matches!(operations[length - 1], Operation::ReturnK | Operation::ReturnA) {
            return Err(Errno::EINVAL);
        }
        scratch_written_before_read(program, &operations)?;
        let instructions = program
            .iter()
            .zip(operations)
            .map(|(instruction, operation)| {
                let k = match operation {
                    Operation::LoadWord => instruction.k / 4,
                    Operation::LoadImmediate | Operation::LoadXImmediate
                        if instruction.code & bpf::LEN != 0 =>
                    {
                        DATA_SIZE
                    }
                    _ => instruction.k,
                };
                // Checked above: every destination is inside the program, fewer than 4096
                // instructions on, so the distances fit (the assertion by `STEP`).
                let distance = |skip: u32| STEP * (1 + skip as u16);
                let (taken, not_taken) = if operation.is_conditional() {
                    (distance(instruction.jt.into()), distance(instruction.jf.into()))
                } else if operation == Operation::Jump {
                    (distance(instruction.k), 0)
                } else {
                    (STEP, STEP)
                };
                Instruction { operation, taken, not_taken, k }
            })
            .collect();
        let mut compiled = Program { instructions, constant: None };
        compiled.constant = compiled.execute(|index| match index {
            1 => Some(swpan_abi::seccomp::AUDIT_ARCH_ARM),
            // The instruction pointer's and every argument's high word: zero-extended.
            3 | 5 | 7 | 9 | 11 | 13 | 15 => Some(0),
            _ => None,
        });
        Ok(compiled)
    }

    /// The number of instructions.
    pub fn len(&self) -> usize {
        self.instructions.len()
    }

    /// Always false: a program has at least one instruction.
    pub fn is_empty(&self) -> bool {
        self.instructions.is_empty()
    }

    /// The value the program returns for every call this kernel makes it see (arch
    /// AUDIT_ARCH_ARM, high words 0), if it reads no other word of `seccomp_data`.
    pub fn constant(&self) -> Option<u32> {
        self.constant
    }

    /// Runs the program over `words` (a system call's `seccomp_data`): its return value.
    pub fn run(&self, words: &Words) -> u32 {
        self.execute(|index| Some(words[index & 15])).unwrap_or(0)
    }

    /// The interpreter. `load` gives word `index` of `seccomp_data`, or `None` when it is not
    /// known (then the run stops with `None`: used once at install to find constant programs).
    ///
    /// Written for the code it compiles to (`make objdump`, `Program::run`): A, X and the
    /// current instruction's address stay in registers; the dispatch is one jump table
    /// (`ldrb`, `adr`, `ldr pc`); each operation reads only the fields it needs and moves to
    /// the next instruction itself (one `add`); a conditional jump is a compare and two
    /// conditional loads of its distances (`jump!`). `make bench` counts 7 instructions for an
    /// ALU operation, 8 for a load from `seccomp_data`, 9 for a conditional jump.
    #[inline(always)]
    fn execute(&self, mut load: impl FnMut(usize) -> Option<u32>) -> Option<u32> {
        use Operation::*;
        let mut a: u32 = 0;
        let mut x: u32 = 0;
        let mut scratch = [0u32; SCRATCH_WORDS];
        // The current instruction. Every move of it below stays inside the program: `new`
        // proved that execution starts at the first instruction, that every jump lands on one
        // (JA k < len - pc - 1; pc + 1 + jt and pc + 1 + jf < len) and that the last one is a
        // RET, so the instruction after any other is in the program too; `new` wrote each
        // distance from those checked offsets. The fields are private: only `new` makes a
        // `Program`, and nothing changes one.
        let mut current = self.instructions.as_ptr();
        let value = loop {
            // SAFETY: `current` points at one of the program's instructions (above).
            let this = unsafe { &*current };
            let k = || this.k;
            // SAFETY: the instruction after one that is neither a RET nor a jump is in the
            // program (above).
            let after = || unsafe { current.add(1) };
            // Moves to `taken` or `not_taken` by a comparison of two values.
            macro_rules! jump {
                ($compare:literal, $holds:literal, $fails:literal, $taken:expr, $left:expr, $right:expr) => {{
                    #[cfg(all(target_arch = "arm", not(target_feature = "thumb-mode")))]
                    let target = {
                        let mut target = current;
                        // SAFETY: reads the two distances of the instruction `target` points
                        // at (offsets 2 and 4, asserted at `STEP`) and adds one of them: a
                        // validated jump lands inside the program (above). Touches no other
                        // memory and no stack; the flags it sets are declared clobbered by
                        // default.
                        unsafe {
                            core::arch::asm!(
                                concat!($compare, " {left}, {right}"),
                                concat!("ldrh", $holds, " {distance}, [{target}, #2]"),
                                concat!("ldrh", $fails, " {distance}, [{target}, #4]"),
                                "add {target}, {target}, {distance}",
                                left = in(reg) $left,
                                right = in(reg) $right,
                                target = inout(reg) target,
                                distance = out(reg) _,
                                options(pure, readonly, nostack),
                            )
                        };
                        target
                    };
                    #[cfg(not(all(target_arch = "arm", not(target_feature = "thumb-mode"))))]
                    let target = {
                        let distance = if $taken { this.taken } else { this.not_taken };
                        // SAFETY: a validated jump lands inside the program (above).
                        unsafe { current.byte_add(usize::from(distance)) }
                    };
                    target
                }};
            }
            let word = |k: u32| k as usize & (SCRATCH_WORDS - 1);
            current = match this.operation {
                ReturnK => break k(),
                ReturnA => break a,
                AddK => {
                    a = a.wrapping_add(k());
                    after()
                }
                AddX => {
                    a = a.wrapping_add(x);
                    after()
                }
                SubK => {
                    a = a.wrapping_sub(k());
                    after()
                }
                SubX => {
                    a = a.wrapping_sub(x);
                    after()
                }
                MulK => {
                    a = a.wrapping_mul(k());
                    after()
                }
                MulX => {
                    a = a.wrapping_mul(x);
                    after()
                }
                DivK => {
                    a /= k().max(1);
                    after()
                }
                DivX => {
                    if x == 0 {
                        break 0;
                    }
                    a /= x;
                    after()
                }
                OrK => {
                    a |= k();
                    after()
                }
                OrX => {
                    a |= x;
                    after()
                }
                AndK => {
                    a &= k();
                    after()
                }
                AndX => {
                    a &= x;
                    after()
                }
                LshK => {
                    a <<= k() & 31;
                    after()
                }
                LshX => {
                    a <<= x & 31;
                    after()
                }
                RshK => {
                    a >>= k() & 31;
                    after()
                }
                RshX => {
                    a >>= x & 31;
                    after()
                }
                XorK => {
                    a ^= k();
                    after()
                }
                XorX => {
                    a ^= x;
                    after()
                }
                Neg => {
                    a = a.wrapping_neg();
                    after()
                }
                LoadImmediate => {
                    a = k();
                    after()
                }
                LoadXImmediate => {
                    x = k();
                    after()
                }
                LoadWord => {
                    a = load(k() as usize)?;
                    after()
                }
                LoadMemory => {
                    a = scratch[word(k())];
                    after()
                }
                LoadXMemory => {
                    x = scratch[word(k())];
                    after()
                }
                Store => {
                    scratch[word(k())] = a;
                    after()
                }
                StoreX => {
                    scratch[word(k())] = x;
                    after()
                }
                Tax => {
                    x = a;
                    after()
                }
                Txa => {
                    a = x;
                    after()
                }
                // SAFETY: a validated JA lands inside the program (above).
                Jump => unsafe { current.byte_add(usize::from(this.taken)) },
                JeqK => jump!("cmp", "eq", "ne", a == k(), a, k()),
                JeqX => jump!("cmp", "eq", "ne", a == x, a, x),
                JgtK => jump!("cmp", "hi", "ls", a > k(), a, k()),
                JgtX => jump!("cmp", "hi", "ls", a > x, a, x),
                JgeK => jump!("cmp", "hs", "lo", a >= k(), a, k()),
                JgeX => jump!("cmp", "hs", "lo", a >= x, a, x),
                JsetK => jump!("tst", "ne", "eq", a & k() != 0, a, k()),
                JsetX => jump!("tst", "ne", "eq", a & x != 0, a, x),
            };
        };
        Some(value)
    }
}

#[cfg(test)]
mod tests;
