//! swpan's four MMU domains: their numbers and names, as the kernel's `domain.rs` defines
//! them and its ptdump prints them.

/// An MMU domain the kernel puts mappings in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Domain {
    /// Domain 0: the kernel's RAM and image.
    Kernel,
    /// Domain 1: every user page; No access in kernel mode outside a uaccess window.
    User,
    /// Domain 2: the devices.
    Io,
    /// Domain 3: the exception vector page.
    Vectors,
}

impl Domain {
    /// Every domain, in number order.
    pub const ALL: [Domain; 4] = [Domain::Kernel, Domain::User, Domain::Io, Domain::Vectors];

    /// The domain's number, as in a first-level descriptor and the DACR.
    pub fn number(self) -> u32 {
        match self {
            Domain::Kernel => 0,
            Domain::User => 1,
            Domain::Io => 2,
            Domain::Vectors => 3,
        }
    }

    /// The name the kernel prints for it.
    pub fn name(self) -> &'static str {
        match self {
            Domain::Kernel => "KERNEL",
            Domain::User => "USER",
            Domain::Io => "IO",
            Domain::Vectors => "VECTORS",
        }
    }

    /// The domain with `number`, if the kernel has one.
    pub fn from_number(number: u32) -> Option<Domain> {
        Domain::ALL.into_iter().find(|domain| domain.number() == number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names_match_the_kernel() {
        let named: Vec<(u32, &str)> =
            Domain::ALL.iter().map(|domain| (domain.number(), domain.name())).collect();
        assert_eq!(named, [(0, "KERNEL"), (1, "USER"), (2, "IO"), (3, "VECTORS")]);
        assert_eq!(Domain::from_number(2), Some(Domain::Io));
        assert_eq!(Domain::from_number(4), None);
    }
}
