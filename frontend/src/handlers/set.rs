//! SET: system variables (session or global), user variables, NAMES, TRANSACTION.

use datafusion::common::ScalarValue;
use lakestar_engine::variables::VarValue;
use lakestar_engine::{Error, Result};
use sqlparser::ast::{
    ContextModifier, Expr, ObjectName, Query, SelectItem, Set, SetExpr, Statement,
    TransactionIsolationLevel, TransactionMode, UnaryOperator, Value,
};

use crate::context::FrontendContext;
use crate::output::QueryOutput;
use crate::session::Session;

pub async fn handle(ctx: &FrontendContext, session: &mut Session, set: Set) -> Result<QueryOutput> {
    match set {
        Set::SingleAssignment {
            scope,
            variable,
            values,
            ..
        } => {
            let value = match values.as_slice() {
                [v] => v.clone(),
                _ => Expr::Value(
                    Value::SingleQuotedString(
                        values
                            .iter()
                            .map(|v| v.to_string())
                            .collect::<Vec<_>>()
                            .join(","),
                    )
                    .into(),
                ),
            };
            assign(ctx, session, scope, &variable, value).await?;
        }
        Set::MultipleAssignments { assignments } => {
            for a in assignments {
                assign(ctx, session, a.scope, &a.name, a.value).await?;
            }
        }
        Set::SetNames { charset_name, .. } => set_names(session, &charset_name.value)?,
        Set::SetNamesDefault {} => set_names(session, "utf8mb4")?,
        Set::SetTransaction { modes, .. } => {
            for mode in modes {
                match mode {
                    TransactionMode::IsolationLevel(level) => {
                        let name = match level {
                            TransactionIsolationLevel::ReadUncommitted => "READ-UNCOMMITTED",
                            TransactionIsolationLevel::ReadCommitted => "READ-COMMITTED",
                            TransactionIsolationLevel::RepeatableRead => "REPEATABLE-READ",
                            _ => "SERIALIZABLE",
                        };
                        session
                            .variables
                            .set("transaction_isolation", &VarValue::Str(name.into()))?;
                    }
                    TransactionMode::AccessMode(mode) => {
                        let read_only =
                            matches!(mode, sqlparser::ast::TransactionAccessMode::ReadOnly);
                        session
                            .variables
                            .set("transaction_read_only", &VarValue::Int(read_only as i64))?;
                    }
                }
            }
        }
        Set::SetTimeZone { value, .. } => {
            let v = literal(&value).unwrap_or_else(|| VarValue::Str(value.to_string()));
            session.variables.set("time_zone", &v)?;
        }
        other => return Err(Error::unsupported(format!("{other} is not supported"))),
    }
    Ok(QueryOutput::ok())
}

fn set_names(session: &mut Session, charset: &str) -> Result<()> {
    let v = VarValue::Str(charset.to_lowercase());
    for name in [
        "character_set_client",
        "character_set_connection",
        "character_set_results",
    ] {
        session.variables.set(name, &v)?;
    }
    Ok(())
}

async fn assign(
    ctx: &FrontendContext,
    session: &mut Session,
    scope: Option<ContextModifier>,
    variable: &ObjectName,
    value: Expr,
) -> Result<()> {
    let full = variable.to_string();
    if let Some(user_var) = full.strip_prefix('@').filter(|v| !v.starts_with('@')) {
        let scalar = evaluate(ctx, session, value).await?;
        session
            .user_variables
            .values
            .insert(user_var.trim_matches('`').to_ascii_lowercase(), scalar);
        return Ok(());
    }
    let mut name = full.trim_start_matches('@').to_ascii_lowercase();
    let mut global = matches!(scope, Some(ContextModifier::Global));
    for (prefix, is_global) in [("global.", true), ("session.", false), ("local.", false)] {
        if let Some(rest) = name.strip_prefix(prefix) {
            global = is_global;
            name = rest.to_string();
        }
    }
    let value = match &value {
        Expr::Identifier(i) if i.value.eq_ignore_ascii_case("default") => {
            let def = lakestar_engine::variables::lookup(&name).ok_or_else(|| {
                Error::user(
                    lakestar_engine::Reason::UnknownVariable,
                    format!("Unknown system variable '{name}'"),
                )
            })?;
            VarValue::Str(def.default.to_string())
        }
        other => match literal(other) {
            Some(v) => v,
            None => scalar_to_var(evaluate(ctx, session, value).await?),
        },
    };
    if global {
        ctx.globals.set(&name, &value)
    } else {
        session.variables.set(&name, &value)
    }
}

/// A literal or bare word, without running a query.
fn literal(expr: &Expr) -> Option<VarValue> {
    match expr {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => n
                .parse::<i64>()
                .map(VarValue::Int)
                .ok()
                .or_else(|| Some(VarValue::Str(n.clone()))),
            Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => {
                Some(VarValue::Str(s.clone()))
            }
            Value::Boolean(b) => Some(VarValue::Int(*b as i64)),
            Value::Null => Some(VarValue::Null),
            _ => None,
        },
        Expr::Identifier(i) => Some(VarValue::Str(i.value.clone())),
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => match literal(expr)? {
            VarValue::Int(i) => Some(VarValue::Int(-i)),
            _ => None,
        },
        _ => None,
    }
}

fn scalar_to_var(v: ScalarValue) -> VarValue {
    if v.is_null() {
        return VarValue::Null;
    }
    match v {
        ScalarValue::Int8(Some(i)) => VarValue::Int(i.into()),
        ScalarValue::Int16(Some(i)) => VarValue::Int(i.into()),
        ScalarValue::Int32(Some(i)) => VarValue::Int(i.into()),
        ScalarValue::Int64(Some(i)) => VarValue::Int(i),
        ScalarValue::UInt64(Some(i)) => VarValue::Int(i as i64),
        ScalarValue::Boolean(Some(b)) => VarValue::Int(b as i64),
        other => VarValue::Str(other.to_string()),
    }
}

/// Evaluate an expression by planning `SELECT <expr>`.
async fn evaluate(ctx: &FrontendContext, session: &Session, expr: Expr) -> Result<ScalarValue> {
    use futures::StreamExt;
    let dialect = sqlparser::dialect::MySqlDialect {};
    let mut query: Query = *sqlparser::parser::Parser::new(&dialect)
        .try_with_sql("SELECT NULL")?
        .parse_query()?;
    if let SetExpr::Select(select) = query.body.as_mut() {
        select.projection = vec![SelectItem::UnnamedExpr(expr)];
    }
    let (state, plan) =
        super::query::bind(ctx, session, Statement::Query(Box::new(query)), None).await?;
    let crate::output::QueryOutput::Rows { mut stream, .. } =
        super::query::execute_plan(ctx, &state, &plan).await?
    else {
        return Err(Error::internal("expression returned no rows"));
    };
    while let Some(batch) = stream.next().await {
        let batch = batch.map_err(Error::from_datafusion)?;
        if batch.num_rows() > 0 {
            return ScalarValue::try_from_array(batch.column(0), 0).map_err(Error::from_datafusion);
        }
    }
    Ok(ScalarValue::Null)
}
