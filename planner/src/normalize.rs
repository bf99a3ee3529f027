//! Identifier normalisation: Lakestar compares every identifier case-insensitively
//! (`lower_case_table_names = 1`), quoted or not, so backquotes only allow unusual names.

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

    fn pre_visit_relation(&mut self, relation: &mut sqlparser::ast::ObjectName) -> ControlFlow<()> {
        for part in relation.0.iter_mut() {
            if let sqlparser::ast::ObjectNamePart::Identifier(i) = part {
                Self::ident(i);
            }
        }
        ControlFlow::Continue(())
    }
}

/// MySQL/StarRocks type names in CAST that DataFusion spells differently.
fn map_cast_type(data_type: &mut sqlparser::ast::DataType) {
    use sqlparser::ast::{DataType as D, ExactNumberInfo};
    let mapped = match data_type {
        D::Datetime(precision) => {
            Some(D::Timestamp(*precision, sqlparser::ast::TimezoneInfo::None))
        }
        D::Signed | D::SignedInteger => Some(D::BigInt(None)),
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

/// The normalised form of a name used in DDL.
pub fn normalize_name(ident: &Ident) -> String {
    ident.value.to_lowercase()
}
