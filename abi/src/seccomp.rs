//! seccomp's interface (include/uapi/linux/seccomp.h, filter.h, bpf_common.h, audit.h): the
//! modes, the `seccomp(2)` operations and flags, the filter actions, and the classic BPF
//! program a filter is, with the 64-byte `seccomp_data` it runs over.
//!
//! A filter is an array of [`SockFilter`] instructions, passed through a [`SockFprog`]. Its
//! return value is an action in the high 16 bits ([`ACTION_FULL`]) and data in the low 16
//! ([`DATA`]); when several filters are installed the most restrictive action wins, in the
//! order of the table below (lowest first, comparing the action bits as a signed number).
//!
//! | action | value | the system call |
//! |---|---|---|
//! | KILL_PROCESS | 0x8000_0000 | not run; the process dies by SIGSYS |
//! | KILL_THREAD | 0x0000_0000 | not run; the thread (here: the process) dies by SIGSYS |
//! | TRAP | 0x0003_0000 | not run; SIGSYS with `si_code` SYS_SECCOMP |
//! | ERRNO | 0x0005_0000 | not run; returns -DATA (at most 4095) |
//! | USER_NOTIF | 0x7fc0_0000 | not run; ENOSYS without a listener |
//! | TRACE | 0x7ff0_0000 | not run; ENOSYS without a tracer |
//! | LOG | 0x7ffc_0000 | logged, then run |
//! | ALLOW | 0x7fff_0000 | run |

use crate::record::record_struct;

/// Modes (`PR_GET_SECCOMP`'s answer, `status`'s `Seccomp:` line).
pub mod mode {
    /// No confinement.
    pub const DISABLED: u32 = 0;
    /// Strict: read, write, exit and rt_sigreturn only.
    pub const STRICT: u32 = 1;
    /// Filters.
    pub const FILTER: u32 = 2;
}

/// `seccomp(2)` operations.
pub mod operation {
    /// SECCOMP_SET_MODE_STRICT: flags 0, argument NULL.
    pub const SET_MODE_STRICT: u32 = 0;
    /// SECCOMP_SET_MODE_FILTER: the argument is a `sock_fprog`.
    pub const SET_MODE_FILTER: u32 = 1;
    /// SECCOMP_GET_ACTION_AVAIL: the argument points at an action value (u32).
    pub const GET_ACTION_AVAIL: u32 = 2;
    /// SECCOMP_GET_NOTIF_SIZES: the argument receives three u16 sizes.
    pub const GET_NOTIF_SIZES: u32 = 3;
}

/// SECCOMP_SET_MODE_FILTER flags.
pub mod filter_flag {
    /// SECCOMP_FILTER_FLAG_TSYNC: install on every thread of the process.
    pub const TSYNC: u32 = 1 << 0;
    /// SECCOMP_FILTER_FLAG_LOG: log every action but ALLOW this filter returns.
    pub const LOG: u32 = 1 << 1;
    /// SECCOMP_FILTER_FLAG_SPEC_ALLOW: no speculative-execution mitigation is forced.
    pub const SPEC_ALLOW: u32 = 1 << 2;
    /// SECCOMP_FILTER_FLAG_NEW_LISTENER: return a notification file descriptor.
    pub const NEW_LISTENER: u32 = 1 << 3;
    /// SECCOMP_FILTER_FLAG_TSYNC_ESRCH.
    pub const TSYNC_ESRCH: u32 = 1 << 4;
    /// SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV.
    pub const WAIT_KILLABLE_RECV: u32 = 1 << 5;
}

/// SECCOMP_RET_KILL_PROCESS.
pub const RET_KILL_PROCESS: u32 = 0x8000_0000;
/// SECCOMP_RET_KILL_THREAD (also SECCOMP_RET_KILL).
pub const RET_KILL_THREAD: u32 = 0x0000_0000;
/// SECCOMP_RET_TRAP.
pub const RET_TRAP: u32 = 0x0003_0000;
/// SECCOMP_RET_ERRNO.
pub const RET_ERRNO: u32 = 0x0005_0000;
/// SECCOMP_RET_USER_NOTIF.
pub const RET_USER_NOTIF: u32 = 0x7fc0_0000;
/// SECCOMP_RET_TRACE.
pub const RET_TRACE: u32 = 0x7ff0_0000;
/// SECCOMP_RET_LOG.
pub const RET_LOG: u32 = 0x7ffc_0000;
/// SECCOMP_RET_ALLOW.
pub const RET_ALLOW: u32 = 0x7fff_0000;
/// SECCOMP_RET_ACTION_FULL: the action bits, the sign bit included.
pub const ACTION_FULL: u32 = 0xffff_0000;
/// SECCOMP_RET_ACTION: the action bits without the sign bit.
pub const ACTION: u32 = 0x7fff_0000;
/// SECCOMP_RET_DATA: the action's data.
pub const DATA: u32 = 0x0000_ffff;
/// Every action value Linux knows, most restrictive first.
pub const ACTIONS: [u32; 8] = [
    RET_KILL_PROCESS,
    RET_KILL_THREAD,
    RET_TRAP,
    RET_ERRNO,
    RET_USER_NOTIF,
    RET_TRACE,
    RET_LOG,
    RET_ALLOW,
];

