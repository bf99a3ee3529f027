//! A small builder for system tables: named text and integer columns, filled row by row.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use lakestar_engine::{Error, Result};

/// A column's type in a system table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Int,
}

/// One cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Null,
    Text(String),
    Int(i64),
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<i64> for Cell {
    fn from(i: i64) -> Self {
        Cell::Int(i)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map_or(Cell::Null, Into::into)
    }
}

/// Rows of a system table with its column layout.
#[derive(Debug, Clone)]
pub struct Rows {
    columns: &'static [(&'static str, Kind)],
    rows: Vec<Vec<Cell>>,
}

impl Rows {
    pub fn new(columns: &'static [(&'static str, Kind)]) -> Self {
        Self {
            columns,
            rows: vec![],
        }
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }

    /// Pick and rename columns: the rows of a SHOW statement defined over this table.
    /// Columns keep their kinds; names are used exactly as given.
    pub fn project(&self, picks: &[(&str, usize)]) -> Result<RecordBatch> {
        let fields: Vec<Field> = picks
            .iter()
            .map(|(name, i)| {
                let t = match self.columns[*i].1 {
                    Kind::Text => DataType::Utf8,
                    Kind::Int => DataType::Int64,
                };
                Field::new(*name, t, true)
            })
            .collect();
        let full = self.clone().into_batch()?;
        let arrays = picks
            .iter()
            .map(|(_, i)| Arc::clone(full.column(*i)))
            .collect();
        RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
            .map_err(|e| Error::internal(e.to_string()))
    }

    pub fn rows_mut(&mut self) -> &mut Vec<Vec<Cell>> {
        &mut self.rows
    }

    pub fn rows(&self) -> &[Vec<Cell>] {
        &self.rows
    }

    pub fn retain(&mut self, keep: impl FnMut(&Vec<Cell>) -> bool) {
        self.rows.retain(keep);
    }

    /// The Arrow schema, with MySQL's (upper-case) column names.
    pub fn schema(columns: &[(&'static str, Kind)]) -> SchemaRef {
        Arc::new(Schema::new(
            columns
                .iter()
                .map(|(name, kind)| {
                    let name = name.to_string();
                    let t = match kind {
                        Kind::Text => DataType::Utf8,
                        Kind::Int => DataType::Int64,
                    };
                    Field::new(name, t, true)
                })
                .collect::<Vec<_>>(),
        ))
    }

    /// One batch.
    pub fn into_batch(self) -> Result<RecordBatch> {
        let schema = Self::schema(self.columns);
        let arrays: Vec<ArrayRef> =
            self.columns
                .iter()
                .enumerate()
                .map(|(i, (_, kind))| -> ArrayRef {
                    match kind {
                        Kind::Text => Arc::new(StringArray::from_iter(self.rows.iter().map(|r| {
                            match &r[i] {
                                Cell::Text(s) => Some(s.clone()),
                                Cell::Int(n) => Some(n.to_string()),
                                Cell::Null => None,
                            }
                        }))),
                        Kind::Int => Arc::new(Int64Array::from_iter(self.rows.iter().map(|r| {
                            match &r[i] {
                                Cell::Int(n) => Some(*n),
                                Cell::Text(s) => s.parse().ok(),
                                Cell::Null => None,
                            }
                        }))),
                    }
                })
                .collect();
        RecordBatch::try_new(schema, arrays).map_err(|e| Error::internal(e.to_string()))
    }
}
