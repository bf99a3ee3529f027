//! Functions Lakestar adds to DataFusion's: those whose value comes from the session
//! (`DATABASE()`, `VERSION()`, `CONNECTION_ID()`, `USER()`, `CURRENT_USER()`,
//! `ROW_COUNT()`, `FOUND_ROWS()`, below) and MySQL / StarRocks functions by family
//! ([`datetime`], [`mysql_datetime`], [`mysql_time`], [`strings`], [`mysql_text`],
//! [`mysql_encoding`], [`mysql_zones`], [`json`], [`mysql_json`], [`mysql_json_edit`], [`bitmap`], [`hll`],
//! [`sleep`]), most of the MySQL ones in the [`udf`] shell; DataFusion's `REPEAT`, `LPAD`
//! and `RPAD` bounded by `max_allowed_packet` ([`bounded_strings`]); SQL-level rewrites of MySQL
//! spellings (`DIV`, `GROUP_CONCAT`, ...) are in `crate::normalize` and
//! `crate::mysql_functions`.

pub mod args;
pub mod bitmap;
pub mod bounded_strings;
pub mod datetime;
pub mod hll;
pub mod json;
pub mod mysql_datetime;
pub mod mysql_encoding;
pub mod mysql_json;
pub mod mysql_json_edit;
pub mod mysql_text;
pub mod mysql_time;
pub mod mysql_zones;
pub mod sleep;
pub mod strings;
pub mod udf;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::error::Result as DFResult;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// A zero-argument function returning a value fixed for the statement.
#[derive(Debug, PartialEq, Eq, Hash)]
struct SessionConstant {
    name: &'static str,
    aliases: Vec<String>,
    value: ScalarValue,
    signature: Signature,
}

impl ScalarUDFImpl for SessionConstant {
    fn name(&self) -> &str {
        self.name
    }

    fn aliases(&self) -> &[String] {
        &self.aliases
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> DFResult<DataType> {
        Ok(self.value.data_type())
    }

    fn invoke_with_args(&self, _args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        Ok(ColumnarValue::Scalar(self.value.clone()))
    }
}

fn constant(name: &'static str, aliases: &[&str], value: ScalarValue) -> ScalarUDF {
    ScalarUDF::new_from_impl(SessionConstant {
        name,
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        value,
        signature: Signature::nullary(Volatility::Stable),
    })
}

/// What session functions report.
#[derive(Debug, Clone)]
pub struct SessionFunctionValues {
    pub current_database: Option<String>,
    pub connection_id: u32,
    pub user: String,
    pub client_host: String,
    pub server_version: String,
    /// `ROW_COUNT()`: rows the previous statement changed (-1 after a result set).
    pub row_count: i64,
    /// `FOUND_ROWS()`: rows the last result set had (0 before any).
    pub found_rows: u64,
    /// `@@warning_count` and `@@error_count`: the previous statement's diagnostics.
    pub warning_count: u64,
    pub error_count: u64,
}

/// The session functions for one statement.
pub fn session_functions(v: &SessionFunctionValues) -> Vec<ScalarUDF> {
    vec![
        constant(
            "database",
            &["schema"],
            ScalarValue::Utf8(v.current_database.clone()),
        ),
        constant(
            "version",
            &[],
            ScalarValue::Utf8(Some(v.server_version.clone())),
        ),
        constant("row_count", &[], ScalarValue::Int64(Some(v.row_count))),
        constant("found_rows", &[], ScalarValue::UInt64(Some(v.found_rows))),
        constant(
            "connection_id",
            &[],
            ScalarValue::UInt64(Some(v.connection_id as u64)),
        ),
        constant(
            "user",
            &["session_user", "system_user"],
            ScalarValue::Utf8(Some(format!("{}@{}", v.user, v.client_host))),
        ),
        constant(
            "current_user",
            &[],
            ScalarValue::Utf8(Some(format!("'{}'@'%'", v.user))),
        ),
        // StarRocks' version probe (the Flink connector sends it): "<version> <commit>".
        constant(
            "current_version",
            &[],
            ScalarValue::Utf8(Some(format!(
                "{} lakestar",
                lakestar_engine::variables::LAKESTAR_VERSION
            ))),
        ),
    ]
}
