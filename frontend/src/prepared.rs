//! Prepared statements, shared by the binary protocol (COM_STMT_*) and SQL-level
//! `PREPARE s FROM '...'` / `EXECUTE s USING @a` / `DEALLOCATE PREPARE s`.
//!
//! A prepared statement keeps the parsed statement, whose `?` markers were numbered `$1`,
//! `$2`, ... by the parser. Executing it binds the parameter values as typed literals into
//! the logical plan (SELECT, INSERT, EXPLAIN: see `lakestar_planner::params`); for other
//! statements (SHOW ... LIKE ?) the values replace the placeholders in the parsed
//! statement. SQL text is never rebuilt from values.

use std::collections::HashMap;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::scalar::ScalarValue;
use lakestar_engine::{user_err, Error, Result};
use sqlparser::ast::{Expr as SqlExpr, Statement as Sql, Value};

use crate::context::FrontendContext;
use crate::dispatch;
use crate::handlers::query;
use crate::output::QueryOutput;
use crate::session::Session;
use crate::sql::{self, Statement};

/// A statement prepared once and executed many times.
#[derive(Debug, Clone)]
pub struct PreparedStatement {
    pub statement: Statement,
    pub param_count: usize,
    /// Parameter types (MySQL type code, unsigned) the client last bound.
    pub param_types: Vec<(u8, bool)>,
    /// Values sent with COM_STMT_SEND_LONG_DATA, by parameter index.
    pub long_data: HashMap<usize, Vec<u8>>,
}

impl PreparedStatement {
    pub fn parse(text: &str) -> Result<Self> {
        let (statement, param_count) = sql::parse_prepared(text)?;
        Ok(Self {
            statement,
            param_count,
            param_types: vec![],
            long_data: HashMap::new(),
        })
    }
}

/// The result columns a prepared query will return, when they can be known before its
/// parameters are (the COM_STMT_PREPARE response).
pub async fn result_schema(
    ctx: &FrontendContext,
    session: &Session,
    statement: &Statement,
) -> Result<Option<SchemaRef>> {
    let Statement::Sql(sql) = statement else {
        return Ok(None);
    };
    if !matches!(**sql, Sql::Query(_)) {
        return Ok(None);
    }
    match query::bind(ctx, session, (**sql).clone(), None).await {
        Ok((_, plan)) => Ok(Some(plan.schema().inner().clone())),
        // Missing tables and columns are reported at prepare time, as MySQL does.
        Err(e) if is_reference_error(&e) => Err(e),
        // Other errors may depend on the parameters' types: report them on execute.
        Err(_) => Ok(None),
    }
}

fn is_reference_error(e: &Error) -> bool {
    use lakestar_engine::Reason as R;
    matches!(
        e.reason(),
        R::Syntax | R::UnknownTable | R::UnknownDatabase | R::UnknownColumn | R::NoDatabaseSelected
    )
}

/// Run a prepared statement with its parameter values.
pub async fn execute(
    ctx: &FrontendContext,
    session: &mut Session,
    statement: Statement,
    params: Vec<ScalarValue>,
) -> Result<QueryOutput> {
    match statement {
        Statement::Sql(sql) => match *sql {
            s @ (Sql::Query(_) | Sql::Explain { .. }) => {
                query::handle(ctx, session, s, Some(&params)).await
            }
            s @ Sql::Insert(_) => {
                crate::handlers::insert::handle(ctx, session, s, Some(&params)).await
            }
            mut other => {
                substitute(&mut other, &params)?;
                Box::pin(dispatch::execute(
                    ctx,
                    session,
                    Statement::Sql(Box::new(other)),
                ))
                .await
            }
        },
        other if params.is_empty() => Box::pin(dispatch::execute(ctx, session, other)).await,
        _ => Err(Error::unsupported(
            "Parameters are not supported in this statement",
        )),
    }
}

