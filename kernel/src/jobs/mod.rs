//! The jobs the command line can choose, all run by the kernel (process 0) after boot.
//!
//! - `tour` (the default, `make run`): the guided demonstration.
//! - `lkdtm=NAME,...`: each crash type in a fresh process, one summary line each.
//! - `shell` (`make shell`): the interactive shell, a user program.
//! - `init=PROGRAM`: one user program, powering off with its verdict.
//! - `bench=instructions|wall` (`make bench`): the benchmarks.
//! - `fuzz=SEED,COUNT` (`make fuzz`): the system call fuzzer.
//! - `selftest`: the in-kernel self-tests ([`crate::selftest`]).
//! - `test=...`: the failure paths the integration tests provoke ([`test_hooks`]).

pub mod bench;
pub mod fuzz;
pub mod init_program;
pub mod lkdtm;
pub mod shell;
pub mod test_hooks;
pub mod tour;
