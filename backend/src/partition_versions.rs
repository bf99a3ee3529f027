//! The versions of a Paimon table's partitions (`TableStorage::partition_versions`): for a
//! table partitioned by one column, each partition's value and a fingerprint of the data
//! and deletion files that hold it in the latest snapshot. Any write to a partition adds
//! or replaces files there, so its fingerprint changes; partitions no write touched keep
//! theirs. Partitioned materialized views compare fingerprints to refresh, and to
//! compensate, only the partitions that changed.

use std::collections::BTreeMap;

use lakestar_engine::materialized_view::{PartitionVersion, PartitionVersions};
use lakestar_engine::{Error, Result};
use paimon::spec::{DataType, Datum};

/// The partitions of `table` with their versions; `None` unless it is partitioned by
/// exactly one column of a type whose values have a text form.
pub async fn of_table(table: &paimon::table::Table) -> Result<Option<PartitionVersions>> {
    let schema = table.schema();
    let [column] = schema.partition_keys() else {
        return Ok(None);
    };
    let Some(field) = schema.fields().iter().find(|f| f.name() == column) else {
        return Ok(None);
    };
    let data_type = field.data_type().clone();
    let plan = table
        .new_read_builder()
        .new_scan()
        .plan()
        .await
        .map_err(|e| Error::internal(format!("plan partitions of {column}: {e}")))?;
    // Partition value → names of the files holding it.
    let mut files: BTreeMap<Option<String>, Vec<String>> = BTreeMap::new();
    for split in plan.splits() {
        let datum = split
            .partition()
            .get_datum(0, &data_type)
            .map_err(|e| Error::internal(format!("read partition value: {e}")))?;
        let value = match datum {
            None => None,
            Some(d) => match text(&d, &data_type) {
                Some(t) => Some(t),
                None => return Ok(None),
            },
        };
        let entry = files.entry(value).or_default();
        for (i, file) in split.data_files().iter().enumerate() {
            entry.push(file.file_name.clone());
            if let Some(dv) = split.deletion_file_for_data_file_index(i) {
                entry.push(format!("{}@{}+{}", dv.path(), dv.offset(), dv.length()));
            }
        }
    }
    let partitions = files
        .into_iter()
        .map(|(value, mut names)| {
            names.sort();
            PartitionVersion {
                value,
                fingerprint: fingerprint(&names),
            }
        })
        .collect();
    Ok(Some(PartitionVersions {
        column: column.clone(),
        partitions,
    }))
}

/// A partition value as text that casts back to the column's type.
fn text(datum: &Datum, data_type: &DataType) -> Option<String> {
    Some(match (datum, data_type) {
        (Datum::Bool(v), _) => v.to_string(),
        (Datum::TinyInt(v), _) => v.to_string(),
        (Datum::SmallInt(v), _) => v.to_string(),
        (Datum::Int(v), DataType::Date(_)) | (Datum::Date(v), _) => {
            let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?;
            epoch
                .checked_add_signed(chrono::Duration::days(i64::from(*v)))?
                .format("%Y-%m-%d")
                .to_string()
        }
        (Datum::Int(v), _) => v.to_string(),
        (Datum::Long(v), _) => v.to_string(),
        (Datum::String(v), _) => v.clone(),
        (Datum::Timestamp { millis, nanos }, _) => {
            let t = chrono::DateTime::from_timestamp_millis(*millis)?.naive_utc()
                + chrono::Duration::nanoseconds(i64::from(*nanos));
            t.format("%Y-%m-%d %H:%M:%S%.f").to_string()
        }
        _ => return None,
    })
}

/// FNV-1a over the sorted file names: stable across processes and versions.
fn fingerprint(names: &[String]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for name in names {
        for b in name.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{}:{hash:016x}", names.len())
}
