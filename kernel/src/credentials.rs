//! A process's credentials and Linux's rules for changing them: pure, host-tested.
//!
//! Each process has four uids and four gids, as on Linux (credentials(7)):
//!
//! | id | what it decides |
//! |---|---|
//! | real | who owns the process (who may signal it) |
//! | effective | what the process may do |
//! | saved | an id it may switch back to |
//! | fs | whose files it opens (follows the effective id) |
//!
//! and five capability sets (inheritable, permitted, effective, bounding, ambient), as
//! `/proc/self/status` shows them, plus the securebits and no_new_privs. An unprivileged
//! process may only move between its own ids; a privileged one may take any. Whether a
//! process is privileged for a change is decided in one place, [`Credentials::privileged`]:
//! CAP_SETUID or CAP_SETGID in its effective set. The rules are Linux's (kernel/sys.c for the
//! ids, security/commoncap.c for the capability fix-ups after a uid change and across
//! `execve`); every failure is EPERM, an id of -1 where a real id is needed EINVAL.
//!
//! The invariants Linux keeps (`cap_ambient_invariant_ok`): effective within permitted,
//! ambient within permitted and inheritable.

use crate::errno::Errno;
use swpan_abi::{capability, securebits};

/// A user or group id.
pub type Id = u32;

/// The id that means "leave it as it is" (-1) in the set*id calls.
pub const UNCHANGED: Id = u32::MAX;

/// root's uid and gid.
pub const ROOT: Id = 0;

/// One kind of id, four times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ids {
    /// Real.
    pub real: Id,
    /// Effective.
    pub effective: Id,
    /// Saved set-id.
    pub saved: Id,
    /// Filesystem.
    pub fs: Id,
}

impl Ids {
    /// All four the same.
    pub const fn all(id: Id) -> Ids {
        Ids { real: id, effective: id, saved: id, fs: id }
    }

    /// Real, effective, saved, fs: the order of `/proc/self/status`.
    pub const fn as_array(&self) -> [Id; 4] {
        [self.real, self.effective, self.saved, self.fs]
    }

    fn holds(&self, id: Id) -> bool {
        id == self.real || id == self.effective || id == self.saved
    }
}

/// Which ids a change is about: the privilege that allows any change differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// uids (CAP_SETUID).
    User,
    /// gids (CAP_SETGID).
    Group,
}

/// The five capability sets, one bit per capability (0 to [`capability::LAST_CAP`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CapabilitySets {
    /// Kept across `execve` for programs whose file allows them.
    pub inheritable: u64,
    /// The most the process may have effective.
    pub permitted: u64,
    /// What the kernel checks.
    pub effective: u64,
    /// The limit on what `execve` may grant.
    pub bounding: u64,
    /// Kept across `execve` of an unprivileged program.
    pub ambient: u64,
}

/// What the program file being executed carries: its owner and mode bits, set-id bits
/// included (its capability record is a [`FileCapabilities`], passed beside it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExecutableFile {
    /// Owner uid.
    pub uid: Id,
    /// Owner gid.
    pub gid: Id,
    /// Mode bits, as `st_mode & 0o7777`.
    pub mode: u32,
}

/// A program file's capability record (Linux's `security.capability` extended attribute):
/// what `execve` may grant. `Some` with empty sets still counts as having one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileCapabilities {
    /// fP: granted whatever the bounding set allows.
    pub permitted: u64,
    /// fI: granted if the process has them inheritable.
    pub inheritable: u64,
    /// fE: the new permitted set becomes effective at once.
    pub effective: bool,
}

impl FileCapabilities {
    /// True when every bit names a capability Linux has (0 to 40).
    pub const fn is_valid(&self) -> bool {
        (self.permitted | self.inheritable) & !capability::ALL == 0
    }
}

/// Mode bit: run with the owner's uid.
pub const SET_UID: u32 = 0o4000;
/// Mode bit: run with the owner's gid (with the group execute bit).
pub const SET_GID: u32 = 0o2000;

/// A process's credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// The uids.
    pub uid: Ids,
    /// The gids.
    pub gid: Ids,
    /// The capability sets.
    pub capabilities: CapabilitySets,
    /// The securebits (`swpan_abi::securebits`): flags and their locks.
    pub securebits: u32,
    /// PR_SET_NO_NEW_PRIVS: `execve` grants nothing (set-id bits and file capabilities).
    pub no_new_privs: bool,
}

