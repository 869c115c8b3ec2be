//! The user database the programs share, as `/etc/passwd` and `/etc/group` would hold it.

/// One user, with its primary group of the same id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct User {
    /// The login name.
    pub name: &'static str,
    /// Its uid.
    pub uid: u32,
    /// Its primary gid.
    pub gid: u32,
    /// The name of that group.
    pub group: &'static str,
}

/// Every user: root, the unprivileged `student`, and `nobody` (Debian's uid and group).
pub const USERS: &[User] = &[
    User { name: "root", uid: 0, gid: 0, group: "root" },
    User { name: "student", uid: 1000, gid: 1000, group: "student" },
    User { name: "nobody", uid: 65534, gid: 65534, group: "nogroup" },
];

/// The user with `uid`.
pub fn by_uid(uid: u32) -> Option<&'static User> {
    USERS.iter().find(|user| user.uid == uid)
}

/// The user called `name`.
pub fn by_name(name: &str) -> Option<&'static User> {
    USERS.iter().find(|user| user.name == name)
}

/// The name of group `gid`.
pub fn group_name(gid: u32) -> Option<&'static str> {
    USERS.iter().find(|user| user.gid == gid).map(|user| user.group)
}

/// Writes `id NUMBER(NAME)` the way coreutils' `id` does: the name in parentheses only when
/// the database has one.
pub fn write_id(
    out: &mut impl core::fmt::Write,
    label: &str,
    id: u32,
    name: Option<&str>,
) -> core::fmt::Result {
    write!(out, "{label}={id}")?;
    match name {
        Some(name) => write!(out, "({name})"),
        None => Ok(()),
    }
}
