//! A HyperLogLog sketch: exact (the distinct hashes themselves) up to 160 values, as
//! StarRocks' HLL is, then 2^14 six-bit registers (standard error about 0.8%).
//!
//! Serialized form (stable): `[0]` empty; `[1] count:u32 hashes:u64*` explicit;
//! `[2] registers:u8*16384` dense; integers little-endian.

use std::collections::BTreeSet;

const PRECISION: u32 = 14;
const REGISTERS: usize = 1 << PRECISION;
const EXPLICIT_MAX: usize = 160;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hll {
    explicit: BTreeSet<u64>,
    registers: Option<Box<[u8]>>,
}

impl Hll {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn insert(&mut self, hash: u64) {
        match &mut self.registers {
            Some(registers) => Self::set_register(registers, hash),
            None => {
                self.explicit.insert(hash);
                if self.explicit.len() > EXPLICIT_MAX {
                    self.densify();
                }
            }
        }
    }

    fn set_register(registers: &mut [u8], hash: u64) {
        let index = (hash >> (64 - PRECISION)) as usize;
        let rest = (hash << PRECISION) | (1 << (PRECISION - 1));
        let rank = rest.leading_zeros() as u8 + 1;
        if registers[index] < rank {
            registers[index] = rank;
        }
    }

    fn densify(&mut self) {
        let mut registers = vec![0u8; REGISTERS].into_boxed_slice();
        for h in std::mem::take(&mut self.explicit) {
            Self::set_register(&mut registers, h);
        }
        self.registers = Some(registers);
    }

    pub fn merge(&mut self, other: &Hll) {
        match &other.registers {
            None => {
                for h in &other.explicit {
                    self.insert(*h);
                }
            }
            Some(theirs) => {
                if self.registers.is_none() {
                    self.densify();
                }
                let ours = self.registers.as_mut().expect("dense");
                for (a, b) in ours.iter_mut().zip(theirs.iter()) {
                    *a = (*a).max(*b);
                }
            }
        }
    }

    /// The estimated number of distinct values (exact while explicit).
    pub fn cardinality(&self) -> u64 {
        let Some(registers) = &self.registers else {
            return self.explicit.len() as u64;
        };
        let m = REGISTERS as f64;
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let sum: f64 = registers.iter().map(|r| 2f64.powi(-(*r as i32))).sum();
        let estimate = alpha * m * m / sum;
        let zeros = registers.iter().filter(|r| **r == 0).count();
        if estimate <= 2.5 * m && zeros > 0 {
            (m * (m / zeros as f64).ln()).round() as u64
        } else {
            estimate.round() as u64
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        match &self.registers {
            Some(registers) => {
                let mut out = Vec::with_capacity(1 + REGISTERS);
                out.push(2);
                out.extend_from_slice(registers);
                out
            }
            None if self.explicit.is_empty() => vec![0],
            None => {
                let mut out = Vec::with_capacity(5 + 8 * self.explicit.len());
                out.push(1);
                out.extend_from_slice(&(self.explicit.len() as u32).to_le_bytes());
                for h in &self.explicit {
                    out.extend_from_slice(&h.to_le_bytes());
                }
                out
            }
        }
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        match bytes.split_first()? {
            (0, []) => Some(Self::new()),
            (1, rest) => {
                let count = u32::from_le_bytes(rest.get(..4)?.try_into().ok()?) as usize;
                let hashes = rest.get(4..4 + 8 * count)?;
                Some(Self {
                    explicit: hashes
                        .chunks_exact(8)
                        .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
                        .collect(),
                    registers: None,
                })
            }
            (2, rest) if rest.len() == REGISTERS => Some(Self {
                explicit: BTreeSet::new(),
                registers: Some(rest.to_vec().into_boxed_slice()),
            }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::bitmap::murmur3_64;

    #[test]
    fn exact_while_small_close_when_large() {
        let mut small = Hll::new();
        for i in 0..100u64 {
            small.insert(murmur3_64(&i.to_le_bytes()));
        }
        assert_eq!(small.cardinality(), 100);
        let mut large = Hll::new();
        for i in 0..100_000u64 {
            large.insert(murmur3_64(&i.to_le_bytes()));
        }
        let error = (large.cardinality() as f64 - 100_000.0).abs() / 100_000.0;
        assert!(
            error < 0.03,
            "estimate {} is {error:.3} off",
            large.cardinality()
        );
        let mut merged = small.clone();
        merged.merge(&large);
        assert_eq!(Hll::from_bytes(&merged.to_bytes()), Some(merged.clone()));
        assert_eq!(Hll::from_bytes(&small.to_bytes()), Some(small));
    }
}