impl Credentials {
    /// The kernel's and init's: root, every capability permitted and effective, all of them
    /// in the bounding set.
    pub const fn root() -> Credentials {
        Credentials {
            uid: Ids::all(ROOT),
            gid: Ids::all(ROOT),
            capabilities: CapabilitySets {
                inheritable: 0,
                permitted: capability::ALL,
                effective: capability::ALL,
                bounding: capability::ALL,
                ambient: 0,
            },
            securebits: 0,
            no_new_privs: false,
        }
    }

    /// Whether capability `number` is in the effective set, the only set the kernel checks
    /// (`cap_capable`).
    pub const fn capable(&self, number: u32) -> bool {
        self.capabilities.effective & capability::bit(number) != 0
    }

    /// Whether securebit `bit` (a mask from `swpan_abi::securebits`) is set.
    pub const fn secure(&self, bit: u32) -> bool {
        self.securebits & bit != 0
    }

    /// Whether the process may set its `kind` ids to any value: CAP_SETUID (uids) or
    /// CAP_SETGID (gids) in the effective set.
    pub fn privileged(&self, kind: Kind) -> bool {
        self.capable(match kind {
            Kind::User => capability::SETUID,
            Kind::Group => capability::SETGID,
        })
    }

    /// Linux's rule for `kill` (kernel/signal.c, `kill_ok_by_cred`): a process may signal a
    /// target whose real or saved uid equals its own real or effective uid, or any target
    /// with CAP_KILL.
    pub fn may_signal(&self, target: &Credentials) -> bool {
        let (sender, target) = (&self.uid, &target.uid);
        [sender.real, sender.effective].iter().any(|id| *id == target.real || *id == target.saved)
            || self.capable(capability::KILL)
    }

    /// Linux's rule for changing another process's scheduling, its CPU affinity included
    /// (kernel/sched/core.c, `check_same_owner`): the caller's effective uid is the target's
    /// effective or real uid, or the caller has CAP_SYS_NICE.
    pub fn may_reschedule(&self, target: &Credentials) -> bool {
        self.uid.effective == target.uid.effective
            || self.uid.effective == target.uid.real
            || self.capable(capability::SYS_NICE)
    }

    fn ids_mut(&mut self, kind: Kind) -> &mut Ids {
        match kind {
            Kind::User => &mut self.uid,
            Kind::Group => &mut self.gid,
        }
    }

    /// `setuid(id)` (`Kind::User`) or `setgid(id)`: privileged, all four ids; otherwise the
    /// effective and fs id, only to the real or saved id.
    pub fn set_id(&mut self, kind: Kind, id: Id) -> Result<(), Errno> {
        if id == UNCHANGED {
            return Err(Errno::EINVAL);
        }
        let old = *self;
        let privileged = self.privileged(kind);
        let ids = self.ids_mut(kind);
        if privileged {
            *ids = Ids::all(id);
        } else if id == ids.real || id == ids.saved {
            ids.effective = id;
            ids.fs = id;
        } else {
            return Err(Errno::EPERM);
        }
        self.fix_capabilities_after(kind, &old);
        Ok(())
    }

    /// `setreuid(real, effective)` (`Kind::User`) or `setregid`: unprivileged, the real id
    /// may become the effective one, the effective id any of real, effective, saved. The
    /// saved id follows the new effective id when the real id is set or the effective id
    /// moves away from the real one.
    pub fn set_real_effective(&mut self, kind: Kind, real: Id, effective: Id) -> Result<(), Errno> {
        let old = *self;
        let privileged = self.privileged(kind);
        let ids = self.ids_mut(kind);
        let mut new = *ids;
        if real != UNCHANGED {
            if !privileged && real != ids.real && real != ids.effective {
                return Err(Errno::EPERM);
            }
            new.real = real;
        }
        if effective != UNCHANGED {
            if !privileged && !ids.holds(effective) {
                return Err(Errno::EPERM);
            }
            new.effective = effective;
        }
        if real != UNCHANGED || (effective != UNCHANGED && effective != ids.real) {
            new.saved = new.effective;
        }
        new.fs = new.effective;
        *ids = new;
        self.fix_capabilities_after(kind, &old);
        Ok(())
    }

