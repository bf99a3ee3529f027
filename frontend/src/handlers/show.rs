//! SHOW DATABASES, SHOW [FULL] TABLES, SHOW [GLOBAL|SESSION] VARIABLES.

use lakestar_engine::catalog::CatalogView;
use lakestar_engine::{user_err, Error, Result};
use sqlparser::ast::{ShowStatementFilter, ShowStatementFilterPosition, ShowStatementOptions};

use crate::context::FrontendContext;
use crate::information_schema::INFORMATION_SCHEMA;
use crate::output::QueryOutput;
use crate::session::Session;

/// The LIKE pattern of a SHOW statement, if any. WHERE filters are not supported here.
pub fn like_filter(filter: Option<&ShowStatementFilter>) -> Result<Option<String>> {
    match filter {
        None => Ok(None),
        Some(
            ShowStatementFilter::Like(p)
            | ShowStatementFilter::ILike(p)
            | ShowStatementFilter::NoKeyword(p),
        ) => Ok(Some(p.clone())),
        Some(ShowStatementFilter::Where(_)) => Err(Error::unsupported(
            "SHOW ... WHERE is not supported yet; use LIKE",
        )),
    }
}

fn options_filter(options: &ShowStatementOptions) -> Result<Option<String>> {
    like_filter(options.filter_position.as_ref().map(|p| match p {
        ShowStatementFilterPosition::Infix(f) | ShowStatementFilterPosition::Suffix(f) => f,
    }))
}

/// SQL LIKE matching (`%`, `_`, `\` escape), case-insensitive as MySQL's default collation.
pub fn like_matches(pattern: &str, text: &str) -> bool {
    fn go(p: &[char], t: &[char]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('%', rest)) => (0..=t.len()).any(|i| go(rest, &t[i..])),
            Some(('_', rest)) => !t.is_empty() && go(rest, &t[1..]),
            Some(('\\', rest)) if !rest.is_empty() => {
                !t.is_empty() && t[0] == rest[0] && go(&rest[1..], &t[1..])
            }
            Some((c, rest)) => !t.is_empty() && t[0] == *c && go(rest, &t[1..]),
        }
    }
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    go(&p, &t)
}

/// `SHOW DATABASES [FROM catalog]`.
pub async fn databases(
    ctx: &FrontendContext,
    session: &Session,
    options: &ShowStatementOptions,
) -> Result<QueryOutput> {
    let pattern = options_filter(options)?;
    let catalog = match options
        .show_in
        .as_ref()
        .and_then(|s| s.parent_name.as_ref())
    {
        Some(n) => Some(n.to_string().trim_matches('`').to_lowercase()),
        None => session.current_catalog.clone(),
    }
    .filter(|c| c != lakestar_engine::catalog::DEFAULT_CATALOG);
    let names = match catalog {
        Some(catalog) => ctx.external_catalog(&catalog)?.schema_names(),
        None => {
            let mut names = vec![INFORMATION_SCHEMA.to_string()];
            names.extend(ctx.catalog.database_names());
            names
        }
    };
    let rows = names
        .into_iter()
        .filter(|d| pattern.as_deref().is_none_or(|p| like_matches(p, d)))
        .map(|d| vec![Some(d)])
        .collect();
    QueryOutput::text_rows(&["Database"], rows)
}

/// `SHOW [FULL] TABLES [FROM [catalog.]db] [LIKE ...]`.
pub async fn tables(
    ctx: &FrontendContext,
    session: &Session,
    full: bool,
    options: &ShowStatementOptions,
) -> Result<QueryOutput> {
    let db = match options
        .show_in
        .as_ref()
        .and_then(|s| s.parent_name.as_ref())
    {
        Some(name) => name.to_string().replace('`', "").to_lowercase(),
        None => {
            let db = session
                .current_db
                .clone()
                .ok_or_else(|| user_err!(NoDatabaseSelected, "No database selected"))?;
            match &session.current_catalog {
                Some(c) => format!("{c}.{db}"),
                None => db,
            }
        }
    };
    let (external, db) = match db.split_once('.') {
        Some((c, d)) if c != lakestar_engine::catalog::DEFAULT_CATALOG => {
            (Some(c.to_string()), d.to_string())
        }
        Some((_, d)) => (None, d.to_string()),
        None => (None, db),
    };
    let relations: Vec<(String, &str)> = if let Some(catalog) = &external {
        let database = ctx
            .external_catalog(catalog)?
            .schema(&db)
            .ok_or_else(|| user_err!(UnknownDatabase, "Unknown database '{catalog}.{db}'"))?;
        let mut tables = database.table_names();
        tables.sort();
        tables.into_iter().map(|t| (t, "BASE TABLE")).collect()
    } else if db == INFORMATION_SCHEMA {
        crate::information_schema::TABLE_NAMES
            .iter()
            .map(|t| (t.to_ascii_uppercase(), "SYSTEM VIEW"))
            .collect()
    } else if let Some(entry) = ctx.catalog.snapshot().databases.get(&db) {
        let mut all: Vec<(String, &str)> = entry
            .tables
            .keys()
            .map(|t| (t.clone(), "BASE TABLE"))
            .chain(entry.views.keys().map(|v| (v.clone(), "VIEW")))
            .collect();
        all.sort();
        all
    } else {
        return Err(user_err!(UnknownDatabase, "Unknown database '{db}'"));
    };
    let pattern = options_filter(options)?;
    let names = relations
        .into_iter()
        .filter(|(t, _)| pattern.as_deref().is_none_or(|p| like_matches(p, t)));
    let header = format!("Tables_in_{db}");
    if full {
        let rows = names
            .map(|(t, kind)| vec![Some(t), Some(kind.to_string())])
            .collect();
        QueryOutput::text_rows(&[header.as_str(), "Table_type"], rows)
    } else {
        let rows = names.map(|(t, _)| vec![Some(t)]).collect();
        QueryOutput::text_rows(&[header.as_str()], rows)
    }
}

pub fn variables(
    ctx: &FrontendContext,
    session: &Session,
    filter: Option<&ShowStatementFilter>,
    global: bool,
) -> Result<QueryOutput> {
    let pattern = like_filter(filter)?;
    let rows = session
        .variables
        .all(&ctx.globals)
        .into_iter()
        .filter(|(name, _)| pattern.as_deref().is_none_or(|p| like_matches(p, name)))
        .map(|(name, value)| {
            let value = if global {
                ctx.globals.get(name).unwrap_or(value)
            } else {
                value
            };
            vec![Some(name.to_string()), Some(value.to_string())]
        })
        .collect();
    QueryOutput::text_rows(&["Variable_name", "Value"], rows)
}

#[cfg(test)]
mod tests {
    use super::like_matches;

    #[test]
    fn like_patterns() {
        assert!(like_matches("sql_%", "sql_mode"));
        assert!(like_matches("%MODE", "sql_mode"));
        assert!(like_matches("a_c", "abc"));
        assert!(!like_matches("a_c", "abbc"));
        assert!(like_matches("lower\\_case%", "lower_case_table_names"));
    }
}
