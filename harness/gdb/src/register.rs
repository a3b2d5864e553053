//! Register values as raw bytes, and their explicit decoding.
//!
//! QEMU sends register bytes in the guest's *current* byte order (it swaps
//! per `MSR[LE]`), so the client never guesses: the caller says which
//! [`ByteOrder`] to use.

use crate::error::{GdbError, Result};

/// The byte order in which to read or write a register value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ByteOrder {
    /// Most significant byte first.
    Big,
    /// Least significant byte first.
    Little,
}

/// The raw bytes of one register as the stub sent them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RegisterValue {
    bytes: Vec<u8>,
}

macro_rules! int_codec {
    ($to:ident, $from:ident, $t:ty) => {
        #[doc = concat!("Decodes a value of exactly `size_of::<", stringify!($t), ">()` bytes.")]
        pub fn $to(&self, order: ByteOrder) -> Result<$t> {
            let arr: [u8; size_of::<$t>()] =
                self.bytes
                    .as_slice()
                    .try_into()
                    .map_err(|_| GdbError::RegisterSize {
                        expected: size_of::<$t>(),
                        found: self.bytes.len(),
                    })?;
            Ok(match order {
                ByteOrder::Big => <$t>::from_be_bytes(arr),
                ByteOrder::Little => <$t>::from_le_bytes(arr),
            })
        }

        #[doc = concat!("Encodes a `", stringify!($t), "` in the given order.")]
        pub fn $from(value: $t, order: ByteOrder) -> Self {
            let bytes = match order {
                ByteOrder::Big => value.to_be_bytes(),
                ByteOrder::Little => value.to_le_bytes(),
            };
            RegisterValue {
                bytes: bytes.to_vec(),
            }
        }
    };
}

impl RegisterValue {
    /// Wraps raw bytes.
    pub fn new(bytes: Vec<u8>) -> Self {
        RegisterValue { bytes }
    }

    /// The raw bytes, in the order the stub uses.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Consumes the value, returning its bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// The size in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the value has no bytes.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    int_codec!(to_u32, from_u32, u32);
    int_codec!(to_u64, from_u64, u64);
    int_codec!(to_u128, from_u128, u128);

    /// Encodes the low `size` bytes (at most 16) of `value` in `order`: the
    /// inverse of [`RegisterValue::to_uint`], for registers of any width.
    pub fn from_uint(value: u128, size: usize, order: ByteOrder) -> Result<Self> {
        if size > 16 {
            return Err(GdbError::RegisterSize {
                expected: 16,
                found: size,
            });
        }
        let bytes = match order {
            ByteOrder::Big => value.to_be_bytes()[16 - size..].to_vec(),
            ByteOrder::Little => value.to_le_bytes()[..size].to_vec(),
        };
        Ok(RegisterValue { bytes })
    }

    /// Decodes a value of any size up to 16 bytes, zero-extended.
    pub fn to_uint(&self, order: ByteOrder) -> Result<u128> {
        if self.bytes.len() > 16 {
            return Err(GdbError::RegisterSize {
                expected: 16,
                found: self.bytes.len(),
            });
        }
        let fold = |acc: u128, b: &u8| acc << 8 | u128::from(*b);
        Ok(match order {
            ByteOrder::Big => self.bytes.iter().fold(0, fold),
            ByteOrder::Little => self.bytes.iter().rev().fold(0, fold),
        })
    }
}

impl AsRef<[u8]> for RegisterValue {
    fn as_ref(&self) -> &[u8] {
        &self.bytes
    }
}

impl From<Vec<u8>> for RegisterValue {
    fn from(bytes: Vec<u8>) -> Self {
        RegisterValue { bytes }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_uint_is_the_inverse_of_to_uint() {
        for order in [ByteOrder::Big, ByteOrder::Little] {
            for size in [1usize, 4, 8, 16] {
                let v = 0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10u128;
                let mask = if size == 16 {
                    u128::MAX
                } else {
                    (1u128 << (8 * size)) - 1
                };
                let r = RegisterValue::from_uint(v, size, order).unwrap();
                assert_eq!(r.len(), size);
                assert_eq!(r.to_uint(order).unwrap(), v & mask);
            }
        }
        assert!(RegisterValue::from_uint(1, 17, ByteOrder::Big).is_err());
        assert_eq!(
            RegisterValue::from_uint(0x0102, 4, ByteOrder::Big)
                .unwrap()
                .as_bytes(),
            &[0, 0, 1, 2]
        );
    }

    #[test]
    fn decodes_in_the_requested_order_only() {
        let v = RegisterValue::new(vec![0, 0, 0, 0, 0, 0, 1, 0]);
        assert_eq!(v.to_u64(ByteOrder::Big).unwrap(), 0x100);
        assert_eq!(v.to_u64(ByteOrder::Little).unwrap(), 0x0001_0000_0000_0000);
        assert_eq!(v.to_uint(ByteOrder::Big).unwrap(), 0x100);
        assert_eq!(v.to_uint(ByteOrder::Little).unwrap(), 0x0001_0000_0000_0000);
    }

    #[test]
    fn wrong_size_is_an_error_not_a_truncation() {
        let v = RegisterValue::new(vec![1, 2, 3, 4]);
        assert_eq!(v.to_u32(ByteOrder::Big).unwrap(), 0x0102_0304);
        assert!(matches!(
            v.to_u64(ByteOrder::Big),
            Err(GdbError::RegisterSize {
                expected: 8,
                found: 4
            })
        ));
        assert!(RegisterValue::new(vec![0; 17])
            .to_uint(ByteOrder::Big)
            .is_err());
    }

    #[test]
    fn encode_round_trips() {
        let x = 0x0011_2233_4455_6677_8899_aabb_ccdd_eeffu128;
        for order in [ByteOrder::Big, ByteOrder::Little] {
            assert_eq!(
                RegisterValue::from_u128(x, order).to_u128(order).unwrap(),
                x
            );
            assert_eq!(RegisterValue::from_u32(7, order).to_u32(order).unwrap(), 7);
            assert_eq!(RegisterValue::from_u64(9, order).len(), 8);
        }
        assert_eq!(
            RegisterValue::from_u32(0x0102_0304, ByteOrder::Little).as_bytes(),
            &[4, 3, 2, 1]
        );
    }
}