    /// `setresuid(real, effective, saved)` (`Kind::User`) or `setresgid`: unprivileged, each
    /// new id must be one of the three old ones. The fs id follows the effective id.
    pub fn set_real_effective_saved(
        &mut self,
        kind: Kind,
        real: Id,
        effective: Id,
        saved: Id,
    ) -> Result<(), Errno> {
        let old = *self;
        let privileged = self.privileged(kind);
        let ids = self.ids_mut(kind);
        let requested = [real, effective, saved].into_iter().filter(|&id| id != UNCHANGED);
        if !privileged && !requested.clone().all(|id| ids.holds(id)) {
            return Err(Errno::EPERM);
        }
        let keep = |new: Id, old: Id| if new == UNCHANGED { old } else { new };
        ids.real = keep(real, ids.real);
        ids.effective = keep(effective, ids.effective);
        ids.saved = keep(saved, ids.saved);
        ids.fs = ids.effective;
        self.fix_capabilities_after(kind, &old);
        Ok(())
    }

    /// Linux's capability fix-up after a uid change (`cap_emulate_setxuid`), skipped under
    /// SECBIT_NO_SETUID_FIXUP: leaving root for good drops the ambient set, and the permitted
    /// and effective sets unless KEEP_CAPS; an effective uid that leaves 0 drops the
    /// effective set, one that becomes 0 regains the permitted set.
    fn fix_capabilities_after(&mut self, kind: Kind, old: &Credentials) {
        if kind != Kind::User || self.secure(securebits::NO_SETUID_FIXUP) {
            return;
        }
        let keep = self.secure(securebits::KEEP_CAPS);
        let sets = &mut self.capabilities;
        let was_root = old.uid.real == ROOT || old.uid.effective == ROOT || old.uid.saved == ROOT;
        let is_root = self.uid.real == ROOT || self.uid.effective == ROOT || self.uid.saved == ROOT;
        if was_root && !is_root {
            if !keep {
                sets.permitted = 0;
                sets.effective = 0;
            }
            sets.ambient = 0;
        }
        if old.uid.effective == ROOT && self.uid.effective != ROOT {
            sets.effective = 0;
        }
        if old.uid.effective != ROOT && self.uid.effective == ROOT {
            sets.effective = sets.permitted;
        }
    }

    /// The credentials after `execve` of `file` carrying the capability record `record`, and
    /// whether the new program runs "secure" (AT_SECURE: it has privileges its invoker did not
    /// give it); EPERM where Linux's exec fails (a file whose fE asks for fP bits the process
    /// cannot get). The steps of `bprm_fill_uid` and `cap_bprm_set_creds`, in their order.
    pub fn after_exec(
        &self,
        file: &ExecutableFile,
        record: Option<&FileCapabilities>,
    ) -> Result<(Credentials, bool), Errno> {
        let old = &self.capabilities;
        let mut new = *self;
        // bprm_fill_uid: the set-id bits, not under no_new_privs.
        if !self.no_new_privs {
            if file.mode & SET_UID != 0 {
                new.uid.effective = file.uid;
            }
            if file.mode & SET_GID != 0 && file.mode & 0o010 != 0 {
                new.gid.effective = file.gid;
            }
        }
        // 1. The file's capabilities: P' = (X & fP) | (I & fI).
        let has_cap = record.is_some();
        let mut permitted = 0;
        let mut file_effective = false;
        if let Some(record) = record {
            let wanted = record.permitted & capability::ALL;
            permitted = (old.bounding & wanted) | (old.inheritable & record.inheritable);
            file_effective = record.effective;
            if file_effective && wanted & !permitted != 0 {
                return Err(Errno::EPERM);
            }
        }
        // 2. Root's rule, unless SECBIT_NOROOT; a setuid-root file with capabilities run by
        // a user gets only the file's.
        let (real, effective) = (new.uid.real, new.uid.effective);
        let setuid_root_with_caps = has_cap && real != ROOT && effective == ROOT;
        if !self.secure(securebits::NOROOT)
            && !setuid_root_with_caps
            && (effective == ROOT || real == ROOT)
        {
            permitted = old.bounding | old.inheritable;
            file_effective |= effective == ROOT;
        }
        // 3-4. A set-id or capability-raising exec that is unsafe (here only no_new_privs
        // makes it so) keeps the old ids and gains nothing.
        let is_setid = new.uid.effective != self.uid.real || new.gid.effective != self.gid.real;
        if (is_setid || permitted & !old.permitted != 0) && self.no_new_privs {
            new.uid.effective = new.uid.real;
            new.gid.effective = new.gid.real;
            permitted &= old.permitted;
        }
        // 5. The saved and fs ids follow the effective ones.
        new.uid.saved = new.uid.effective;
        new.uid.fs = new.uid.effective;
        new.gid.saved = new.gid.effective;
        new.gid.fs = new.gid.effective;
        // 6. Ambient survives only an unprivileged exec, and is added to P'.
        let ambient = if has_cap || is_setid { 0 } else { old.ambient };
        permitted |= ambient;
        let sets = &mut new.capabilities;
        sets.ambient = ambient;
        sets.permitted = permitted;
        sets.effective = if file_effective { permitted } else { ambient };
        // 7. KEEP_CAPS never survives an exec; its lock and the other bits do.
        new.securebits &= !securebits::KEEP_CAPS;
        // cap_bprm_secureexec.
        let secure = (new.uid.real != ROOT && (file_effective || permitted & !ambient != 0))
            || new.uid.effective != new.uid.real
            || new.gid.effective != new.gid.real;
        Ok((new, secure))
    }

