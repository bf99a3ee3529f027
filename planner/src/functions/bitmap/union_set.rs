//! [`UnionSet`]: the running union of `bitmap_union` / `bitmap_union_count`, fed straight
//! from serialized bitmaps.
//!
//! Rolling up a materialized view's bitmaps unions thousands of small ones (a day's
//! customers) per group. Deserializing each into a `RoaringTreemap` allocates every
//! container, and OR-ing sorted arrays copies them on each step; together they took most
//! of such a query. Here the serialized form (the portable Roaring format, 64-bit treemap
//! variant, as [`super::to_bytes`] writes it) is read in place: each 2^16-value chunk of
//! the union is a list of values appended to (deduplicated once, at the end) until it
//! holds more than a dense chunk's worth, and then a dense 8 KiB bitset.

use std::collections::BTreeMap;

use roaring::{RoaringBitmap, RoaringTreemap};

/// Values per chunk above which a list is stored as a bitset (as Roaring does).
const LIST_LIMIT: usize = 4096;
/// Words of a dense chunk.
const WORDS: usize = 1024;

/// Format cookies of the portable Roaring format.
const COOKIE_NO_RUNS: u32 = 12346;
const COOKIE_WITH_RUNS: u16 = 12347;

/// One 2^16-value chunk of the union.
#[derive(Debug, Clone)]
enum Chunk {
    /// Values added, in any order, possibly repeated.
    List(Vec<u16>),
    Dense(Box<[u64; WORDS]>),
}

impl Chunk {
    fn dense(&mut self) -> &mut [u64; WORDS] {
        if let Chunk::List(values) = self {
            let mut bits = Box::new([0u64; WORDS]);
            for &v in values.iter() {
                bits[usize::from(v >> 6)] |= 1 << (v & 63);
            }
            *self = Chunk::Dense(bits);
        }
        match self {
            Chunk::Dense(bits) => bits,
            Chunk::List(_) => unreachable!("made dense above"),
        }
    }

    fn add_values(&mut self, values: impl ExactSizeIterator<Item = u16>) {
        if let Chunk::List(list) = self {
            if list.len() + values.len() <= LIST_LIMIT {
                list.extend(values);
                return;
            }
        }
        let bits = self.dense();
        for v in values {
            bits[usize::from(v >> 6)] |= 1 << (v & 63);
        }
    }

    fn add_words(&mut self, words: impl Iterator<Item = u64>) {
        for (word, add) in self.dense().iter_mut().zip(words) {
            *word |= add;
        }
    }

    /// Bytes held.
    fn bytes(&self) -> usize {
        CHUNK_OVERHEAD
            + match self {
                Chunk::List(list) => list.capacity() * 2,
                Chunk::Dense(_) => WORDS * 8,
            }
    }

    /// Sorted, distinct values, for a list.
    fn compact(&mut self) {
        if let Chunk::List(list) = self {
            list.sort_unstable();
            list.dedup();
        }
    }

    fn len(&mut self) -> u64 {
        self.compact();
        match self {
            Chunk::List(list) => list.len() as u64,
            Chunk::Dense(bits) => bits.iter().map(|w| u64::from(w.count_ones())).sum(),
        }
    }
}

/// Bytes of a chunk besides its values (map entry and enum), roughly.
const CHUNK_OVERHEAD: usize = 48;

/// A union of 64-bit values, added by the serialized bitmap or one by one.
#[derive(Debug, Clone, Default)]
pub struct UnionSet {
    /// Chunks by value >> 16.
    chunks: BTreeMap<u64, Chunk>,
    /// Bytes the chunks hold, kept up to date so [`UnionSet::size`] is cheap: aggregation
    /// asks for it after every batch.
    bytes: usize,
}

impl UnionSet {
    /// Changes the chunk of values `chunk << 16 ..` with `change`, keeping `bytes` true.
    fn change_chunk(&mut self, chunk: u64, change: impl FnOnce(&mut Chunk)) {
        let entry = self.chunks.entry(chunk).or_insert_with(|| {
            self.bytes += CHUNK_OVERHEAD;
            Chunk::List(vec![])
        });
        let before = entry.bytes();
        change(entry);
        self.bytes = self.bytes + entry.bytes() - before;
    }

    /// Adds one value.
    pub fn add_value(&mut self, value: u64) {
        self.change_chunk(value >> 16, |chunk| {
            chunk.add_values(std::iter::once(value as u16))
        });
    }

