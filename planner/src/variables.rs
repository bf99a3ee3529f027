//! `@@name` and `@name` reads, answered from the session's real state.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::error::Result as DFResult;
use datafusion::variable::VarProvider;
use lakestar_engine::variables::{GlobalVariables, SessionVariables, VarValue};

/// System variables (`@@x`, `@@session.x`, `@@global.x`).
#[derive(Debug)]
pub struct SystemVariableProvider {
    pub session: SessionVariables,
    pub globals: Arc<GlobalVariables>,
    /// `@@warning_count` and `@@error_count` (the previous statement's diagnostics).
    pub diagnostics: (u64, u64),
}

impl SystemVariableProvider {
    fn lookup(&self, names: &[String]) -> DFResult<VarValue> {
        let joined = names.join(".");
        let name = joined.trim_start_matches('@');
        let lower = name.to_ascii_lowercase();
        let (global, var) = if let Some(v) = lower.strip_prefix("global.") {
            (true, v)
        } else if let Some(v) = lower.strip_prefix("session.") {
            (false, v)
        } else if let Some(v) = lower.strip_prefix("local.") {
            (false, v)
        } else {
            (false, lower.as_str())
        };
        match (global, var) {
            (false, "warning_count") => return Ok(VarValue::Int(self.diagnostics.0 as i64)),
            (false, "error_count") => return Ok(VarValue::Int(self.diagnostics.1 as i64)),
            _ => {}
        }
        let result = if global {
            self.globals.get(var)
        } else {
            self.session.get(var, &self.globals)
        };
        result.map_err(|e| e.into_datafusion())
    }
}

fn to_scalar(v: VarValue) -> ScalarValue {
    match v {
        VarValue::Int(i) => ScalarValue::Int64(Some(i)),
        VarValue::Str(s) => ScalarValue::Utf8(Some(s)),
        VarValue::Null => ScalarValue::Utf8(None),
    }
}

impl VarProvider for SystemVariableProvider {
    fn get_value(&self, var_names: Vec<String>) -> DFResult<ScalarValue> {
        self.lookup(&var_names).map(to_scalar)
    }

    fn get_type(&self, var_names: &[String]) -> Option<DataType> {
        match self.lookup(var_names) {
            Ok(VarValue::Int(_)) => Some(DataType::Int64),
            // Unknown variables get a type so that planning reaches get_value, which
            // reports the precise error.
            _ => Some(DataType::Utf8),
        }
    }
}

/// User variables (`@x`), set with `SET @x = expr`.
#[derive(Debug, Default, Clone)]
pub struct UserVariableProvider {
    pub values: HashMap<String, ScalarValue>,
}

impl UserVariableProvider {
    fn key(names: &[String]) -> String {
        names.join(".").trim_start_matches('@').to_ascii_lowercase()
    }
}

impl VarProvider for UserVariableProvider {
    fn get_value(&self, var_names: Vec<String>) -> DFResult<ScalarValue> {
        Ok(self
            .values
            .get(&Self::key(&var_names))
            .cloned()
            .unwrap_or(ScalarValue::Utf8(None)))
    }

    fn get_type(&self, var_names: &[String]) -> Option<DataType> {
        Some(
            self.values
                .get(&Self::key(var_names))
                .map(|v| v.data_type())
                .unwrap_or(DataType::Utf8),
        )
    }
}
