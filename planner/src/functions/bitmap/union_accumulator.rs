//! The accumulators of `bitmap_union` and `bitmap_union_count` (a [`UnionSet`] per group,
//! fed the serialized bitmaps) and of `bitmap_agg` (fed integers). The groups accumulator
//! reads each batch once for all its groups (the per-group adapter would copy every
//! group's rows out first, and ask every group its size after each batch).
//!
//! A partial state is one length-prefixed serialized bitmap, as for the other bitmap
//! aggregates ([`super::aggregate`]).

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, BinaryArray, BooleanArray, Int64Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::error::Result as DFResult;
use datafusion::logical_expr::{Accumulator, EmitTo, GroupsAccumulator};

use super::aggregate::{binary, split_state};
use super::to_bytes;
use super::union_set::UnionSet;

/// A partial state: the union, length-prefixed.
fn state_bytes(set: &mut UnionSet) -> Vec<u8> {
    let bytes = to_bytes(&set.compacted_bitmap());
    let mut out = Vec::with_capacity(8 + bytes.len());
    out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    out.extend_from_slice(&bytes);
    out
}

/// Adds a partial state to `set`.
fn merge_state(set: &mut UnionSet, state: &[u8]) {
    if let Some(part) = split_state(state).first() {
        set.add_serialized(part);
    }
}

/// The accumulator of one group (no GROUP BY, windows): rows go in through a groups
/// accumulator with one group; its value is read without taking it out, since a window
/// reads it again after more rows.
#[derive(Debug)]
pub struct UnionAccumulator {
    groups: UnionGroupsAccumulator,
}

impl UnionAccumulator {
    pub fn new(input: UnionInput, count: bool) -> Self {
        Self {
            groups: UnionGroupsAccumulator::new(input, count),
        }
    }

    fn set(&mut self) -> &mut UnionSet {
        if self.groups.sets.is_empty() {
            self.groups.sets.push(UnionSet::default());
        }
        &mut self.groups.sets[0]
    }
}

impl Accumulator for UnionAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> DFResult<()> {
        let group = vec![0; values[0].len()];
        self.groups.update_batch(values, &group, None, 1)
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> DFResult<()> {
        let group = vec![0; states[0].len()];
        self.groups.merge_batch(states, &group, None, 1)
    }

    fn state(&mut self) -> DFResult<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::Binary(Some(state_bytes(self.set())))])
    }

    fn evaluate(&mut self) -> DFResult<ScalarValue> {
        let count = self.groups.count;
        let set = self.set();
        Ok(if count {
            ScalarValue::Int64(Some(set.len() as i64))
        } else {
            ScalarValue::Binary(Some(to_bytes(&set.compacted_bitmap())))
        })
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.groups.size()
    }
}

/// What a groups accumulator's input rows hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnionInput {
    /// Serialized bitmaps (`bitmap_union`, `bitmap_union_count`).
    Bitmaps,
    /// Integers; negative ones are skipped (`bitmap_agg`).
    Integers,
}

/// Every group's union, indexed by group.
#[derive(Debug)]
pub struct UnionGroupsAccumulator {
    input: UnionInput,
    count: bool,
    sets: Vec<UnionSet>,
    /// The sum of the sets' sizes.
    bytes: usize,
}

impl UnionGroupsAccumulator {
    pub fn new(input: UnionInput, count: bool) -> Self {
        Self {
            input,
            count,
            sets: vec![],
            bytes: 0,
        }
    }

    /// Calls `add` with each row's set and index, for rows that pass the filter and are
    /// not null.
    fn for_each_row(
        &mut self,
        values: &dyn Array,
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
        mut add: impl FnMut(&mut UnionSet, usize),
    ) {
        if self.sets.len() < total_num_groups {
            self.sets.resize_with(total_num_groups, UnionSet::default);
        }
        for (row, &group) in group_indices.iter().enumerate() {
            if values.is_null(row) || opt_filter.is_some_and(|f| !f.is_valid(row) || !f.value(row))
            {
                continue;
            }
            let set = &mut self.sets[group];
            let before = set.size();
            add(set, row);
            self.bytes = self.bytes + set.size() - before;
        }
    }

    /// Removes the emitted groups' sets.
    fn take(&mut self, emit_to: EmitTo) -> Vec<UnionSet> {
        let sets = emit_to.take_needed(&mut self.sets);
        self.bytes -= sets.iter().map(UnionSet::size).sum::<usize>();
        sets
    }
}

impl GroupsAccumulator for UnionGroupsAccumulator {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> DFResult<()> {
        match self.input {
            UnionInput::Bitmaps => {
                let bytes = binary(&values[0])?;
                self.for_each_row(
                    &bytes,
                    group_indices,
                    opt_filter,
                    total_num_groups,
                    |set, row| {
                        set.add_serialized(bytes.value(row));
                    },
                );
            }
            UnionInput::Integers => {
                let ints = cast(&values[0], &DataType::Int64)?;
                let ints = ints
                    .as_any()
                    .downcast_ref::<Int64Array>()
                    .expect("cast to Int64");
                self.for_each_row(
                    ints,
                    group_indices,
                    opt_filter,
                    total_num_groups,
                    |set, row| {
                        if let Ok(v) = u64::try_from(ints.value(row)) {
                            set.add_value(v);
                        }
                    },
                );
            }
        }
        Ok(())
    }

    fn merge_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> DFResult<()> {
        let states = binary(&values[0])?;
        self.for_each_row(
            &states,
            group_indices,
            opt_filter,
            total_num_groups,
            |set, row| merge_state(set, states.value(row)),
        );
        Ok(())
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> DFResult<ArrayRef> {
        let sets = self.take(emit_to);
        Ok(if self.count {
            Arc::new(Int64Array::from_iter_values(
                sets.into_iter().map(|mut s| s.len() as i64),
            ))
        } else {
            Arc::new(BinaryArray::from_iter_values(
                sets.into_iter()
                    .map(|mut s| to_bytes(&s.compacted_bitmap())),
            ))
        })
    }

    fn state(&mut self, emit_to: EmitTo) -> DFResult<Vec<ArrayRef>> {
        let sets = self.take(emit_to);
        Ok(vec![Arc::new(BinaryArray::from_iter_values(
            sets.into_iter().map(|mut s| state_bytes(&mut s)),
        ))])
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + self.sets.capacity() * std::mem::size_of::<UnionSet>()
            + self.bytes
    }
}
