//! The columns a table gets from a query's result (CREATE TABLE ... AS SELECT, and the
//! storage table of a materialized view): each result column's declared type where it
//! comes straight from a table column, otherwise the SQL type of its values.

use datafusion::common::DFSchema;
use lakestar_engine::catalog::ColumnMeta;
use lakestar_engine::types::{SqlType, SQL_TYPE_METADATA_KEY};
use lakestar_engine::{user_err, Error, Result};

pub fn columns_of(schema: &DFSchema) -> Result<Vec<ColumnMeta>> {
    let mut columns: Vec<ColumnMeta> = vec![];
    for field in schema.fields() {
        let declared = field
            .metadata()
            .get(SQL_TYPE_METADATA_KEY)
            .and_then(|t| SqlType::parse(t).ok());
        let sql_type = declared
            .or_else(|| SqlType::from_arrow(field.data_type()))
            .ok_or_else(|| {
                Error::unsupported(format!(
                    "Column '{}' has type {} that a table cannot store",
                    field.name(),
                    field.data_type()
                ))
            })?;
        let name = field.name().to_lowercase();
        if columns.iter().any(|c| c.name == name) {
            return Err(user_err!(
                DuplicateColumn,
                "Duplicate column name '{name}'; give the expressions distinct aliases"
            ));
        }
        columns.push(ColumnMeta::new(name, sql_type, true));
    }
    Ok(columns)
}
