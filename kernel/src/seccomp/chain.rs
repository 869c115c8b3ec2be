//! The filters a process has installed: immutable nodes shared by parent and child, newest
//! first, each pointing at the one installed before it (Linux's `struct seccomp_filter`).
//!
//! Running the chain runs every filter, newest to oldest, and keeps the result whose action
//! (the high 16 bits as a signed number) is lowest; only a strictly lower one replaces the
//! result so far, so on a tie the newest filter's data wins (`seccomp_run_filters`).

use super::program::{Program, Words};
use crate::errno::Errno;
use alloc::sync::Arc;
use swpan_abi::seccomp::{ACTION_FULL, MAX_INSTRUCTIONS_PER_PATH, RET_ALLOW};

/// What the chain decided for one system call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// The winning filter's return value: action and data.
    pub value: u32,
    /// The winning filter was installed with SECCOMP_FILTER_FLAG_LOG.
    pub log: bool,
}

impl Verdict {
    /// No filter objected: ALLOW.
    pub const ALLOW: Verdict = Verdict { value: RET_ALLOW, log: false };

    /// The action as `seccomp_run_filters` compares it (ACTION_ONLY).
    const fn rank(self) -> i32 {
        (self.value & ACTION_FULL) as i32
    }

    /// `self` (from a newer filter) or `older`, whichever ranks strictly lower wins.
    fn or_older(self, older: Verdict) -> Verdict {
        if older.rank() < self.rank() { older } else { self }
    }
}

/// One installed filter.
#[derive(Debug)]
struct Filter {
    program: Program,
    log: bool,
    previous: Option<Arc<Filter>>,
    /// The budget this filter and all older ones use: Σ (instructions + 4).
    path_length: usize,
    /// The verdict of this filter and all older ones when none depends on the call.
    constant: Option<Verdict>,
}

/// A process's filters (empty: none). Cloning shares them, as `fork` does.
#[derive(Clone, Debug, Default)]
pub struct Chain {
    newest: Option<Arc<Filter>>,
}

impl Chain {
    /// The chain with `program` installed in front (`log`: SECCOMP_FILTER_FLAG_LOG). ENOMEM
    /// when the new program's length plus Σ (length + 4) over the installed ones exceeds
    /// 32768 (MAX_INSNS_PER_PATH).
    pub fn with(&self, program: Program, log: bool) -> Result<Chain, Errno> {
        let installed = self.newest.as_ref().map_or(0, |filter| filter.path_length);
        if program.len() + installed > MAX_INSTRUCTIONS_PER_PATH {
            return Err(Errno::ENOMEM);
        }
        let own = program.constant().map(|value| Verdict { value, log });
        let constant = match (own, &self.newest) {
            (Some(own), None) => Some(Verdict::ALLOW.or_older(own)),
            (Some(own), Some(older)) => older.constant.map(|older| own.or_older(older)),
            (None, _) => None,
        };
        let filter = Filter {
            path_length: installed + program.len() + 4,
            program,
            log,
            previous: self.newest.clone(),
            constant,
        };
        Ok(Chain { newest: Some(Arc::new(filter)) })
    }

    /// No filter installed.
    pub fn is_empty(&self) -> bool {
        self.newest.is_none()
    }

    /// How many filters are installed.
    pub fn count(&self) -> usize {
        core::iter::successors(self.newest.as_deref(), |filter| filter.previous.as_deref()).count()
    }

    /// The verdict for every call of this kernel (arch AUDIT_ARCH_ARM, high words 0) when
    /// every filter is constant ([`Program::constant`]): found at install, so that such a
    /// chain costs a load per call instead of a run.
    #[inline(always)]
    pub fn constant(&self) -> Option<Verdict> {
        self.newest.as_ref().and_then(|filter| filter.constant)
    }