    /// Whether these credentials may execute `file` (`generic_permission` for MAY_EXEC): fs
    /// uid 0 needs any execute bit, anyone else the owner's, group's or others' bit, by class.
    pub fn may_execute(&self, file: &ExecutableFile) -> bool {
        let bits = if self.uid.fs == ROOT {
            file.mode & 0o111
        } else if self.uid.fs == file.uid {
            file.mode & 0o100
        } else if self.gid.fs == file.gid {
            file.mode & 0o010
        } else {
            file.mode & 0o001
        };
        bits != 0
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn kill_permission_follows_linux() {
        let root = Credentials::root();
        let student = user(1000);
        let nobody = user(65534);
        assert!(root.may_signal(&student));
        assert!(student.may_signal(&student));
        assert!(!student.may_signal(&nobody));
        assert!(!student.may_signal(&root));
        // A target that kept the sender's uid as its saved uid (a setuid program run by it).
        let mut setuid_program = nobody;
        setuid_program.uid.saved = 1000;
        assert!(student.may_signal(&setuid_program));
        // A sender whose real uid matches, effective not.
        let mut switched = student;
        switched.uid.effective = 65534;
        assert!(switched.may_signal(&student));
    }

    use super::*;

    const STUDENT: Id = 1000;
    const NOBODY: Id = 65534;

    fn user(uid: Id) -> Credentials {
        let mut credentials = Credentials::root();
        credentials.set_id(Kind::Group, uid).unwrap();
        credentials.set_id(Kind::User, uid).unwrap();
        credentials
    }

    fn program(mode: u32) -> ExecutableFile {
        ExecutableFile { uid: ROOT, gid: ROOT, mode }
    }

    #[test]
    fn root_holds_every_capability() {
        let root = Credentials::root();
        assert_eq!(root.capabilities.bounding, 0x0000_01ff_ffff_ffff);
        assert_eq!(root.capabilities.permitted, root.capabilities.bounding);
        assert_eq!(root.capabilities.effective, root.capabilities.bounding);
        assert_eq!((root.capabilities.inheritable, root.capabilities.ambient), (0, 0));
        assert!(root.privileged(Kind::User) && root.privileged(Kind::Group));
    }

    #[test]
    fn root_setuid_sets_all_four_and_drops_capabilities() {
        let mut credentials = Credentials::root();
        credentials.set_id(Kind::User, STUDENT).unwrap();
        assert_eq!(credentials.uid, Ids::all(STUDENT));
        assert_eq!(credentials.gid, Ids::all(ROOT));
        assert_eq!(credentials.capabilities.permitted, 0);
        assert_eq!(credentials.capabilities.effective, 0);
        assert_eq!(credentials.capabilities.bounding, capability::ALL);
        // Now unprivileged: no way back.
        assert_eq!(credentials.set_id(Kind::User, ROOT), Err(Errno::EPERM));
        assert_eq!(credentials.set_id(Kind::Group, NOBODY), Err(Errno::EPERM), "CAP_SETGID gone");
        assert_eq!(credentials.set_id(Kind::Group, ROOT), Ok(()), "its own real gid");
    }

    #[test]
    fn unprivileged_setuid_moves_only_the_effective_id_between_its_own() {
        let mut credentials = Credentials::root();
        credentials.set_real_effective_saved(Kind::User, STUDENT, NOBODY, STUDENT).unwrap();
        assert_eq!(credentials.set_id(Kind::User, ROOT), Err(Errno::EPERM));
        credentials.set_id(Kind::User, STUDENT).unwrap();
        assert_eq!(
            credentials.uid,
            Ids { real: STUDENT, effective: STUDENT, saved: STUDENT, fs: STUDENT }
        );
        assert_eq!(credentials.set_id(Kind::User, UNCHANGED), Err(Errno::EINVAL));
    }

    #[test]
    fn saved_uid_lets_a_process_drop_and_regain_root() {
        let mut credentials = Credentials::root();
        credentials.set_real_effective_saved(Kind::User, STUDENT, STUDENT, ROOT).unwrap();
        assert_eq!(credentials.capabilities.effective, 0, "effective uid left 0");
        assert_eq!(credentials.capabilities.permitted, capability::ALL, "saved uid is still 0");
        assert!(!credentials.privileged(Kind::User));
        credentials.set_id(Kind::User, ROOT).unwrap();
        assert_eq!(credentials.uid.effective, ROOT);
        assert_eq!(credentials.uid.real, STUDENT, "unprivileged setuid keeps the real uid");
        assert_eq!(credentials.capabilities.effective, capability::ALL, "effective uid back to 0");
    }

    #[test]
    fn setresuid_takes_only_old_ids_unless_privileged() {
        let mut credentials = user(STUDENT);
        assert_eq!(
            credentials.set_real_effective_saved(Kind::User, NOBODY, UNCHANGED, UNCHANGED),
            Err(Errno::EPERM)
        );
        assert_eq!(credentials.uid, Ids::all(STUDENT), "a refused call changes nothing");
        credentials.set_real_effective_saved(Kind::User, UNCHANGED, UNCHANGED, UNCHANGED).unwrap();
        let mut root = Credentials::root();
        root.set_real_effective_saved(Kind::User, NOBODY, STUDENT, ROOT).unwrap();
        assert_eq!(root.uid, Ids { real: NOBODY, effective: STUDENT, saved: ROOT, fs: STUDENT });
        let mut mixed = root;
        mixed.set_real_effective_saved(Kind::User, STUDENT, ROOT, NOBODY).unwrap();
        assert_eq!(mixed.uid, Ids { real: STUDENT, effective: ROOT, saved: NOBODY, fs: ROOT });
    }

    #[test]
    fn setresgid_needs_the_privilege_of_the_effective_uid() {
        let mut credentials = user(STUDENT);
        assert_eq!(credentials.gid, Ids::all(STUDENT));
        assert_eq!(
            credentials.set_real_effective_saved(Kind::Group, ROOT, ROOT, ROOT),
            Err(Errno::EPERM)
        );
        let mut root = Credentials::root();
        root.set_real_effective_saved(Kind::Group, STUDENT, NOBODY, UNCHANGED).unwrap();
        assert_eq!(root.gid, Ids { real: STUDENT, effective: NOBODY, saved: ROOT, fs: NOBODY });
        assert_eq!(root.capabilities.effective, capability::ALL, "gids leave capabilities alone");
    }

    #[test]
    fn setreuid_rules() {
        let mut credentials = Credentials::root();
        credentials.set_real_effective_saved(Kind::User, STUDENT, NOBODY, 42).unwrap();
        // Unprivileged: real may become the effective id, not the saved one.
        let mut copy = credentials;
        assert_eq!(copy.set_real_effective(Kind::User, 42, UNCHANGED), Err(Errno::EPERM));
        copy.set_real_effective(Kind::User, NOBODY, UNCHANGED).unwrap();
        assert_eq!(copy.uid, Ids { real: NOBODY, effective: NOBODY, saved: NOBODY, fs: NOBODY });
        // Effective to the saved id, real untouched and equal: saved stays.
        let mut copy = credentials;
        copy.set_real_effective(Kind::User, UNCHANGED, STUDENT).unwrap();
        assert_eq!(copy.uid, Ids { real: STUDENT, effective: STUDENT, saved: 42, fs: STUDENT });
        // Effective moves away from the real id: saved follows it.
        let mut copy = credentials;
        copy.set_real_effective(Kind::User, UNCHANGED, 42).unwrap();
        assert_eq!(copy.uid, Ids { real: STUDENT, effective: 42, saved: 42, fs: 42 });
        let mut copy = credentials;
        assert_eq!(copy.set_real_effective(Kind::User, UNCHANGED, ROOT), Err(Errno::EPERM));
    }

    #[test]
    fn exec_of_a_plain_program_keeps_root_root_and_a_user_a_user() {
        let (root, secure) = Credentials::root().after_exec(&program(0o755), None).unwrap();
        assert_eq!(root, Credentials::root());
        assert!(!secure);
        let (student, secure) = user(STUDENT).after_exec(&program(0o755), None).unwrap();
        assert_eq!(student, user(STUDENT));
        assert!(!secure);
    }

    #[test]
    fn exec_of_a_setuid_root_program_grants_root_and_is_secure() {
        let (new, secure) = user(STUDENT).after_exec(&program(0o4755), None).unwrap();
        assert_eq!(new.uid, Ids { real: STUDENT, effective: ROOT, saved: ROOT, fs: ROOT });
        assert_eq!(new.capabilities.permitted, capability::ALL);
        assert_eq!(new.capabilities.effective, capability::ALL);
        assert!(secure);
        let mut no_new_privs = user(STUDENT);
        no_new_privs.no_new_privs = true;
        let (new, secure) = no_new_privs.after_exec(&program(0o4755), None).unwrap();
        assert_eq!(new.uid, Ids::all(STUDENT));
        assert!(!secure);
    }

    #[test]
    fn exec_of_a_setgid_program_needs_the_group_execute_bit() {
        let file = ExecutableFile { uid: ROOT, gid: 5, mode: 0o2755 };
        let (new, secure) = user(STUDENT).after_exec(&file, None).unwrap();
        assert_eq!(new.gid, Ids { real: STUDENT, effective: 5, saved: 5, fs: 5 });
        assert!(secure);
        let file = ExecutableFile { mode: 0o2745, ..file };
        assert_eq!(user(STUDENT).after_exec(&file, None).unwrap().0.gid, Ids::all(STUDENT));
    }

    #[test]
    fn exec_drops_the_saved_root_of_a_user() {
        let mut credentials = Credentials::root();
        credentials.set_real_effective_saved(Kind::User, STUDENT, STUDENT, ROOT).unwrap();
        let (new, _) = credentials.after_exec(&program(0o755), None).unwrap();
        assert_eq!(new.uid, Ids::all(STUDENT));
        assert_eq!(new.capabilities.permitted, 0);
    }

    const BIND: u64 = 1 << capability::NET_BIND_SERVICE;
    const RAW: u64 = 1 << capability::NET_RAW;

    /// Which of e, p, i, a hold NET_BIND_SERVICE, as test_execve's validate_cap checks.
    fn epia(credentials: &Credentials) -> &'static str {
        let sets = &credentials.capabilities;
        let held = [sets.effective, sets.permitted, sets.inheritable, sets.ambient]
            .map(|set| set & BIND != 0);
        match held {
            [false, false, false, false] => "",
            [true, true, false, false] => "ep",
            [false, false, true, false] => "i",
            [false, true, true, false] => "pi",
            [true, true, true, false] => "epi",
            [true, true, true, true] => "epia",
            _ => "other",
        }
    }

