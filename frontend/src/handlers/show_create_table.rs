//! SHOW CREATE TABLE, in StarRocks' layout; the text parses back into the same table.

use lakestar_engine::catalog::{Distribution, TableMeta};
use lakestar_engine::Result;
use sqlparser::ast::ObjectName;

use super::describe::lookup_table;
use crate::context::FrontendContext;
use crate::output::QueryOutput;
use crate::session::Session;

pub fn handle(ctx: &FrontendContext, session: &Session, name: &ObjectName) -> Result<QueryOutput> {
    let meta = lookup_table(ctx, session, name)?;
    QueryOutput::text_rows(
        &["Table", "Create Table"],
        vec![vec![Some(meta.name.clone()), Some(render(&meta))]],
    )
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn columns(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The CREATE TABLE statement of a table.
pub fn render(meta: &TableMeta) -> String {
    let mut out = format!("CREATE TABLE `{}` (\n", meta.name);
    let defs: Vec<String> = meta
        .columns
        .iter()
        .map(|c| {
            let mut d = format!(
                "  `{}` {} {}",
                c.name,
                c.sql_type.ddl_type(),
                if c.nullable { "NULL" } else { "NOT NULL" }
            );
            if let Some(default) = &c.default {
                d.push_str(&format!(" DEFAULT {default}"));
            }
            if let Some(expr) = &c.generated {
                d.push_str(&format!(" AS {expr}"));
            }
            d.push_str(&format!(
                " COMMENT {}",
                quote(c.comment.as_deref().unwrap_or(""))
            ));
            d
        })
        .collect();
    out.push_str(&defs.join(",\n"));
    out.push_str("\n) ENGINE=OLAP\n");
    out.push_str(&format!(
        "{}({})\n",
        meta.keys_type.sql_name(),
        columns(&meta.key_columns)
    ));
    out.push_str(&format!(
        "COMMENT {}\n",
        quote(meta.comment.as_deref().unwrap_or("OLAP"))
    ));
    if !meta.partition_columns.is_empty() {
        out.push_str(&format!(
            "PARTITION BY ({})\n",
            columns(&meta.partition_columns)
        ));
    } else if let Some(clause) = &meta.partition_clause {
        out.push_str(&format!("PARTITION BY {clause}\n"));
    }
    match &meta.distribution {
        Some(Distribution::Hash {
            columns: c,
            buckets,
        }) => {
            out.push_str(&format!("DISTRIBUTED BY HASH({})", columns(c)));
            if let Some(b) = buckets {
                out.push_str(&format!(" BUCKETS {b}"));
            }
            out.push('\n');
        }
        Some(Distribution::Random { buckets }) => {
            out.push_str("DISTRIBUTED BY RANDOM");
            if let Some(b) = buckets {
                out.push_str(&format!(" BUCKETS {b}"));
            }
            out.push('\n');
        }
        None => {}
    }
    if !meta.order_by.is_empty() {
        out.push_str(&format!("ORDER BY({})\n", columns(&meta.order_by)));
    }
    let props: Vec<String> = meta
        .properties
        .iter()
        .map(|(k, v)| format!("{} = {}", quote(k), quote(v)))
        .collect();
    if !props.is_empty() {
        out.push_str(&format!("PROPERTIES (\n{}\n)", props.join(",\n")));
    }
    out.trim_end().to_string() + ";"
}