/// Replace `$n` placeholders of a parsed statement by literal values.
fn substitute(statement: &mut Sql, params: &[ScalarValue]) -> Result<()> {
    let mut failure = None;
    let _ = sqlparser::ast::visit_expressions_mut(statement, |expr| {
        if let SqlExpr::Value(v) = expr {
            if let Value::Placeholder(p) = &v.value {
                let index = p
                    .strip_prefix('$')
                    .and_then(|n| n.parse::<usize>().ok())
                    .and_then(|n| n.checked_sub(1));
                match index.and_then(|i| params.get(i)) {
                    Some(value) => v.value = literal(value),
                    None => {
                        failure = Some(user_err!(WrongArguments, "Incorrect arguments to EXECUTE"))
                    }
                }
            }
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    failure.map_or(Ok(()), Err)
}

fn literal(value: &ScalarValue) -> Value {
    if value.is_null() {
        return Value::Null;
    }
    match value {
        ScalarValue::Int64(_)
        | ScalarValue::UInt64(_)
        | ScalarValue::Float64(_)
        | ScalarValue::Float32(_)
        | ScalarValue::Decimal128(..) => Value::Number(value.to_string(), false),
        ScalarValue::Boolean(Some(b)) => Value::Boolean(*b),
        other => Value::SingleQuotedString(other.to_string()),
    }
}

/// `PREPARE name FROM 'text' | @var`.
pub fn prepare_from(
    session: &mut Session,
    name: &str,
    text: Option<&str>,
    variable: Option<&str>,
) -> Result<QueryOutput> {
    let text = match (text, variable) {
        (Some(t), _) => t.to_string(),
        (None, Some(var)) => match session.user_variables.values.get(var) {
            Some(ScalarValue::Utf8(Some(s)) | ScalarValue::Utf8View(Some(s))) => s.clone(),
            _ => {
                return Err(Error::syntax(format!(
                    "PREPARE ... FROM @{var}: the variable does not hold a statement"
                )))
            }
        },
        (None, None) => return Err(Error::syntax("PREPARE needs a statement")),
    };
    let prepared = PreparedStatement::parse(&text)?;
    session.named_prepared.insert(name.to_string(), prepared);
    Ok(QueryOutput::ok())
}

/// `EXECUTE name [USING @a, @b, ...]`.
pub async fn execute_using(
    ctx: &FrontendContext,
    session: &mut Session,
    name: &str,
    using: &[sqlparser::ast::ExprWithAlias],
) -> Result<QueryOutput> {
    let prepared = session
        .named_prepared
        .get(name)
        .cloned()
        .ok_or_else(|| unknown_statement(name))?;
    let mut params = Vec::with_capacity(using.len());
    for e in using {
        let value = match &e.expr {
            SqlExpr::Identifier(id) if id.value.starts_with('@') => session
                .user_variables
                .values
                .get(&id.value.trim_start_matches('@').to_lowercase())
                .cloned()
                .unwrap_or(ScalarValue::Utf8(None)),
            SqlExpr::Value(v) => match &v.value {
                Value::Number(n, _) => n
                    .parse::<i64>()
                    .map(|i| ScalarValue::Int64(Some(i)))
                    .or_else(|_| n.parse::<f64>().map(|f| ScalarValue::Float64(Some(f))))
                    .map_err(|_| Error::syntax(format!("bad number {n}")))?,
                Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => {
                    ScalarValue::Utf8(Some(s.clone()))
                }
                Value::Null => ScalarValue::Utf8(None),
                other => ScalarValue::Utf8(Some(other.to_string())),
            },
            other => {
                return Err(Error::syntax(format!(
                    "EXECUTE ... USING takes user variables, found {other}"
                )))
            }
        };
        params.push(value);
    }
    if params.len() != prepared.param_count {
        return Err(user_err!(WrongArguments, "Incorrect arguments to EXECUTE"));
    }
    execute(ctx, session, prepared.statement, params).await
}

/// `DEALLOCATE PREPARE name`.
pub fn deallocate(session: &mut Session, name: &str) -> Result<QueryOutput> {
    session
        .named_prepared
        .remove(name)
        .map(|_| QueryOutput::ok())
        .ok_or_else(|| unknown_statement(name))
}

pub fn unknown_statement(name: &str) -> Error {
    user_err!(
        UnknownPreparedStatement,
        "Unknown prepared statement handler ({name}) given to EXECUTE"
    )
}