    fn exec(credentials: &Credentials, file: ExecutableFile) -> Credentials {
        credentials.after_exec(&file, None).unwrap().0
    }

    /// `uid` with NET_BIND_SERVICE in I (and in A with `ambient`), kept from root the way
    /// test_execve does it: KEEP_CAPS, then setresuid.
    fn holding(uid: Id, ambient: bool) -> Credentials {
        let mut credentials = Credentials::root();
        credentials.securebits |= securebits::KEEP_CAPS;
        credentials.set_real_effective_saved(Kind::User, uid, uid, uid).unwrap();
        let sets = &mut credentials.capabilities;
        sets.inheritable = BIND;
        sets.ambient = if ambient { BIND } else { 0 };
        credentials
    }

    #[test]
    fn test_execve_plain_program_cases() {
        let plain = program(0o755);
        assert_eq!(epia(&exec(&Credentials::root(), plain)), "ep");
        assert_eq!(epia(&exec(&user(1), plain)), "");
        let mut root_inheritable = Credentials::root();
        root_inheritable.capabilities.inheritable = BIND;
        assert_eq!(epia(&exec(&root_inheritable, plain)), "epi");
        assert_eq!(epia(&exec(&holding(1, false), plain)), "i");
        assert_eq!(epia(&exec(&holding(1, true), plain)), "epia");
        root_inheritable.capabilities.ambient = BIND;
        assert_eq!(epia(&exec(&root_inheritable, plain)), "epia");
        // A user's ambient set is its whole permitted and effective set after the exec.
        let new = exec(&holding(1, true), plain);
        assert_eq!((new.capabilities.permitted, new.capabilities.effective), (BIND, BIND));
        assert_eq!(epia(&exec(&new, plain)), "epia", "and passes on to its own children");
    }

