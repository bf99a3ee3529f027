//! The versions of a table's partitions (`TableStorage::partition_versions`): for a table
//! partitioned by one column, each partition's value and a fingerprint of the files that
//! hold it — for a Paimon table the data and deletion files of its latest snapshot, for a
//! directory of plain files the files below each first-level `k=v/` directory (path, size,
//! modification time, e-tag). Any write to a partition adds or replaces files there, so its
//! fingerprint changes; partitions no write touched keep theirs. Partitioned materialized
//! views compare fingerprints to refresh, and to compensate, only the partitions that
//! changed. A directory of plain files also gets a whole-table version this way.

use std::collections::BTreeMap;

use lakestar_engine::materialized_view::{PartitionVersion, PartitionVersions};
use lakestar_engine::storage::FileStamp;
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

fn stamp(file: &FileStamp) -> String {
    format!(
        "{}|{}|{}|{}",
        file.path,
        file.size,
        file.modified_ms,
        file.e_tag.as_deref().unwrap_or("")
    )
}

/// The version of a table of plain files: a hash of every file's stamp (`None` when the
/// directory holds no files).
pub fn of_files(files: &[FileStamp]) -> Option<i64> {
    if files.is_empty() {
        return None;
    }
    let names: Vec<String> = files.iter().map(stamp).collect();
    Some((hash(&names) >> 1) as i64)
}

/// The partitions of a table of plain files partitioned by first-level `k=v/` directories
/// (one key for all of them), with their versions.
pub fn of_file_partitions(files: &[FileStamp]) -> Option<PartitionVersions> {
    let mut column: Option<&str> = None;
    let mut partitions: BTreeMap<Option<String>, Vec<String>> = BTreeMap::new();
    for file in files {
        let (directory, _) = file.path.split_once('/')?;
        let (key, value) = directory.split_once('=')?;
        if column.is_some_and(|c| c != key) {
            return None;
        }
        column = Some(key);
        let value = (value != "__HIVE_DEFAULT_PARTITION__").then(|| value.to_string());
        partitions.entry(value).or_default().push(stamp(file));
    }
    Some(PartitionVersions {
        column: column?.to_string(),
        partitions: partitions
            .into_iter()
            .map(|(value, names)| PartitionVersion {
                value,
                fingerprint: fingerprint(&names),
            })
            .collect(),
    })
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

/// FNV-1a over sorted names: stable across processes and versions.
fn hash(names: &[String]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for name in names {
        for b in name.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

fn fingerprint(names: &[String]) -> String {
    format!("{}:{:016x}", names.len(), hash(names))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, size: u64) -> FileStamp {
        FileStamp {
            path: path.to_string(),
            size,
            modified_ms: 1,
            e_tag: None,
        }
    }

    #[test]
    fn file_partitions_change_only_where_files_change() {
        let before = vec![
            file("dt=2024-01-01/a.parquet", 10),
            file("dt=2024-01-02/b.parquet", 20),
        ];
        let mut after = before.clone();
        after.push(file("dt=2024-01-02/c.parquet", 5));
        after.push(file("dt=2024-01-03/d.parquet", 5));
        let (b, a) = (
            of_file_partitions(&before).unwrap(),
            of_file_partitions(&after).unwrap(),
        );
        assert_eq!(b.column, "dt");
        assert_eq!(
            b.changed_since(&a),
            vec![
                Some("2024-01-02".to_string()),
                Some("2024-01-03".to_string())
            ]
        );
        assert_ne!(of_files(&before), of_files(&after));
        assert_eq!(of_files(&before), of_files(&before.clone()));
        // Not partitioned, or by two different keys: no partition versions.
        assert!(of_file_partitions(&[file("a.parquet", 1)]).is_none());
        assert!(
            of_file_partitions(&[file("x=1/a.parquet", 1), file("y=1/b.parquet", 1)]).is_none()
        );
    }
}
