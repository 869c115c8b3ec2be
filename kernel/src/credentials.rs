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
//! `/proc/self/status` shows them. An unprivileged process may only move between its own
//! ids; a privileged one may take any. Whether a process is privileged for a change is
//! decided in one place, [`Credentials::privileged`]: root's effective uid for now, the
//! CAP_SETUID and CAP_SETGID capabilities once the kernel checks capabilities. The rules are
//! Linux's (kernel/sys.c for the ids, security/commoncap.c for the capability fix-ups after
//! a uid change and across `execve`); every failure is EPERM, an id of -1 where a real id is
//! needed EINVAL.

use crate::errno::Errno;
use swpan_abi::capability;

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

/// What the program file being executed carries: its owner and set-id bits (the file
/// capability record the program table also holds is not applied yet).
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
    /// PR_SET_NO_NEW_PRIVS (kept at 0 until prctl exists).
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
            no_new_privs: false,
        }
    }

    /// Whether the process may set its `kind` ids to any value: root's effective uid for now
    /// (CAP_SETUID or CAP_SETGID in the effective set once capabilities are checked).
    pub fn privileged(&self, kind: Kind) -> bool {
        let _ = kind;
        self.uid.effective == ROOT
    }

    /// Linux's rule for `kill` (kernel/signal.c, `kill_ok_by_cred`): a process may signal a
    /// target whose real or saved uid equals its own real or effective uid, or any target
    /// with CAP_KILL (here, as for the other privileges until capabilities gate them: an
    /// effective uid of 0).
    pub fn may_signal(&self, target: &Credentials) -> bool {
        let (sender, target) = (&self.uid, &target.uid);
        [sender.real, sender.effective].iter().any(|id| *id == target.real || *id == target.saved)
            || self.uid.effective == ROOT
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

    /// Linux's capability fix-up after a uid change (`cap_emulate_setxuid`): leaving root for
    /// good drops the permitted, effective and ambient sets; an effective uid that leaves 0
    /// drops the effective set, one that becomes 0 regains the permitted set.
    fn fix_capabilities_after(&mut self, kind: Kind, old: &Credentials) {
        if kind != Kind::User {
            return;
        }
        let sets = &mut self.capabilities;
        let was_root = old.uid.real == ROOT || old.uid.effective == ROOT || old.uid.saved == ROOT;
        let is_root = self.uid.real == ROOT || self.uid.effective == ROOT || self.uid.saved == ROOT;
        if was_root && !is_root {
            sets.permitted = 0;
            sets.effective = 0;
            sets.ambient = 0;
        }
        if old.uid.effective == ROOT && self.uid.effective != ROOT {
            sets.effective = 0;
        }
        if old.uid.effective != ROOT && self.uid.effective == ROOT {
            sets.effective = sets.permitted;
        }
    }

    /// The credentials after `execve` of `file`, and whether the new program runs "secure"
    /// (AT_SECURE: it has privileges its invoker did not give it). Set-id bits change the
    /// effective ids (not under no_new_privs); root's rule then grants the bounding and
    /// inheritable sets to a process with uid 0; the saved and fs ids follow the effective
    /// ones (`bprm_fill_uid`, `cap_bprm_set_creds`).
    pub fn after_exec(&self, file: &ExecutableFile) -> (Credentials, bool) {
        let mut new = *self;
        if !self.no_new_privs {
            if file.mode & SET_UID != 0 {
                new.uid.effective = file.uid;
            }
            if file.mode & SET_GID != 0 && file.mode & 0o010 != 0 {
                new.gid.effective = file.gid;
            }
        }
        let is_setid = new.uid.effective != self.uid.real || new.gid.effective != self.gid.real;
        let sets = &mut new.capabilities;
        let ambient = if is_setid { 0 } else { sets.ambient };
        let mut permitted = ambient;
        let mut file_effective = false;
        if new.uid.effective == ROOT || new.uid.real == ROOT {
            permitted = sets.bounding | sets.inheritable;
            file_effective = new.uid.effective == ROOT;
        }
        sets.ambient = ambient;
        sets.permitted = permitted;
        sets.effective = if file_effective { permitted } else { ambient };
        new.uid.saved = new.uid.effective;
        new.uid.fs = new.uid.effective;
        new.gid.saved = new.gid.effective;
        new.gid.fs = new.gid.effective;
        let secure = if new.uid.real != ROOT && (file_effective || permitted & !ambient != 0) {
            true
        } else {
            new.uid.effective != new.uid.real || new.gid.effective != new.gid.real
        };
        (new, secure)
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
        let mut student = Credentials::root();
        student.uid = Ids::all(1000);
        let mut nobody = Credentials::root();
        nobody.uid = Ids::all(65534);
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
        let (root, secure) = Credentials::root().after_exec(&program(0o755));
        assert_eq!(root, Credentials::root());
        assert!(!secure);
        let (student, secure) = user(STUDENT).after_exec(&program(0o755));
        assert_eq!(student, user(STUDENT));
        assert!(!secure);
    }

    #[test]
    fn exec_of_a_setuid_root_program_grants_root_and_is_secure() {
        let (new, secure) = user(STUDENT).after_exec(&program(0o4755));
        assert_eq!(new.uid, Ids { real: STUDENT, effective: ROOT, saved: ROOT, fs: ROOT });
        assert_eq!(new.capabilities.permitted, capability::ALL);
        assert_eq!(new.capabilities.effective, capability::ALL);
        assert!(secure);
        let mut no_new_privs = user(STUDENT);
        no_new_privs.no_new_privs = true;
        let (new, secure) = no_new_privs.after_exec(&program(0o4755));
        assert_eq!(new.uid, Ids::all(STUDENT));
        assert!(!secure);
    }

    #[test]
    fn exec_of_a_setgid_program_needs_the_group_execute_bit() {
        let file = ExecutableFile { uid: ROOT, gid: 5, mode: 0o2755 };
        let (new, secure) = user(STUDENT).after_exec(&file);
        assert_eq!(new.gid, Ids { real: STUDENT, effective: 5, saved: 5, fs: 5 });
        assert!(secure);
        let file = ExecutableFile { mode: 0o2745, ..file };
        assert_eq!(user(STUDENT).after_exec(&file).0.gid, Ids::all(STUDENT));
    }

    #[test]
    fn exec_drops_the_saved_root_of_a_user() {
        let mut credentials = Credentials::root();
        credentials.set_real_effective_saved(Kind::User, STUDENT, STUDENT, ROOT).unwrap();
        let (new, _) = credentials.after_exec(&program(0o755));
        assert_eq!(new.uid, Ids::all(STUDENT));
        assert_eq!(new.capabilities.permitted, 0);
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
