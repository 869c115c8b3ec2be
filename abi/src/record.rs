//! Records: the fixed-layout structures that cross between kernel and user memory, as bytes.
//!
//! A user program hands the kernel the address of a record (`wait`'s [`ExitInfo`],
//! `uaccess_report`'s [`DacrReport`]); the kernel fills in a value of its own and copies its
//! bytes there with one typed routine (`copy_record_to_user`). For the bytes the kernel
//! writes to be exactly the value the program then reads, a record is:
//!
//! | property | why | enforced by |
//! |---|---|---|
//! | `#[repr(C)]` | both sides agree on every field's offset | `record_struct!` adds it |
//! | no padding | the bytes are the fields and nothing else, none undefined | a compile-time assertion ([`fills_exactly`]) |
//! | every byte pattern a value | any bytes read back make a valid record | fields are integers or arrays of them (`Field`) |
//!
//! The [`Record`] trait is sealed: only `record_struct!` (private to this crate) implements
//! it, so every record passed those checks. Its byte image is built field by field at each
//! field's `offset_of!`, in native byte order, so no `unsafe` is needed to view a record as
//! bytes. Like zerocopy's `IntoBytes` and `FromBytes`, without the pointer casts.
//!
//! [`ExitInfo`]: crate::ExitInfo
//! [`DacrReport`]: crate::DacrReport

/// A fixed-layout value that crosses between kernel and user memory as its bytes.
///
/// Only this crate's records implement it: a type outside it cannot, padding or not.
///
/// ```compile_fail,E0277
/// #[derive(Clone, Copy)]
/// struct Mine(u32);
///
/// impl swpan_abi::Record for Mine {
///     type Bytes = [u8; 4];
///     fn to_bytes(&self) -> [u8; 4] {
///         self.0.to_ne_bytes()
///     }
///     fn from_bytes(bytes: &[u8; 4]) -> Mine {
///         Mine(u32::from_ne_bytes(*bytes))
///     }
/// }
/// ```
pub trait Record: Copy + sealed::Sealed {
    /// The record's bytes: an array of exactly `size_of::<Self>()` bytes.
    type Bytes: AsRef<[u8]> + AsMut<[u8]>;

    /// The bytes of this record as they lie in memory: each field at its offset, in native
    /// byte order.
    fn to_bytes(&self) -> Self::Bytes;

    /// The record these bytes hold. Every byte array of the record's size is one.
    fn from_bytes(bytes: &Self::Bytes) -> Self;
}

/// Whether fields of `field_sizes` bytes fill a `#[repr(C)]` struct of `size` bytes exactly,
/// that is, whether the struct has no padding. Every record asserts it at compile time, so a
/// struct with a hole cannot become one:
///
/// ```compile_fail,E0080
/// #[repr(C)]
/// struct Padded {
///     tag: u8,
///     value: u32,
/// }
///
/// const _: () = assert!(swpan_abi::record::fills_exactly(
///     size_of::<Padded>(),
///     &[size_of::<u8>(), size_of::<u32>()],
/// ));
/// ```
pub const fn fills_exactly(size: usize, field_sizes: &[usize]) -> bool {
    let mut total = 0;
    let mut index = 0;
    while index < field_sizes.len() {
        total += field_sizes[index];
        index += 1;
    }
    total == size
}

/// The seal: what a record is made of, out of reach of other crates.
pub(crate) mod sealed {
    /// Implemented by [`Record`](super::Record)s only.
    pub trait Sealed {}

    /// A record's field: an integer or an array of fields. Every bit pattern of one is a
    /// value, and it has no padding of its own.
    pub trait Field: Copy {
        /// Writes the field's bytes (native byte order) into `bytes`, exactly its size.
        fn write(&self, bytes: &mut [u8]);

        /// The field these bytes (exactly its size) hold.
        fn read(bytes: &[u8]) -> Self;
    }

    macro_rules! integer_fields {
        ($($type:ty),*) => {$(
            impl Field for $type {
                fn write(&self, bytes: &mut [u8]) {
                    bytes.copy_from_slice(&self.to_ne_bytes());
                }

                fn read(bytes: &[u8]) -> Self {
                    let mut image = [0; core::mem::size_of::<$type>()];
                    image.copy_from_slice(bytes);
                    <$type>::from_ne_bytes(image)
                }
            }
        )*};
    }
    integer_fields!(u8, u16, u32, i32, u64);

    impl<F: Field, const N: usize> Field for [F; N] {
        fn write(&self, bytes: &mut [u8]) {
            let size = core::mem::size_of::<F>();
            for (chunk, element) in bytes.chunks_exact_mut(size).zip(self) {
                element.write(chunk);
            }
        }

        fn read(bytes: &[u8]) -> Self {
            let size = core::mem::size_of::<F>();
            core::array::from_fn(|index| F::read(&bytes[index * size..][..size]))
        }
    }
}

/// Defines a record: the struct as written, made `#[repr(C)]`, with a compile-time assertion
/// that its fields fill it exactly and the [`Record`] implementation that writes and reads
/// each field at its offset. Every field must be `pub` and a `Field`.
macro_rules! record_struct {
    (
        $(#[$attribute:meta])*
        pub struct $name:ident {
            $($(#[$field_attribute:meta])* pub $field:ident: $type:ty,)*
        }
    ) => {
        $(#[$attribute])*
        #[repr(C)]
        pub struct $name {
            $($(#[$field_attribute])* pub $field: $type,)*
        }

        const _: () = assert!(
            $crate::record::fills_exactly(
                core::mem::size_of::<$name>(),
                &[$(core::mem::size_of::<$type>()),*],
            ),
            concat!("the record ", stringify!($name), " has padding"),
        );

        impl $crate::record::sealed::Sealed for $name {}

        impl $crate::record::Record for $name {
            type Bytes = [u8; core::mem::size_of::<$name>()];

            fn to_bytes(&self) -> Self::Bytes {
                let mut bytes = [0; core::mem::size_of::<$name>()];
                $(
                    $crate::record::sealed::Field::write(
                        &self.$field,
                        &mut bytes[core::mem::offset_of!($name, $field)..]
                            [..core::mem::size_of::<$type>()],
                    );
                )*
                bytes
            }

            fn from_bytes(bytes: &Self::Bytes) -> Self {
                $name {
                    $($field: <$type as $crate::record::sealed::Field>::read(
                        &bytes[core::mem::offset_of!($name, $field)..]
                            [..core::mem::size_of::<$type>()],
                    ),)*
                }
            }
        }
    };
}

pub(crate) use record_struct;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_is_detected() {
        #[repr(C)]
        struct Padded {
            _tag: u8,
            _value: u32,
        }
        assert!(!fills_exactly(core::mem::size_of::<Padded>(), &[1, 4]));
        assert!(fills_exactly(8, &[4, 4]));
        assert!(fills_exactly(0, &[]));
    }

    #[test]
    fn arrays_of_fields_round_trip() {
        let words: [u32; 3] = [1, 0x0203_0405, u32::MAX];
        let mut bytes = [0u8; 12];
        sealed::Field::write(&words, &mut bytes);
        assert_eq!(bytes[4..8], 0x0203_0405u32.to_ne_bytes());
        assert_eq!(<[u32; 3] as sealed::Field>::read(&bytes), words);
    }
}