/// AUDIT_ARCH_ARM: EM_ARM (40) with __AUDIT_ARCH_LE, what `seccomp_data.arch` holds here.
pub const AUDIT_ARCH_ARM: u32 = 0x4000_0028;
/// The largest classic BPF program (BPF_MAXINSNS).
pub const MAX_INSTRUCTIONS: usize = 4096;
/// Instructions all installed filters may total, each counted with 4 more for its overhead
/// (MAX_INSNS_PER_PATH); more is ENOMEM.
pub const MAX_INSTRUCTIONS_PER_PATH: usize = (1 << 18) / 8;
/// Scratch memory words (BPF_MEMWORDS).
pub const SCRATCH_WORDS: usize = 16;
/// The size of `seccomp_data`, what BPF_LEN loads.
pub const DATA_SIZE: u32 = 64;
/// `si_code` of a SIGSYS sent by a TRAP action (SYS_SECCOMP).
pub const SYS_SECCOMP: i32 = crate::signal::code::SYS_SECCOMP;

/// Classic BPF opcodes (include/uapi/linux/bpf_common.h, filter.h): an instruction's code is
/// a class, ORed with a size and mode (loads), an operation and source (ALU, jumps) or a
/// return source.
pub mod bpf {
    /// BPF_LD: load into A.
    pub const LD: u16 = 0x00;
    /// BPF_LDX: load into X.
    pub const LDX: u16 = 0x01;
    /// BPF_ST: store A into scratch memory.
    pub const ST: u16 = 0x02;
    /// BPF_STX: store X into scratch memory.
    pub const STX: u16 = 0x03;
    /// BPF_ALU: arithmetic on A.
    pub const ALU: u16 = 0x04;
    /// BPF_JMP: jumps.
    pub const JMP: u16 = 0x05;
    /// BPF_RET: end the program.
    pub const RET: u16 = 0x06;
    /// BPF_MISC: register transfers.
    pub const MISC: u16 = 0x07;

    /// BPF_W: a 32-bit word.
    pub const W: u16 = 0x00;
    /// BPF_H: a 16-bit half word.
    pub const H: u16 = 0x08;
    /// BPF_B: a byte.
    pub const B: u16 = 0x10;

    /// BPF_IMM: the constant k.
    pub const IMM: u16 = 0x00;
    /// BPF_ABS: the packet (here: `seccomp_data`) at offset k.
    pub const ABS: u16 = 0x20;
    /// BPF_IND: the packet at offset X + k.
    pub const IND: u16 = 0x40;
    /// BPF_MEM: scratch word k.
    pub const MEM: u16 = 0x60;
    /// BPF_LEN: the packet's length.
    pub const LEN: u16 = 0x80;
    /// BPF_MSH: 4 * (packet byte k & 0xf).
    pub const MSH: u16 = 0xa0;

    /// BPF_ADD.
    pub const ADD: u16 = 0x00;
    /// BPF_SUB.
    pub const SUB: u16 = 0x10;
    /// BPF_MUL.
    pub const MUL: u16 = 0x20;
    /// BPF_DIV.
    pub const DIV: u16 = 0x30;
    /// BPF_OR.
    pub const OR: u16 = 0x40;
    /// BPF_AND.
    pub const AND: u16 = 0x50;
    /// BPF_LSH.
    pub const LSH: u16 = 0x60;
    /// BPF_RSH.
    pub const RSH: u16 = 0x70;
    /// BPF_NEG.
    pub const NEG: u16 = 0x80;
    /// BPF_MOD.
    pub const MOD: u16 = 0x90;
    /// BPF_XOR.
    pub const XOR: u16 = 0xa0;

    /// BPF_JA: jump always, by k.
    pub const JA: u16 = 0x00;
    /// BPF_JEQ.
    pub const JEQ: u16 = 0x10;
    /// BPF_JGT (unsigned).
    pub const JGT: u16 = 0x20;
    /// BPF_JGE (unsigned).
    pub const JGE: u16 = 0x30;
    /// BPF_JSET: A & operand is not zero.
    pub const JSET: u16 = 0x40;

    /// BPF_K: the operand is k.
    pub const K: u16 = 0x00;
    /// BPF_X: the operand is X.
    pub const X: u16 = 0x08;
    /// BPF_A: return A (with RET).
    pub const A: u16 = 0x10;

    /// BPF_TAX: X = A.
    pub const TAX: u16 = 0x00;
    /// BPF_TXA: A = X.
    pub const TXA: u16 = 0x80;
}

record_struct! {
    /// `struct sock_filter`: one classic BPF instruction (8 bytes).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct SockFilter {
        /// The opcode ([`bpf`]).
        pub code: u16,
        /// Conditional jumps: how far forward when true.
        pub jt: u8,
        /// Conditional jumps: how far forward when false.
        pub jf: u8,
        /// The constant operand.
        pub k: u32,
    }
}

impl SockFilter {
    /// The size of one instruction in a `sock_filter` array.
    pub const SIZE: usize = 8;