    #[test]
    fn test_execve_set_id_cases() {
        let mut root = Credentials::root();
        root.capabilities.inheritable = BIND;
        root.capabilities.ambient = BIND;
        let owned = |uid, gid, mode| ExecutableFile { uid, gid, mode };
        assert_eq!(epia(&exec(&root, owned(ROOT, ROOT, 0o4755))), "epia", "setuid root");
        assert_eq!(epia(&exec(&root, owned(1, ROOT, 0o4755))), "pi", "setuid to uid 1");
        assert_eq!(epia(&exec(&root, owned(ROOT, ROOT, 0o2755))), "epia", "setgid group 0");
        let mut root_gid_1 = root;
        root_gid_1.set_real_effective_saved(Kind::Group, 1, 1, 1).unwrap();
        assert_eq!(epia(&exec(&root_gid_1, owned(ROOT, ROOT, 0o2755))), "epi");
        assert_eq!(epia(&exec(&root, owned(ROOT, 1, 0o2755))), "epi", "setgid other group");
        let user = holding(1, true);
        assert_eq!(epia(&exec(&user, owned(ROOT, 1, 0o2755))), "i", "setgid other group");
        let mut user_gid_1 = holding(ROOT, true);
        user_gid_1.set_real_effective_saved(Kind::Group, 1, 1, 1).unwrap();
        user_gid_1.set_real_effective_saved(Kind::User, 1, 1, 1).unwrap();
        user_gid_1.capabilities.ambient = BIND;
        assert_eq!(epia(&exec(&user_gid_1, owned(ROOT, ROOT, 0o2755))), "i", "setgid group 0");
    }

