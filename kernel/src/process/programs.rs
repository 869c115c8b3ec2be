//! The user programs embedded in the kernel image, built from `user/` by build.rs.

/// An embedded user program.
pub struct Program {
    /// Its name, as `spawn` takes it.
    pub name: &'static str,
    /// Its ELF image.
    pub image: &'static [u8],
}

macro_rules! programs {
    ($($name:literal => $variable:literal),* $(,)?) => {
        /// Every embedded program.
        pub static PROGRAMS: &[Program] = &[
            $(Program { name: $name, image: include_bytes!(env!($variable)) },)*
        ];
    };
}

programs! {
    "badptr" => "SWPAN_USER_BADPTR",
    "bench" => "SWPAN_USER_BENCH",
    "fuzz" => "SWPAN_USER_FUZZ",
    "provoke" => "SWPAN_USER_PROVOKE",
    "shell" => "SWPAN_USER_SHELL",
    "tour" => "SWPAN_USER_TOUR",
    "true" => "SWPAN_USER_TRUE",
    "usertest" => "SWPAN_USER_USERTEST",
}

/// The program called `name`.
pub fn find(name: &str) -> Option<&'static Program> {
    PROGRAMS.iter().find(|program| program.name == name)
}