    /// Runs every filter on the call whose `seccomp_data` is `words`, newest first.
    pub fn run(&self, words: &Words) -> Verdict {
        let mut verdict = Verdict::ALLOW;
        let mut next = self.newest.as_deref();
        while let Some(filter) = next {
            let value = filter.program.run(words);
            verdict = verdict.or_older(Verdict { value, log: filter.log });
            next = filter.previous.as_deref();
        }
        verdict
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seccomp::program::words_of;
    use swpan_abi::seccomp::{
        AUDIT_ARCH_ARM, RET_ERRNO, RET_KILL_PROCESS, RET_KILL_THREAD, RET_LOG, RET_TRAP,
        SeccompData, SockFilter, bpf,
    };

    fn returning(value: u32) -> Program {
        Program::new(&[SockFilter::statement(bpf::RET | bpf::K, value)]).unwrap()
    }

    /// ALLOW for every call but getpid (20), which gets `value`: not constant.
    fn on_getpid(value: u32) -> Program {
        Program::new(&[
            SockFilter::statement(bpf::LD | bpf::W | bpf::ABS, 0),
            SockFilter::jump(bpf::JMP | bpf::JEQ | bpf::K, 20, 0, 1),
            SockFilter::statement(bpf::RET | bpf::K, value),
            SockFilter::statement(bpf::RET | bpf::K, RET_ALLOW),
        ])
        .unwrap()
    }

    fn call(nr: i32) -> Words {
        words_of(&SeccompData { nr, arch: AUDIT_ARCH_ARM, ..SeccompData::default() })
    }

    fn install(values: &[u32], program: fn(u32) -> Program) -> Chain {
        values
            .iter()
            .fold(Chain::default(), |chain, &value| chain.with(program(value), false).unwrap())
    }

    #[test]
    fn an_empty_chain_allows() {
        assert_eq!(Chain::default().run(&call(20)), Verdict::ALLOW);
        assert!(Chain::default().is_empty());
    }

    #[test]
    fn the_most_restrictive_action_wins_in_any_order() {
        let order = swpan_abi::seccomp::ACTIONS;
        for (index, &expected) in order.iter().enumerate() {
            let weaker = &order[index..];
            let mut forward = weaker.to_vec();
            let backward: alloc::vec::Vec<u32> = weaker.iter().rev().copied().collect();
            forward.rotate_left(weaker.len() / 2);
            for values in [weaker.to_vec(), backward, forward] {
                let every_call = install(&values, returning);
                assert_eq!(every_call.run(&call(21)).value, expected, "{values:x?}");
                let getpid_only = install(&values, on_getpid);
                assert_eq!(getpid_only.run(&call(20)).value, expected, "{values:x?}");
                assert_eq!(getpid_only.run(&call(21)).value, RET_ALLOW);
            }
        }
    }

    #[test]
    fn on_a_tie_the_newest_filter_s_data_wins() {
        // ERRNO_order: 11, 13, 12 installed in that order: errno 12.
        let values = [RET_ERRNO | 11, RET_ERRNO | 13, RET_ERRNO | 12];
        assert_eq!(install(&values, on_getpid).run(&call(20)).value, RET_ERRNO | 12);
        assert_eq!(install(&values, returning).run(&call(20)).value, RET_ERRNO | 12);
        let traps = [RET_TRAP | 1, RET_TRAP | 2];
        assert_eq!(install(&traps, returning).constant().map(|v| v.value), Some(RET_TRAP | 2));
    }

    #[test]
    fn unknown_actions_rank_by_their_signed_value() {
        let inside = install(&[RET_ALLOW, 0x1000_0000, RET_LOG], returning);
        assert_eq!(inside.run(&call(20)).value, 0x1000_0000, "below USER_NOTIF");
        let negative = install(&[0x9000_0000, RET_KILL_THREAD], returning);
        assert_eq!(negative.run(&call(20)).value, 0x9000_0000, "negative: below KILL_THREAD");
        let lowest = install(&[RET_KILL_PROCESS, 0x9000_0000], returning);
        assert_eq!(lowest.run(&call(20)).value, RET_KILL_PROCESS, "but above KILL_PROCESS");
    }

    #[test]
    fn the_log_flag_follows_the_winning_filter() {
        let chain = Chain::default()
            .with(on_getpid(RET_ERRNO | 1), true)
            .unwrap()
            .with(returning(RET_ALLOW), false)
            .unwrap();
        assert_eq!(chain.run(&call(20)), Verdict { value: RET_ERRNO | 1, log: true });
        assert_eq!(chain.run(&call(21)), Verdict::ALLOW, "ALLOW is never logged");
        let logged = Chain::default().with(returning(RET_LOG), true).unwrap();
        assert_eq!(logged.constant(), Some(Verdict { value: RET_LOG, log: true }));
    }

    #[test]
    fn constant_chains_are_decided_at_install() {
        let allow = install(&[RET_ALLOW, RET_ALLOW], returning);
        assert_eq!(allow.constant(), Some(Verdict::ALLOW));
        let mixed = Chain::default()
            .with(returning(RET_ERRNO | 3), false)
            .unwrap()
            .with(on_getpid(RET_TRAP), false)
            .unwrap();
        assert_eq!(mixed.constant(), None);
        assert_eq!(mixed.run(&call(20)).value, RET_TRAP, "the newer TRAP beats the constant");
        assert_eq!(mixed.run(&call(1)).value, RET_ERRNO | 3, "the constant older ERRNO");
    }

    #[test]
    fn the_budget_is_32768_with_4_per_filter() {
        // filter_chain_limits: a 1-instruction filter, then 4096-instruction ones: 7 fit.
        let big = Program::new(&[SockFilter::statement(bpf::RET | bpf::K, RET_ALLOW); 4096]);
        let big = big.unwrap();
        let mut chain = Chain::default().with(returning(RET_ALLOW), false).unwrap();
        for _ in 0..7 {
            chain = chain.with(big.clone(), false).unwrap();
        }
        assert_eq!(chain.with(big.clone(), false).unwrap_err(), Errno::ENOMEM);
        assert_eq!(chain.count(), 8);
        // 5 + 7 * 4100 = 28705 used: 4063 more fit exactly, 4064 do not.
        let fits = Program::new(&[SockFilter::statement(bpf::RET | bpf::K, 0); 4063]).unwrap();
        let over = Program::new(&[SockFilter::statement(bpf::RET | bpf::K, 0); 4064]).unwrap();
        assert!(chain.with(fits, false).is_ok());
        assert_eq!(chain.with(over, false).unwrap_err(), Errno::ENOMEM);
    }

    #[test]
    fn a_child_shares_the_parent_s_filters_and_adds_its_own() {
        let parent = install(&[RET_ALLOW], on_getpid);
        let child = parent.clone().with(returning(RET_ERRNO | 5), false).unwrap();
        assert_eq!(parent.count(), 1);
        assert_eq!(child.count(), 2);
        assert_eq!(parent.run(&call(1)).value, RET_ALLOW, "the parent is not affected");
        assert_eq!(child.run(&call(1)).value, RET_ERRNO | 5);
    }
}