    #[test]
    fn file_capabilities_grant_through_bounding_and_inheritable() {
        let syslog = 1 << capability::SYSLOG;
        let record = FileCapabilities { permitted: syslog, inheritable: BIND, effective: true };
        let mut student = holding(STUDENT, true);
        let (new, secure) = student.after_exec(&program(0o755), Some(&record)).unwrap();
        assert_eq!(new.capabilities.permitted, syslog | BIND, "(X & fP) | (I & fI)");
        assert_eq!(new.capabilities.effective, syslog | BIND, "fE");
        assert_eq!(new.capabilities.ambient, 0, "a file with capabilities clears ambient");
        assert!(secure);
        // An empty record is still a record: ambient goes.
        let empty = FileCapabilities { permitted: 0, inheritable: 0, effective: false };
        let new = student.after_exec(&program(0o755), Some(&empty)).unwrap().0;
        assert_eq!(epia(&new), "i");
        // fE with an fP bit the bounding set lacks: the program would run without it.
        student.capabilities.bounding &= !syslog;
        assert_eq!(student.after_exec(&program(0o755), Some(&record)), Err(Errno::EPERM));
        let quiet = FileCapabilities { effective: false, ..record };
        let new = student.after_exec(&program(0o755), Some(&quiet)).unwrap().0;
        assert_eq!((new.capabilities.permitted, new.capabilities.effective), (BIND, 0));
    }

    #[test]
    fn setuid_root_with_file_capabilities_gets_only_the_files() {
        let record = FileCapabilities { permitted: RAW, inheritable: 0, effective: true };
        let new = user(STUDENT).after_exec(&program(0o4755), Some(&record)).unwrap().0;
        assert_eq!(new.uid.effective, ROOT);
        assert_eq!((new.capabilities.permitted, new.capabilities.effective), (RAW, RAW));
        // Run by root itself, the root rule applies as usual.
        let new = Credentials::root().after_exec(&program(0o4755), Some(&record)).unwrap().0;
        assert_eq!(new.capabilities.permitted, capability::ALL);
    }