    /// Adds the values of a serialized bitmap; `false` (and nothing added) for bytes that
    /// are not one.
    pub fn add_serialized(&mut self, bytes: &[u8]) -> bool {
        // Check first, so that a malformed bitmap adds nothing.
        if parse_treemap(bytes, &mut |_, _| {}).is_none() {
            return false;
        }
        let added = parse_treemap(bytes, &mut |chunk, part| {
            self.change_chunk(chunk, |entry| match part {
                Part::Values(bytes) => entry.add_values(
                    bytes
                        .chunks_exact(2)
                        .map(|b| u16::from_le_bytes([b[0], b[1]])),
                ),
                Part::Words(bytes) => entry.add_words(
                    bytes
                        .chunks_exact(8)
                        .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes"))),
                ),
                Part::Runs(bytes) => {
                    for run in bytes.chunks_exact(4) {
                        let start = u16::from_le_bytes([run[0], run[1]]);
                        let length = u16::from_le_bytes([run[2], run[3]]);
                        entry.add_values(start..=start.saturating_add(length));
                    }
                }
            })
        });
        added.is_some()
    }

    /// Bytes held, roughly.
    pub fn size(&self) -> usize {
        self.bytes
    }

    /// How many distinct values were added (sorting and deduplicating the lists on the
    /// way).
    pub fn len(&mut self) -> u64 {
        self.chunks.values_mut().map(Chunk::len).sum()
    }

    /// The union as a bitmap (sorting and deduplicating the lists on the way).
    pub fn compacted_bitmap(&mut self) -> RoaringTreemap {
        let mut high: BTreeMap<u32, RoaringBitmap> = BTreeMap::new();
        for (&chunk, part) in self.chunks.iter_mut() {
            part.compact();
            let offset = ((chunk & 0xffff) as u32) << 16;
            let bitmap = high.entry((chunk >> 16) as u32).or_default();
            match part {
                Chunk::List(values) => {
                    let values = values.iter().map(|&v| offset | u32::from(v));
                    bitmap
                        .append(values)
                        .expect("chunks are visited in order and their lists sorted");
                }
                Chunk::Dense(bits) => {
                    let bytes: Vec<u8> = bits.iter().flat_map(|w| w.to_le_bytes()).collect();
                    *bitmap |= RoaringBitmap::from_lsb0_bytes(offset, &bytes);
                }
            }
        }
        RoaringTreemap::from_bitmaps(high)
    }
}

