//! MMU domains and the values of the Domain Access Control Register (DACR).
//!
//! The DACR gives each of the 16 domains two bits (ARM ARM B4.1.43): 0b00 No access (every
//! access is a domain fault, checked before any permission bit), 0b01 Client (the
//! descriptor's AP/XN/PXN bits are checked), 0b11 Manager (nothing is checked). The kernel uses
//! four domains, numbered as Linux numbers them, and never the Manager value.
//!
//! | domain | kernel mode, window closed | window open, and user mode |
//! |---|---|---|
//! | [`KERNEL`] 0 | Client | Client |
//! | [`USER`] 1 | **No access** | Client |
//! | [`IO`] 2 | Client | Client |
//! | [`VECTORS`] 3 | Client | Client |
//!
//! Pure logic, unit-tested on the host.

/// A domain number (0..16), the value in bits [8:5] of a first-level descriptor.
pub type Domain = u32;

/// The kernel's code and data.
pub const KERNEL: Domain = 0;
/// Every user page, and nothing else.
pub const USER: Domain = 1;
/// Device registers.
pub const IO: Domain = 2;
/// The exception vector page.
pub const VECTORS: Domain = 3;

/// The name the kernel prints for `domain` (in ptdump and the tour): `KERNEL`, `USER`, `IO` or
/// `VECTORS`, and `?` for a domain the kernel does not use.
pub const fn name(domain: Domain) -> &'static str {
    match domain {
        KERNEL => "KERNEL",
        USER => "USER",
        IO => "IO",
        VECTORS => "VECTORS",
        _ => "?",
    }
}

/// The DACR of kernel mode outside any window, for a boot with emulated PAN on or off: the
/// one place it is derived. With PAN the user domain is No access (DACR_KERNEL); without it the
/// DACR never changes and is DACR_USER in kernel mode too.
pub const fn kernel_mode_dacr(pan: bool) -> u32 {
    if pan { DACR_KERNEL } else { DACR_USER }
}

/// What a domain allows, as its two DACR bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DomainAccess {
    /// 0b00: any access faults with a domain fault.
    NoAccess = 0b00,
    /// 0b01: accesses are checked against the descriptor's permissions.
    Client = 0b01,
    /// 0b10: reserved by the architecture; behaves as No access.
    Reserved = 0b10,
    /// 0b11: accesses are not checked at all. Never used by this kernel.
    Manager = 0b11,
}

impl DomainAccess {
    /// The ARM ARM's name for the access, as the kernel prints it: `No access`, `Client`,
    /// `reserved` or `Manager`.
    pub const fn name(self) -> &'static str {
        match self {
            DomainAccess::NoAccess => "No access",
            DomainAccess::Client => "Client",
            DomainAccess::Reserved => "reserved",
            DomainAccess::Manager => "Manager",
        }
    }

    const fn from_bits(bits: u32) -> DomainAccess {
        match bits & 0b11 {
            0b00 => DomainAccess::NoAccess,
            0b01 => DomainAccess::Client,
            0b10 => DomainAccess::Reserved,
            _ => DomainAccess::Manager,
        }
    }
}

/// The DACR bits that give `domain` the access `access`.
pub const fn domain_bits(domain: Domain, access: DomainAccess) -> u32 {
    (access as u32) << (2 * domain)
}

/// The access the DACR value `dacr` gives `domain`.
pub const fn access_of(dacr: u32, domain: Domain) -> DomainAccess {
    DomainAccess::from_bits(dacr >> (2 * domain))
}

/// Kernel mode with the user-access window closed: user memory is out of reach (0x51).
/// Linux calls the same value DACR_UACCESS_DISABLE.
pub const DACR_KERNEL: u32 = domain_bits(KERNEL, DomainAccess::Client)
    | domain_bits(USER, DomainAccess::NoAccess)
    | domain_bits(IO, DomainAccess::Client)
    | domain_bits(VECTORS, DomainAccess::Client);

/// User mode, and kernel mode with the window open: the user domain is Client (0x55).
/// Linux calls it DACR_UACCESS_ENABLE.
pub const DACR_USER: u32 = DACR_KERNEL | domain_bits(USER, DomainAccess::Client);

/// What the window opening sets in the DACR: the user domain's Client bit. Opening is an OR
/// because the kernel never gives the user domain any other value than No access or Client.
pub const USER_CLIENT_BIT: u32 = domain_bits(USER, DomainAccess::Client);

/// True when `dacr` has the user-access window open (the user domain is Client).
pub const fn window_open(dacr: u32) -> bool {
    matches!(access_of(dacr, USER), DomainAccess::Client)
}

/// True when no domain in `dacr` is Manager, the value that would switch off every permission
/// check in its domain.
pub const fn has_no_manager(dacr: u32) -> bool {
    let mut domain = 0;
    while domain < 16 {
        if matches!(access_of(dacr, domain), DomainAccess::Manager) {
            return false;
        }
        domain += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kernel_mode_dacr_follows_pan() {
        assert_eq!(kernel_mode_dacr(true), 0x51);
        assert_eq!(kernel_mode_dacr(false), 0x55);
    }

    #[test]
    fn values_match_linux() {
        // arch/arm/include/asm/domain.h: DACR_UACCESS_DISABLE = 0x51, ENABLE = 0x55.
        assert_eq!(DACR_KERNEL, 0x51);
        assert_eq!(DACR_USER, 0x55);
        assert_eq!(USER_CLIENT_BIT, 0x04);
        assert_eq!(DACR_KERNEL | USER_CLIENT_BIT, DACR_USER);
    }

    #[test]
    fn per_domain_access() {
        assert_eq!(access_of(DACR_KERNEL, USER), DomainAccess::NoAccess);
        assert_eq!(access_of(DACR_USER, USER), DomainAccess::Client);
        for domain in [KERNEL, IO, VECTORS] {
            assert_eq!(access_of(DACR_KERNEL, domain), DomainAccess::Client);
            assert_eq!(access_of(DACR_USER, domain), DomainAccess::Client);
        }
        assert_eq!(access_of(DACR_KERNEL, 7), DomainAccess::NoAccess);
        assert!(!window_open(DACR_KERNEL));
        assert!(window_open(DACR_USER));
        // The reserved value is not Client: it faults.
        assert!(!window_open(domain_bits(USER, DomainAccess::Reserved)));
    }

    #[test]
    fn names_as_printed() {
        let names = [KERNEL, USER, IO, VECTORS, 4, 15].map(name);
        assert_eq!(names, ["KERNEL", "USER", "IO", "VECTORS", "?", "?"]);
        // Each two-bit field of 0b11_10_01_00 read on its own: domains 0 to 3.
        let accesses = [0, 1, 2, 3].map(|domain| access_of(0b11_10_01_00, domain).name());
        assert_eq!(accesses, ["No access", "Client", "reserved", "Manager"]);
    }

    #[test]
    fn no_manager_anywhere() {
        assert!(has_no_manager(DACR_KERNEL));
        assert!(has_no_manager(DACR_USER));
        assert!(!has_no_manager(0xFFFF_FFFF));
        assert!(!has_no_manager(domain_bits(15, DomainAccess::Manager)));
    }
}
