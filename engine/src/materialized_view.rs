//! The catalog model of asynchronous materialized views.
//!
//! A materialized view is a stored query whose result lives in an internal table of the
//! same name (its *storage table*, so it can be queried directly), refreshed by an atomic
//! INSERT OVERWRITE. Each refresh records the version of every base table it read
//! ([`BaseVersion`]): the MV is *fresh* while every base table is still at that version,
//! which is what the planner's rewrite checks before answering a query from the MV.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// When a materialized view refreshes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RefreshScheme {
    /// Only by `REFRESH MATERIALIZED VIEW`.
    Manual,
    /// Every `every` from `start_ms` (Unix milliseconds); `every` absent: refreshed when
    /// created and by REFRESH only (StarRocks refreshes on base-table change; Lakestar
    /// treats ASYNC without EVERY like MANUAL after the first refresh).
    Async {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        start_ms: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        every: Option<Interval>,
    },
}

/// `INTERVAL n unit` of `EVERY (...)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interval {
    pub count: u64,
    pub unit: IntervalUnit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntervalUnit {
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
}

impl Interval {
    /// The interval's length in milliseconds (a month is 30 days).
    pub fn millis(&self) -> i64 {
        let unit: i64 = match self.unit {
            IntervalUnit::Second => 1_000,
            IntervalUnit::Minute => 60_000,
            IntervalUnit::Hour => 3_600_000,
            IntervalUnit::Day => 86_400_000,
            IntervalUnit::Week => 7 * 86_400_000,
            IntervalUnit::Month => 30 * 86_400_000,
        };
        unit.saturating_mul(self.count as i64)
    }

    pub fn sql(&self) -> String {
        let unit = match self.unit {
            IntervalUnit::Second => "SECOND",
            IntervalUnit::Minute => "MINUTE",
            IntervalUnit::Hour => "HOUR",
            IntervalUnit::Day => "DAY",
            IntervalUnit::Week => "WEEK",
            IntervalUnit::Month => "MONTH",
        };
        format!("INTERVAL {} {unit}", self.count)
    }
}

/// A base table a refresh read, and the version it read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaseVersion {
    /// `catalog.database.table`.
    pub table: String,
    /// Paimon snapshot id (internal tables and Paimon catalogs), or a hash of the files of
    /// a plain-files table (path, size, modification time, e-tag); `None` where the source
    /// has no version (an empty directory): such an MV is never known to be fresh.
    pub version: Option<i64>,
}

/// One partition of a table and the version of its data: a fingerprint of the files
/// that hold it, which changes whenever a write touches the partition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionVersion {
    /// The partition value as text (`2024-01-01`, `42`, `eu`); `None`: the NULL partition.
    pub value: Option<String>,
    pub fingerprint: String,
}

/// The partitions of a table partitioned by one column, with their versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionVersions {
    pub column: String,
    pub partitions: Vec<PartitionVersion>,
}

impl PartitionVersions {
    /// The partition values whose data differs between `self` (earlier) and `now`: changed,
    /// added or removed.
    pub fn changed_since(&self, now: &PartitionVersions) -> Vec<Option<String>> {
        let mut out = vec![];
        for p in &now.partitions {
            if !self.partitions.contains(p) {
                out.push(p.value.clone());
            }
        }
        for p in &self.partitions {
            if !now.partitions.iter().any(|n| n.value == p.value) {
                out.push(p.value.clone());
            }
        }
        out
    }
}

/// How a partitioned materialized view follows its base table's partitions: the view's
/// partition column is the base table's partition column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionRecord {
    /// The view's partition column.
    pub column: String,
    /// The base table (`catalog.database.table`) whose partitions the view's follow.
    pub base_table: String,
    /// The base table's partitions the view's data was computed from.
    pub versions: PartitionVersions,
}

/// The outcome of the last refresh that finished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshRecord {
    pub start_ms: i64,
    pub finish_ms: i64,
    pub rows: u64,
    pub base_versions: Vec<BaseVersion>,
    /// For a partitioned view: the base partitions its data was computed from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partitions: Option<PartitionRecord>,
}

/// How a query may be answered from this MV (StarRocks' `query_rewrite_consistency`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RewriteConsistency {
    /// Only while fresh (or within `mv_rewrite_staleness_second` of the last refresh).
    Checked,
    /// Whether fresh or not.
    Loose,
    /// Never.
    Disable,
}

/// An asynchronous materialized view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaterializedViewMeta {
    pub database: String,
    pub name: String,
    /// The query, every table reference qualified, as SQL text.
    pub definition: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub refresh: RefreshScheme,
    /// `REFRESH DEFERRED`: not refreshed at creation.
    #[serde(default)]
    pub deferred: bool,
    /// `PARTITION BY` as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_by: Option<String>,
    /// `DISTRIBUTED BY` as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distributed_by: Option<String>,
    #[serde(default)]
    pub properties: BTreeMap<String, String>,
    pub active: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inactive_reason: Option<String>,
    pub create_time_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_refresh: Option<RefreshRecord>,
}

impl MaterializedViewMeta {
    /// The column of the view its storage is partitioned by: `PARTITION BY col`, or the
    /// column of `PARTITION BY date_trunc('unit', col)` (partitions are then finer than
    /// the unit: one per value of `col`, which keeps refresh and compensation exact).
    pub fn partition_column(&self) -> Option<String> {
        let text = self.partition_by.as_deref()?.trim();
        let lower = text.to_ascii_lowercase();
        let column = if let Some(args) = lower
            .strip_prefix("date_trunc")
            .or_else(|| lower.strip_prefix("time_slice"))
        {
            let args = args.trim().strip_prefix('(')?.strip_suffix(')')?;
            let column = if lower.starts_with("date_trunc") {
                args.rsplit(',').next()?
            } else {
                args.split(',').next()?
            };
            column.trim().to_string()
        } else {
            lower
        };
        let column = column.trim_matches('`').to_string();
        (!column.is_empty()
            && column
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '$'))
        .then_some(column)
    }

    pub fn consistency(&self) -> RewriteConsistency {
        match self
            .properties
            .get("query_rewrite_consistency")
            .map(|v| v.to_ascii_lowercase())
            .as_deref()
        {
            Some("loose") => RewriteConsistency::Loose,
            Some("disable") => RewriteConsistency::Disable,
            _ => RewriteConsistency::Checked,
        }
    }

    /// `mv_rewrite_staleness_second`: how long after its last refresh a stale MV may
    /// still answer queries under the `checked` consistency.
    pub fn staleness_seconds(&self) -> i64 {
        self.properties
            .get("mv_rewrite_staleness_second")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    /// The `REFRESH ...` clause as written back by SHOW CREATE.
    pub fn refresh_sql(&self) -> String {
        let mode = if self.deferred {
            "DEFERRED"
        } else {
            "IMMEDIATE"
        };
        match &self.refresh {
            RefreshScheme::Manual => format!("REFRESH {mode} MANUAL"),
            RefreshScheme::Async { start_ms, every } => {
                let mut s = format!("REFRESH {mode} ASYNC");
                if let Some(start) = start_ms {
                    if let Some(t) = chrono::DateTime::from_timestamp_millis(*start) {
                        s.push_str(&format!(
                            " START ('{}')",
                            t.naive_utc().format("%Y-%m-%d %H:%M:%S")
                        ));
                    }
                }
                if let Some(every) = every {
                    s.push_str(&format!(" EVERY ({})", every.sql()));
                }
                s
            }
        }
    }
}