    /// An instruction without jump offsets (BPF_STMT).
    pub const fn statement(code: u16, k: u32) -> SockFilter {
        SockFilter { code, jt: 0, jf: 0, k }
    }

    /// A conditional jump (BPF_JUMP).
    pub const fn jump(code: u16, k: u32, jt: u8, jf: u8) -> SockFilter {
        SockFilter { code, jt, jf, k }
    }

    /// The instruction in its 8 little-endian bytes, as libseccomp's `export_bpf` writes it
    /// for ARM.
    pub const fn from_le_bytes(bytes: [u8; 8]) -> SockFilter {
        SockFilter {
            code: u16::from_le_bytes([bytes[0], bytes[1]]),
            jt: bytes[2],
            jf: bytes[3],
            k: u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]),
        }
    }

    /// The instruction's 8 little-endian bytes.
    pub const fn to_le_bytes(self) -> [u8; 8] {
        let code = self.code.to_le_bytes();
        let k = self.k.to_le_bytes();
        [code[0], code[1], self.jt, self.jf, k[0], k[1], k[2], k[3]]
    }
}

record_struct! {
    /// `struct sock_fprog` on 32-bit ARM: the program's length and where its instructions are.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct SockFprog {
        /// The number of instructions.
        pub len: u16,
        /// Padding (the pointer is 4-byte aligned).
        pub padding: u16,
        /// The address of the first [`SockFilter`].
        pub filter: u32,
    }
}

record_struct! {
    /// `struct seccomp_data`: what a filter sees of a system call (64 bytes).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct SeccompData {
        /// The system call number (r7).
        pub nr: i32,
        /// [`AUDIT_ARCH_ARM`].
        pub arch: u32,
        /// The address after the `svc` instruction.
        pub instruction_pointer: u64,
        /// r0 to r5, each zero-extended.
        pub args: [u64; 6],
    }
}

impl SeccompData {
    /// The 32-bit word at byte `offset` (a multiple of 4 below 64), as BPF_LD|BPF_W|BPF_ABS
    /// loads it: on little-endian ARM the low half of a 64-bit field comes first.
    pub const fn word(&self, offset: u32) -> u32 {
        match offset / 4 {
            0 => self.nr as u32,
            1 => self.arch,
            2 => self.instruction_pointer as u32,
            3 => (self.instruction_pointer >> 32) as u32,
            index @ 4..=15 => {
                let argument = self.args[(index as usize - 4) / 2];
                if index % 2 == 0 { argument as u32 } else { (argument >> 32) as u32 }
            }
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Record;

    #[test]
    fn layouts_are_linux_s() {
        assert_eq!(core::mem::size_of::<SockFilter>(), SockFilter::SIZE);
        assert_eq!(core::mem::size_of::<SockFprog>(), 8);
        assert_eq!(core::mem::size_of::<SeccompData>(), DATA_SIZE as usize);
        assert_eq!(core::mem::offset_of!(SeccompData, instruction_pointer), 8);
        assert_eq!(core::mem::offset_of!(SeccompData, args), 16);
        assert_eq!(core::mem::offset_of!(SockFprog, filter), 4);
    }

    #[test]
    fn an_instruction_round_trips_through_its_bytes() {
        // `jf=10 k=0x40000028`, the arch check libseccomp emits first.
        let bytes = [0x15, 0x00, 0x00, 0x0a, 0x28, 0x00, 0x00, 0x40];
        let instruction = SockFilter::from_le_bytes(bytes);
        assert_eq!(
            instruction,
            SockFilter::jump(bpf::JMP | bpf::JEQ | bpf::K, AUDIT_ARCH_ARM, 0, 10)
        );
        assert_eq!(instruction.to_le_bytes(), bytes);
        assert_eq!(instruction.to_bytes(), bytes, "ARM is little-endian");
    }

    #[test]
    fn words_are_read_as_a_little_endian_load_would() {
        let data = SeccompData {
            nr: -1,
            arch: AUDIT_ARCH_ARM,
            instruction_pointer: 0x1_0000_8004,
            args: [1, 2, 3, 4, 5, 0xaaaa_bbbb_cccc_dddd],
        };
        let bytes = data.to_bytes();
        for offset in (0..64).step_by(4) {
            let at = offset as usize;
            let expected =
                u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
            assert_eq!(data.word(offset), expected, "offset {offset}");
        }
        assert_eq!(data.word(16), 1);
        assert_eq!(data.word(60), 0xaaaa_bbbb);
    }

    #[test]
    fn values_are_linux_s() {
        assert_eq!(RET_KILL_THREAD, 0);
        assert!(ACTIONS.windows(2).all(|pair| (pair[0] as i32) < (pair[1] as i32)));
        assert_eq!(MAX_INSTRUCTIONS_PER_PATH, 32768);
        assert_eq!(
            [
                filter_flag::TSYNC,
                filter_flag::LOG,
                filter_flag::SPEC_ALLOW,
                filter_flag::NEW_LISTENER
            ],
            [1, 2, 4, 8]
        );
    }
}
