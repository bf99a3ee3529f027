//! Statements built as syntax trees from their parts, never as text to parse: the INSERTs
//! that CREATE TABLE ... AS SELECT and materialized-view refreshes run.

use sqlparser::ast::{
    BinaryOperator, Expr, Ident, Insert, ObjectName, ObjectNamePart, Query, Statement, TableAlias,
    TableFactor, TableObject, TableWithJoins, Value,
};

/// A name as written between backquotes.
fn quoted(name: &str) -> Ident {
    Ident::with_quote('`', name)
}

/// `db.table` as a name.
pub fn table_name(database: &str, table: &str) -> ObjectName {
    ObjectName(vec![
        ObjectNamePart::Identifier(quoted(database)),
        ObjectNamePart::Identifier(quoted(table)),
    ])
}

/// `INSERT [OVERWRITE | INTO] target [(columns)] [PARTITION (...)] query`.
pub fn insert(
    target: ObjectName,
    columns: Vec<Ident>,
    partition: Option<Vec<Expr>>,
    query: Query,
    overwrite: bool,
) -> Statement {
    Statement::Insert(Insert {
        insert_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
        optimizer_hints: vec![],
        or: None,
        ignore: false,
        into: !overwrite,
        table: TableObject::TableName(target),
        table_alias: None,
        columns: columns
            .into_iter()
            .map(|c| ObjectName(vec![ObjectNamePart::Identifier(c)]))
            .collect(),
        overwrite,
        source: Some(Box::new(query)),
        assignments: vec![],
        partitioned: partition,
        after_columns: vec![],
        has_table_keyword: false,
        on: None,
        returning: None,
        output: None,
        replace_into: false,
        priority: None,
        insert_alias: None,
        settings: None,
        format_clause: None,
        multi_table_insert_type: None,
        multi_table_into_clauses: vec![],
        multi_table_when_clauses: vec![],
        multi_table_else_clause: None,
    })
}

/// `INSERT OVERWRITE target PARTITION (column = value) (others) SELECT others FROM
/// (query) AS __rows WHERE column = value`: the query's rows of one partition replace it.
pub fn partition_overwrite(
    target: ObjectName,
    column: &str,
    value: &str,
    others: &[String],
    query: Query,
) -> Statement {
    let value = Expr::Value(Value::SingleQuotedString(value.to_string()).into());
    let equals = |qualified: bool| Expr::BinaryOp {
        left: Box::new(if qualified {
            Expr::CompoundIdentifier(vec![Ident::new("__rows"), quoted(column)])
        } else {
            Expr::Identifier(quoted(column))
        }),
        op: BinaryOperator::Eq,
        right: Box::new(value.clone()),
    };
    let from = TableWithJoins {
        relation: TableFactor::Derived {
            lateral: false,
            subquery: Box::new(query),
            alias: Some(TableAlias {
                explicit: true,
                name: Ident::new("__rows"),
                columns: vec![],
                at: None,
            }),
            sample: None,
        },
        joins: vec![],
    };
    let projection = others
        .iter()
        .map(|c| Expr::CompoundIdentifier(vec![Ident::new("__rows"), quoted(c)]))
        .collect();
    let rows = lakestar_planner::bind::write_rows::select_query(
        None,
        false,
        projection,
        vec![from],
        Some(equals(true)),
    );
    insert(
        target,
        others.iter().map(|c| quoted(c)).collect(),
        Some(vec![equals(false)]),
        *rows,
        true,
    )
}
