//! Decoding the Domain Access Control Register: two bits per domain, domain `n` in bits
//! `[2n+1:2n]`, `00` No access, `01` Client, `10` reserved, `11` Manager.

use crate::domain::Domain;

/// What the DACR gives one domain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DomainAccess {
    /// `00`: every access faults with a domain fault, before any permission check.
    NoAccess,
    /// `01`: accesses are checked against the descriptors' permissions.
    Client,
    /// `10`: reserved by the architecture.
    Reserved,
    /// `11`: accesses are not checked at all.
    Manager,
}

impl DomainAccess {
    /// The name the ARM ARM and the kernel use for it.
    pub fn name(self) -> &'static str {
        match self {
            DomainAccess::NoAccess => "No access",
            DomainAccess::Client => "Client",
            DomainAccess::Reserved => "reserved",
            DomainAccess::Manager => "Manager",
        }
    }

    /// The access whose name is `name`.
    pub fn from_name(name: &str) -> Option<DomainAccess> {
        [
            DomainAccess::NoAccess,
            DomainAccess::Client,
            DomainAccess::Reserved,
            DomainAccess::Manager,
        ]
        .into_iter()
        .find(|access| access.name() == name)
    }
}

/// A DACR value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dacr(pub u32);

impl Dacr {
    /// The kernel's DACR in kernel mode with the uaccess window closed (`DACR_KERNEL`): the
    /// user domain No access, the other three Client.
    pub const KERNEL_MODE: Dacr = Dacr(0x51);

    /// What this value gives `domain`.
    pub fn access(self, domain: Domain) -> DomainAccess {
        match (self.0 >> (2 * domain.number())) & 0b11 {
            0b00 => DomainAccess::NoAccess,
            0b01 => DomainAccess::Client,
            0b10 => DomainAccess::Reserved,
            _ => DomainAccess::Manager,
        }
    }

    /// The value as the kernel prints it: `0x51`.
    pub fn text(self) -> String {
        format!("{:#04x}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(value: u32) -> Vec<&'static str> {
        Domain::ALL.iter().map(|&domain| Dacr(value).access(domain).name()).collect()
    }

    #[test]
    fn the_kernel_values_decode_as_documented() {
        // 0x51 = 0b01_01_00_01: VECTORS, IO and KERNEL Client, USER (bits 3:2) No access.
        assert_eq!(decoded(0x51), ["Client", "No access", "Client", "Client"]);
        assert_eq!(decoded(0x55), ["Client", "Client", "Client", "Client"]);
    }

    #[test]
    fn each_two_bit_field_is_read_on_its_own() {
        // KERNEL 11, USER 10, IO 00, VECTORS 01: bits 0b01_00_10_11.
        assert_eq!(decoded(0x4b), ["Manager", "reserved", "No access", "Client"]);
        assert_eq!(Dacr(0x4b).text(), "0x4b");
        assert_eq!(Dacr(0x5).text(), "0x05");
    }

    #[test]
    fn names_read_back() {
        for name in ["No access", "Client", "reserved", "Manager"] {
            assert_eq!(DomainAccess::from_name(name).map(DomainAccess::name), Some(name));
        }
        assert_eq!(DomainAccess::from_name("client"), None);
    }
}