    #[test]
    fn noroot_takes_roots_capabilities_away_at_exec() {
        let mut root = Credentials::root();
        root.securebits = securebits::NOROOT | securebits::NOROOT_LOCKED;
        let new = exec(&root, program(0o755));
        assert_eq!(new.uid, Ids::all(ROOT));
        assert_eq!((new.capabilities.permitted, new.capabilities.effective), (0, 0));
        assert_eq!(new.securebits, root.securebits, "kept across exec");
        let record = FileCapabilities { permitted: RAW, inheritable: 0, effective: true };
        let new = root.after_exec(&program(0o755), Some(&record)).unwrap().0;
        assert_eq!(new.capabilities.permitted, RAW, "file capabilities still work");
    }

    #[test]
    fn no_new_privs_disables_file_capabilities_and_set_id() {
        let mut student = holding(STUDENT, true);
        student.capabilities.permitted = BIND;
        student.no_new_privs = true;
        let record = FileCapabilities { permitted: RAW, inheritable: 0, effective: false };
        let new = student.after_exec(&program(0o4755), Some(&record)).unwrap().0;
        assert_eq!(new.uid, Ids::all(STUDENT));
        assert_eq!(new.capabilities.permitted & RAW, 0, "P' is masked to the old P");
        assert_eq!(new.capabilities.ambient, 0, "the record still clears ambient");
        assert!(new.no_new_privs);
        // A plain program still receives ambient under no_new_privs.
        assert_eq!(epia(&exec(&student, program(0o755))), "epia");
    }

    #[test]
    fn keep_caps_is_cleared_by_exec_and_its_lock_is_not() {
        let mut root = Credentials::root();
        root.securebits = securebits::KEEP_CAPS | securebits::KEEP_CAPS_LOCKED;
        assert_eq!(exec(&root, program(0o755)).securebits, securebits::KEEP_CAPS_LOCKED);
    }

    #[test]
    fn keep_caps_keeps_permitted_but_not_ambient_across_setuid() {
        let mut root = Credentials::root();
        root.capabilities.inheritable = BIND;
        root.capabilities.ambient = BIND;
        root.securebits = securebits::KEEP_CAPS;
        let mut kept = root;
        kept.set_real_effective_saved(Kind::User, 1, 1, 1).unwrap();
        assert_eq!(kept.capabilities.permitted, capability::ALL);
        assert_eq!((kept.capabilities.effective, kept.capabilities.ambient), (0, 0));
        root.securebits = securebits::NO_SETUID_FIXUP;
        let mut untouched = root;
        untouched.set_id(Kind::User, 1).unwrap();
        assert_eq!(untouched.capabilities, root.capabilities, "no fix-up at all");
    }

    #[test]
    fn capabilities_not_uid_0_decide_privilege() {
        let mut root = Credentials::root();
        root.capabilities.effective &= !(1 << capability::SETUID);
        assert!(!root.privileged(Kind::User) && root.privileged(Kind::Group));
        assert_eq!(root.clone().set_id(Kind::User, STUDENT), Err(Errno::EPERM));
        root.capabilities.effective &= !(1 << capability::KILL);
        assert!(!root.may_signal(&user(STUDENT)), "uid 0 without CAP_KILL");
        let mut killer = holding(STUDENT, false);
        killer.capabilities.effective = 1 << capability::KILL;
        assert!(killer.may_signal(&user(NOBODY)));
        assert!(killer.may_signal(&Credentials::root()));
    }

    #[test]
    fn file_capabilities_stop_at_the_last_capability() {
        let valid = FileCapabilities { permitted: 1 << 40, inheritable: 1, effective: true };
        assert!(valid.is_valid());
        assert!(!FileCapabilities { permitted: 1 << 41, ..valid }.is_valid());
        assert!(!FileCapabilities { inheritable: 1 << 63, ..valid }.is_valid());
    }

    #[test]
    fn execute_permission_by_class() {
        let root = Credentials::root();
        assert!(root.may_execute(&program(0o100)));
        assert!(!root.may_execute(&program(0o644)), "root needs some execute bit");
        let student = user(STUDENT);
        assert!(student.may_execute(&program(0o755)));
        assert!(!student.may_execute(&program(0o750)));
        assert!(!student.may_execute(&program(0o644)));
        let own = ExecutableFile { uid: STUDENT, gid: ROOT, mode: 0o701 };
        assert!(student.may_execute(&own));
        let own = ExecutableFile { uid: STUDENT, gid: ROOT, mode: 0o071 };
        assert!(!student.may_execute(&own), "the owner class decides, not the others'");
        let group = ExecutableFile { uid: ROOT, gid: STUDENT, mode: 0o010 };
        assert!(student.may_execute(&group));
    }
}
