//! libseccomp's worked example (docs/seccomp.md): a real program, for the host tests, the
//! in-kernel self-test and the benchmarks to run.

use swpan_abi::seccomp::{AUDIT_ARCH_ARM, SockFilter, bpf};

const LD_W_ABS: u16 = bpf::LD | bpf::W | bpf::ABS;
const JEQ_K: u16 = bpf::JMP | bpf::JEQ | bpf::K;
const RET_K: u16 = bpf::RET | bpf::K;

/// libseccomp 2.5.4's program for: default ALLOW; ERRNO(EPERM) for getpid; KILL_PROCESS for
/// kill; ERRNO(E2BIG) for write when arg0 == 3 (13 instructions, 104 bytes).
pub const LIBSECCOMP_EXAMPLE: [SockFilter; 13] = [
    SockFilter::statement(LD_W_ABS, 4),
    SockFilter::jump(JEQ_K, AUDIT_ARCH_ARM, 0, 10),
    SockFilter::statement(LD_W_ABS, 0),
    SockFilter::jump(JEQ_K, 20, 0, 1),
    SockFilter::statement(RET_K, 0x0005_0001),
    SockFilter::jump(JEQ_K, 37, 0, 1),
    SockFilter::statement(RET_K, 0x8000_0000),
    SockFilter::jump(JEQ_K, 4, 0, 2),
    SockFilter::statement(LD_W_ABS, 0x10),
    SockFilter::jump(JEQ_K, 3, 1, 0),
    SockFilter::statement(RET_K, 0x7fff_0000),
    SockFilter::statement(RET_K, 0x0005_0007),
    SockFilter::statement(RET_K, 0),
];