/// A container of a serialized bitmap, still in its serialized bytes.
enum Part<'a> {
    /// Little-endian u16 values.
    Values(&'a [u8]),
    /// 1024 little-endian u64 words.
    Words(&'a [u8]),
    /// Little-endian (start, length - 1) u16 pairs.
    Runs(&'a [u8]),
}

/// Reads `n` bytes off the front of `bytes`.
fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if bytes.len() < n {
        return None;
    }
    let (head, tail) = bytes.split_at(n);
    *bytes = tail;
    Some(head)
}

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

/// Visits the containers of a serialized 64-bit treemap: (value >> 16, container).
/// `None` when the bytes are not exactly one treemap.
fn parse_treemap<'a>(mut bytes: &'a [u8], out: &mut impl FnMut(u64, Part<'a>)) -> Option<()> {
    let count = u64::from_le_bytes(take(&mut bytes, 8)?.try_into().ok()?);
    for _ in 0..count {
        let high = u32::from_le_bytes(take(&mut bytes, 4)?.try_into().ok()?);
        parse_bitmap(&mut bytes, u64::from(high) << 16, out)?;
    }
    bytes.is_empty().then_some(())
}

/// One serialized 32-bit Roaring bitmap off the front of `bytes`.
fn parse_bitmap<'a>(
    bytes: &mut &'a [u8],
    high: u64,
    out: &mut impl FnMut(u64, Part<'a>),
) -> Option<()> {
    let cookie = u32::from_le_bytes(take(bytes, 4)?.try_into().ok()?);
    let (size, has_offsets, runs) = if cookie == COOKIE_NO_RUNS {
        let size = u32::from_le_bytes(take(bytes, 4)?.try_into().ok()?) as usize;
        (size, true, None)
    } else if cookie as u16 == COOKIE_WITH_RUNS {
        let size = (cookie >> 16) as usize + 1;
        let flags = take(bytes, size.div_ceil(8))?;
        (size, size >= 4, Some(flags))
    } else {
        return None;
    };
    if size > 1 << 16 {
        return None;
    }
    let descriptions = take(bytes, size * 4)?;
    if has_offsets {
        take(bytes, size * 4)?;
    }
    for i in 0..size {
        let key = u16_at(descriptions, i * 4);
        let cardinality = usize::from(u16_at(descriptions, i * 4 + 2)) + 1;
        let is_run = runs.is_some_and(|flags| flags[i / 8] & (1 << (i % 8)) != 0);
        let part = if is_run {
            let n = usize::from(u16::from_le_bytes(take(bytes, 2)?.try_into().ok()?));
            Part::Runs(take(bytes, n * 4)?)
        } else if cardinality <= LIST_LIMIT {
            Part::Values(take(bytes, cardinality * 2)?)
        } else {
            Part::Words(take(bytes, WORDS * 8)?)
        };
        out(high | u64::from(key), part);
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::bitmap::to_bytes;

    fn treemap(values: impl IntoIterator<Item = u64>) -> RoaringTreemap {
        values.into_iter().collect()
    }

    /// Unions of sparse, dense and 64-bit bitmaps equal roaring's own union, in count and
    /// in values.
    #[test]
    fn union_equals_roaring_union() {
        let inputs = vec![
            treemap([]),
            treemap([1, 2, 3, 70_000]),
            treemap((0..10_000).map(|i| i * 3)),
            treemap((0..300).map(|i| i * 7 + (1 << 33))),
            treemap([2, 3, 4, u64::MAX]),
            treemap((5_000..6_000).chain(60_000..70_000)),
        ];
        let mut set = UnionSet::default();
        let mut expected = RoaringTreemap::new();
        for input in &inputs {
            assert!(set.add_serialized(&to_bytes(input)));
            expected |= input;
            assert_eq!(set.len(), expected.len());
        }
        assert_eq!(set.compacted_bitmap(), expected);
        // The union's own serialization (a partial state) adds back to the same set.
        let mut again = UnionSet::default();
        assert!(again.add_serialized(&to_bytes(&set.compacted_bitmap())));
        assert_eq!(again.compacted_bitmap(), expected);
    }

    /// Values added one by one (with repeats, sparse and dense chunks) give the same set
    /// as roaring, and the tracked size is the chunks' size.
    #[test]
    fn values_added_one_by_one() {
        let values: Vec<u64> = (0..20_000u64)
            .map(|i| (i * 37) % 9_000 + (i % 4) * 70_000 + (i % 5) * (1 << 34))
            .collect();
        let mut set = UnionSet::default();
        for &v in &values {
            set.add_value(v);
        }
        let expected = treemap(values.iter().copied());
        assert_eq!(set.len(), expected.len());
        let recomputed: usize = set.chunks.values().map(Chunk::bytes).sum();
        assert_eq!(set.size(), recomputed);
        assert_eq!(set.compacted_bitmap(), expected);
    }

    /// Run containers (written by other Roaring implementations) are read; bytes that
    /// are not a bitmap add nothing.
    #[test]
    fn runs_and_malformed_bytes() {
        // One treemap of one bitmap (high 0) with one run container: key 1, runs
        // [10, 12] and [100, 100].
        let mut bytes = vec![];
        bytes.extend_from_slice(&1u64.to_le_bytes());
        bytes.extend_from_slice(&0u32.to_le_bytes());
        bytes.extend_from_slice(&(u32::from(COOKIE_WITH_RUNS)).to_le_bytes()); // 1 container
        bytes.push(0b1); // container 0 is a run container
        bytes.extend_from_slice(&1u16.to_le_bytes()); // key
        bytes.extend_from_slice(&3u16.to_le_bytes()); // cardinality - 1
        bytes.extend_from_slice(&2u16.to_le_bytes()); // runs
        for v in [10u16, 2, 100, 0] {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        let expected = treemap([65_536 + 10, 65_536 + 11, 65_536 + 12, 65_536 + 100]);
        assert_eq!(
            RoaringTreemap::deserialize_from(&bytes[..]).unwrap(),
            expected
        );
        let mut set = UnionSet::default();
        assert!(set.add_serialized(&bytes));
        assert_eq!(set.compacted_bitmap(), expected);

        let good = to_bytes(&treemap([1, 2, 3]));
        for bad in [
            &b"abc"[..],
            &good[..good.len() - 1],
            &[good.as_slice(), b"x"].concat(),
        ] {
            let mut set = UnionSet::default();
            assert!(!set.add_serialized(bad));
            assert_eq!(set.len(), 0);
        }
    }
}
