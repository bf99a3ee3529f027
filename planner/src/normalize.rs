//! Normalisation of the SQL tree before binding. Identifiers: Lakestar compares every
//! identifier case-insensitively (`lower_case_table_names = 1`), quoted or not, so
//! backquotes only allow unusual names. MySQL spellings DataFusion reads otherwise:
//! `FROM DUAL`, `IF()`, `CONVERT`, `LOCATE`, `CAST ... AS JSON`, CASTs that cannot convert
//! (NULL), numbers with an exponent (DOUBLE), and truth values (`WHERE flag`, `NOT x`,
//! logical `XOR`: [`conditions_as_truth`], [`truth_operands`]).

use std::ops::ControlFlow;

use sqlparser::ast::{Ident, Statement, VisitMut, VisitorMut};

struct Unquote;

impl Unquote {
    fn ident(ident: &mut Ident) {
        if ident.quote_style == Some('`') {
            ident.quote_style = None;
        }
    }
}

impl VisitorMut for Unquote {
    type Break = ();

    /// `FROM DUAL` means no table in MySQL.
    fn pre_visit_query(&mut self, query: &mut sqlparser::ast::Query) -> ControlFlow<()> {
        if let sqlparser::ast::SetExpr::Select(select) = query.body.as_mut() {
            let is_dual = matches!(select.from.as_slice(), [twj] if twj.joins.is_empty()
                && matches!(&twj.relation, sqlparser::ast::TableFactor::Table { name, args: None, .. }
                    if name.0.len() == 1 && name.to_string().eq_ignore_ascii_case("dual")));
            if is_dual {
                select.from.clear();
            }
        }
        conditions_as_truth(query.body.as_mut());
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &mut sqlparser::ast::Expr) -> ControlFlow<()> {
        use sqlparser::ast::Expr;
        match expr {
            Expr::Identifier(i) => Self::ident(i),
            Expr::CompoundIdentifier(parts) => parts.iter_mut().for_each(Self::ident),
            Expr::Cast { data_type, .. } => map_cast_type(data_type),
            _ => {}
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &mut sqlparser::ast::Expr) -> ControlFlow<()> {
        if let Some(double) = exponent_literal(expr) {
            *expr = double;
        }
        if let Some(case) = mysql_if(expr) {
            *expr = case;
        }
        truth_operands(expr);
        rename_mysql_function(expr);
        if let Some(cast) = convert_as_cast(expr) {
            *expr = cast;
        }
        if let Some(strpos) = locate_as_strpos(expr) {
            *expr = strpos;
        }
        if let Some(parse) = cast_as_json(expr) {
            *expr = parse;
        }
        null_on_failed_cast(expr);
        if let Some(rewritten) = crate::mysql_syntax::rewrite(expr) {
            *expr = rewritten;
        }
        if let Some(rewritten) = crate::mysql_functions::rewrite(expr) {
            *expr = rewritten;
        }
        ControlFlow::Continue(())
    }

    /// Table functions (`FILES(...)`, `generate_series(...)`) are found by lower-case name.
    fn pre_visit_table_factor(
        &mut self,
        factor: &mut sqlparser::ast::TableFactor,
    ) -> ControlFlow<()> {
        if let sqlparser::ast::TableFactor::Table {
            name,
            args: Some(args),
            ..
        } = factor
        {
            for part in name.0.iter_mut() {
                if let sqlparser::ast::ObjectNamePart::Identifier(i) = part {
                    i.value = i.value.to_lowercase();
                }
            }
            if name.to_string() == "files" {
                flatten_properties(&mut args.args);
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_relation(&mut self, relation: &mut sqlparser::ast::ObjectName) -> ControlFlow<()> {
        for part in relation.0.iter_mut() {
            if let sqlparser::ast::ObjectNamePart::Identifier(i) = part {
                Self::ident(i);
            }
        }
        ControlFlow::Continue(())
    }
}

/// `CONVERT(expr, type)` is `CAST(expr AS type)`.
fn convert_as_cast(expr: &sqlparser::ast::Expr) -> Option<sqlparser::ast::Expr> {
    use sqlparser::ast::{CastKind, Expr};
    let Expr::Convert {
        is_try: false,
        expr,
        data_type: Some(data_type),
        charset: None,
        ..
    } = expr
    else {
        return None;
    };
    let mut data_type = data_type.clone();
    map_cast_type(&mut data_type);
    Some(Expr::Cast {
        kind: CastKind::Cast,
        expr: expr.clone(),
        data_type,
        array: false,
        format: None,
    })
}

/// A CAST to a number, date or time that cannot convert its value is NULL, as in
/// StarRocks (`CAST('abc' AS INT)`, `CAST(300 AS TINYINT)`); MySQL would give 0 or a
/// truncated value with a warning. Documented in the README.
fn null_on_failed_cast(expr: &mut sqlparser::ast::Expr) {
    use sqlparser::ast::{CastKind, DataType as D, Expr};
    let Expr::Cast {
        kind: kind @ (CastKind::Cast | CastKind::DoubleColon),
        data_type,
        ..
    } = expr
    else {
        return;
    };
    let fallible = matches!(
        data_type,
        D::TinyInt(_)
            | D::SmallInt(_)
            | D::MediumInt(_)
            | D::Int(_)
            | D::Integer(_)
            | D::BigInt(_)
            | D::Signed
            | D::SignedInteger
            | D::Unsigned
            | D::UnsignedInteger
            | D::TinyIntUnsigned(_)
            | D::SmallIntUnsigned(_)
            | D::IntUnsigned(_)
            | D::IntegerUnsigned(_)
            | D::BigIntUnsigned(_)
            | D::Float(_)
            | D::Double(_)
            | D::DoublePrecision
            | D::Real
            | D::Decimal(_)
            | D::Numeric(_)
            | D::Dec(_)
            | D::Date
            | D::Datetime(_)
            | D::Timestamp(..)
            | D::Time(..)
    );
    if fallible {
        *kind = CastKind::TryCast;
    }
}

/// WHERE, HAVING and ON conditions that are values rather than predicates (`WHERE flag`,
/// `WHERE 'abc'`, `HAVING SUM(x)`) are compared with 0, as MySQL reads them: DataFusion
/// refuses a filter that is not a boolean before any rule could convert it. Predicates
/// keep their shape; operands of AND / OR / NOT are [`truth_operands`]'.
fn conditions_as_truth(body: &mut sqlparser::ast::SetExpr) {
    use sqlparser::ast::{JoinConstraint, JoinOperator, SetExpr};
    match body {
        SetExpr::Select(select) => {
            for condition in [select.selection.as_mut(), select.having.as_mut()]
                .into_iter()
                .flatten()
            {
                truth(condition);
            }
            for join in select.from.iter_mut().flat_map(|t| t.joins.iter_mut()) {
                let constraint = match &mut join.join_operator {
                    JoinOperator::Join(c)
                    | JoinOperator::Inner(c)
                    | JoinOperator::Left(c)
                    | JoinOperator::LeftOuter(c)
                    | JoinOperator::Right(c)
                    | JoinOperator::RightOuter(c)
                    | JoinOperator::FullOuter(c) => c,
                    _ => continue,
                };
                if let JoinConstraint::On(on) = constraint {
                    truth(on);
                }
            }
        }
        SetExpr::SetOperation { left, right, .. } => {
            conditions_as_truth(left);
            conditions_as_truth(right);
        }
        _ => {}
    }
}

/// The operands of AND, OR, XOR and NOT and the conditions of a CASE as truth values
/// (`NOT flag`, `a AND b` of numbers, `CASE WHEN 'abc' ...`), as MySQL reads them.
fn truth_operands(expr: &mut sqlparser::ast::Expr) {
    use sqlparser::ast::{BinaryOperator as B, Expr, UnaryOperator};
    match expr {
        Expr::BinaryOp { left, op, right } if matches!(op, B::And | B::Or | B::Xor) => {
            truth(left);
            truth(right);
            // Logical XOR of two truth values is their inequality (NULL stays NULL);
            // DataFusion would take XOR as the bitwise operator.
            if *op == B::Xor {
                *op = B::NotEq;
            }
        }
        Expr::UnaryOp {
            op: UnaryOperator::Not,
            expr,
        } => truth(expr),
        Expr::Case {
            operand: None,
            conditions,
            ..
        } => conditions.iter_mut().for_each(|c| truth(&mut c.condition)),
        _ => {}
    }
}

/// `expr <> 0` unless `expr` is shaped like a predicate.
fn truth(expr: &mut sqlparser::ast::Expr) {
    use sqlparser::ast::{BinaryOperator as B, Expr, UnaryOperator, Value};
    let mut inner = &*expr;
    while let Expr::Nested(e) = inner {
        inner = e;
    }
    let predicate = match inner {
        Expr::BinaryOp { op, .. } => matches!(
            op,
            B::Eq
                | B::NotEq
                | B::Lt
                | B::LtEq
                | B::Gt
                | B::GtEq
                | B::Spaceship
                | B::And
                | B::Or
                | B::Xor
                | B::Regexp
                | B::PGRegexMatch
                | B::PGRegexIMatch
                | B::PGRegexNotMatch
                | B::PGRegexNotIMatch
        ),
        Expr::UnaryOp { op, .. } => *op == UnaryOperator::Not,
        Expr::Value(v) => matches!(v.value, Value::Boolean(_) | Value::Null),
        Expr::IsNull(_)
        | Expr::IsNotNull(_)
        | Expr::IsTrue(_)
        | Expr::IsNotTrue(_)
        | Expr::IsFalse(_)
        | Expr::IsNotFalse(_)
        | Expr::IsUnknown(_)
        | Expr::IsNotUnknown(_)
        | Expr::IsDistinctFrom(..)
        | Expr::IsNotDistinctFrom(..)
        | Expr::InList { .. }
        | Expr::InSubquery { .. }
        | Expr::InUnnest { .. }
        | Expr::Between { .. }
        | Expr::Like { .. }
        | Expr::ILike { .. }
        | Expr::SimilarTo { .. }
        | Expr::RLike { .. }
        | Expr::Exists { .. }
        | Expr::AnyOp { .. }
        | Expr::AllOp { .. } => true,
        _ => false,
    };
    if !predicate {
        let value = std::mem::replace(expr, Expr::Value(Value::Null.into()));
        *expr = Expr::BinaryOp {
            left: Box::new(Expr::Nested(Box::new(value))),
            op: B::NotEq,
            right: Box::new(Expr::Value(Value::Number("0".into(), false).into())),
        };
    }
}

/// A number written with an exponent (`1e3`, `2.5E-3`) is a DOUBLE in MySQL; DataFusion
/// would read it as a DECIMAL of negative scale (and refuse `1e308`).
fn exponent_literal(expr: &sqlparser::ast::Expr) -> Option<sqlparser::ast::Expr> {
    use sqlparser::ast::{CastKind, DataType as D, ExactNumberInfo, Expr, Value};
    let Expr::Value(v) = expr else {
        return None;
    };
    let Value::Number(n, _) = &v.value else {
        return None;
    };
    if !n.contains(['e', 'E']) {
        return None;
    }
    Some(Expr::Cast {
        kind: CastKind::Cast,
        expr: Box::new(Expr::Value(Value::SingleQuotedString(n.clone()).into())),
        data_type: D::Double(ExactNumberInfo::None),
        array: false,
        format: None,
    })
}

/// `CAST(x AS JSON)` is `parse_json(x)`: text is parsed (NULL when it is not JSON), other
/// values become JSON values.
fn cast_as_json(expr: &sqlparser::ast::Expr) -> Option<sqlparser::ast::Expr> {
    use sqlparser::ast::{
        DataType as D, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgumentList,
        FunctionArguments, Ident, ObjectName,
    };
    let Expr::Cast {
        expr, data_type, ..
    } = expr
    else {
        return None;
    };
    let is_json = match data_type {
        D::JSON => true,
        D::Custom(name, args) => args.is_empty() && name.to_string().eq_ignore_ascii_case("json"),
        _ => false,
    };
    if !is_json {
        return None;
    }
    Some(Expr::Function(Function {
        name: ObjectName::from(vec![Ident::new("parse_json")]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: vec![FunctionArg::Unnamed(FunctionArgExpr::Expr(*expr.clone()))],
            clauses: vec![],
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    }))
}

/// `LOCATE(needle, haystack)` is `STRPOS(haystack, needle)`.
fn locate_as_strpos(expr: &sqlparser::ast::Expr) -> Option<sqlparser::ast::Expr> {
    use sqlparser::ast::{Expr, FunctionArguments};
    let Expr::Function(f) = expr else {
        return None;
    };
    if f.name.0.len() != 1 || !f.name.to_string().eq_ignore_ascii_case("locate") {
        return None;
    }
    let FunctionArguments::List(list) = &f.args else {
        return None;
    };
    if list.args.len() != 2 {
        return None;
    }
    let mut f = f.clone();
    if let FunctionArguments::List(list) = &mut f.args {
        list.args.swap(0, 1);
    }
    f.name = sqlparser::ast::ObjectName::from(vec![Ident::new("strpos")]);
    Some(Expr::Function(f))
}

/// MySQL spellings of functions DataFusion has under another name.
fn rename_mysql_function(expr: &mut sqlparser::ast::Expr) {
    let sqlparser::ast::Expr::Function(f) = expr else {
        return;
    };
    if f.name.0.len() != 1 {
        return;
    }
    let renamed = match f.name.to_string().to_ascii_lowercase().as_str() {
        "ucase" => "upper",
        "lcase" => "lower",
        "ifnull" => "coalesce",
        "mid" => "substr",
        _ => return,
    };
    f.name = sqlparser::ast::ObjectName::from(vec![Ident::new(renamed)]);
}

/// MySQL's `IF(cond, a, b)` as `CASE WHEN cond THEN a ELSE b END`.
fn mysql_if(expr: &sqlparser::ast::Expr) -> Option<sqlparser::ast::Expr> {
    use sqlparser::ast::{CaseWhen, Expr, FunctionArg, FunctionArgExpr, FunctionArguments};
    let Expr::Function(f) = expr else {
        return None;
    };
    if f.name.0.len() != 1 || !f.name.to_string().eq_ignore_ascii_case("if") {
        return None;
    }
    let FunctionArguments::List(list) = &f.args else {
        return None;
    };
    let args: Vec<Expr> = list
        .args
        .iter()
        .map(|a| match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e.clone()),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let [condition, then, otherwise] = <[Expr; 3]>::try_from(args).ok()?;
    Some(Expr::Case {
        case_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
        end_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
        operand: None,
        conditions: vec![CaseWhen {
            condition,
            result: then,
        }],
        else_result: Some(Box::new(otherwise)),
    })
}

/// StarRocks passes table-function properties as `"key" = "value"`, which DataFusion
/// would fold to a boolean; pass them as `'key', 'value'` argument pairs instead.
fn flatten_properties(args: &mut Vec<sqlparser::ast::FunctionArg>) {
    use sqlparser::ast::{BinaryOperator, Expr, FunctionArg, FunctionArgExpr};
    let mut flat = Vec::with_capacity(args.len() * 2);
    for arg in args.drain(..) {
        match arg {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::BinaryOp {
                left,
                op: BinaryOperator::Eq,
                right,
            })) => {
                flat.push(FunctionArg::Unnamed(FunctionArgExpr::Expr(*left)));
                flat.push(FunctionArg::Unnamed(FunctionArgExpr::Expr(*right)));
            }
            other => flat.push(other),
        }
    }
    *args = flat;
}

/// MySQL/StarRocks type names in CAST that DataFusion spells differently.
fn map_cast_type(data_type: &mut sqlparser::ast::DataType) {
    use sqlparser::ast::{DataType as D, ExactNumberInfo};
    let mapped = match data_type {
        // DATETIME(1..6) keeps microseconds (DataFusion takes only 0, 3, 6 or 9).
        D::Datetime(Some(p)) if (1..=6).contains(p) => {
            Some(D::Timestamp(Some(6), sqlparser::ast::TimezoneInfo::None))
        }
        D::Datetime(precision) => {
            Some(D::Timestamp(*precision, sqlparser::ast::TimezoneInfo::None))
        }
        D::Signed | D::SignedInteger => Some(D::BigInt(None)),
        // MySQL: DECIMAL is DECIMAL(10, 0), DECIMAL(p) is DECIMAL(p, 0).
        D::Decimal(ExactNumberInfo::None) | D::Numeric(ExactNumberInfo::None) => {
            Some(D::Decimal(ExactNumberInfo::PrecisionAndScale(10, 0)))
        }
        D::Decimal(ExactNumberInfo::Precision(p)) | D::Numeric(ExactNumberInfo::Precision(p)) => {
            Some(D::Decimal(ExactNumberInfo::PrecisionAndScale(*p, 0)))
        }
        D::Unsigned | D::UnsignedInteger => Some(D::BigIntUnsigned(None)),
        D::Custom(name, args) if args.is_empty() => {
            match name.to_string().to_ascii_uppercase().as_str() {
                "LARGEINT" => Some(D::Decimal(ExactNumberInfo::PrecisionAndScale(
                    lakestar_engine::types::LARGEINT_PRECISION as u64,
                    0,
                ))),
                "STRING" => Some(D::Varchar(None)),
                _ => None,
            }
        }
        _ => None,
    };
    if let Some(m) = mapped {
        *data_type = m;
    }
}

/// Make backquoted identifiers case-insensitive like unquoted ones, and spell MySQL
/// types in CAST the way DataFusion knows them.
pub fn normalize_identifiers(statement: &mut Statement) {
    let _ = statement.visit(&mut Unquote);
}

/// [`normalize_identifiers`] for one expression (a column's DEFAULT text, parsed).
pub fn normalize_expr(expr: &mut sqlparser::ast::Expr) {
    let _ = expr.visit(&mut Unquote);
}

/// The normalised form of a name used in DDL.
pub fn normalize_name(ident: &Ident) -> String {
    ident.value.to_lowercase()
}

/// An expression's text as the user wrote it: numbered parameters (`$1`) shown as `?`,
/// and the `TRY_CAST` of [`null_on_failed_cast`] as the `CAST` it was (and `CEIL` /
/// `FLOOR` as written, see `mysql_functions::as_written`).
fn text_with_question_marks(expr: &sqlparser::ast::Expr) -> String {
    use sqlparser::ast::{CastKind, Expr, Value};
    let mut expr = expr.clone();
    let _ = sqlparser::ast::visit_expressions_mut(&mut expr, |e| {
        let written = match &*e {
            Expr::Function(f) => crate::mysql_functions::as_written(f),
            _ => None,
        };
        if let Some(written) = written {
            *e = written;
        }
        match e {
            Expr::Value(v) if matches!(v.value, Value::Placeholder(_)) => {
                v.value = Value::Placeholder("?".to_string());
            }
            Expr::Cast { kind, .. } if *kind == CastKind::TryCast => *kind = CastKind::Cast,
            _ => {}
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    expr.to_string()
}

/// Name unaliased result columns the way MySQL does: after the expression as written
/// (`sum(amount)`, `1`, `'text'` → `text`), not DataFusion's internal form
/// (`sum(t.amount)`, `Int64(1)`). Plain column references keep their column name.
pub fn mysql_column_names(statement: &mut Statement) {
    use sqlparser::ast::{Expr, SelectItem, SetExpr, Value};
    let Statement::Query(query) = statement else {
        return;
    };
    let mut body = query.body.as_mut();
    let select = loop {
        match body {
            SetExpr::Select(select) => break select,
            SetExpr::SetOperation { left, .. } => body = left.as_mut(),
            SetExpr::Query(q) => body = q.body.as_mut(),
            _ => return,
        }
    };
    let mut taken: Vec<String> = select
        .projection
        .iter()
        .filter_map(|item| match item {
            SelectItem::ExprWithAlias { alias, .. } => Some(alias.value.to_lowercase()),
            SelectItem::UnnamedExpr(Expr::Identifier(i)) => Some(i.value.to_lowercase()),
            SelectItem::UnnamedExpr(Expr::CompoundIdentifier(parts)) => {
                parts.last().map(|i| i.value.to_lowercase())
            }
            _ => None,
        })
        .collect();
    for item in select.projection.iter_mut() {
        let SelectItem::UnnamedExpr(expr) = item else {
            continue;
        };
        let name = match &*expr {
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) => continue,
            Expr::Value(v) => match &v.value {
                Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => s.clone(),
                Value::Placeholder(_) => "?".to_string(),
                other => other.to_string(),
            },
            other => text_with_question_marks(other),
        };
        if taken.contains(&name.to_lowercase()) {
            continue;
        }
        taken.push(name.to_lowercase());
        *item = SelectItem::ExprWithAlias {
            expr: expr.clone(),
            alias: Ident::with_quote('`', name),
        };
    }
}
