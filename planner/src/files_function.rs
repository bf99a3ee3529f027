//! StarRocks' `FILES("path" = "file:///...", "format" = "parquet", ...)` table function,
//! usable in FROM and in INSERT ... SELECT. The files are opened through the engine's
//! [`FileReader`] (implemented by the backend); `format` defaults to the path's extension.

use std::collections::BTreeMap;
use std::sync::Arc;

use datafusion::catalog::{TableFunctionArgs, TableFunctionImpl, TableProvider};
use datafusion::error::Result as DFResult;
use datafusion::logical_expr::Expr;
use datafusion::scalar::ScalarValue;
use lakestar_engine::storage::FileReader;
use lakestar_engine::{user_err, Error};

#[derive(Debug)]
pub struct FilesFunction {
    pub reader: Arc<dyn FileReader>,
}

/// A string literal argument.
fn text(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Literal(ScalarValue::Utf8(Some(s)) | ScalarValue::Utf8View(Some(s)), _) => {
            Some(s.clone())
        }
        _ => None,
    }
}

/// The `"key" = "value"` properties, which arrive as key, value argument pairs (see
/// `normalize::flatten_properties`), as a map with lower-case keys.
fn properties(exprs: &[Expr]) -> lakestar_engine::Result<BTreeMap<String, String>> {
    let mut map = BTreeMap::new();
    for pair in exprs.chunks(2) {
        let [key, value] = pair else {
            return Err(user_err!(
                WrongArguments,
                "FILES() takes \"key\" = \"value\" properties"
            ));
        };
        let (Some(key), Some(value)) = (text(key), text(value)) else {
            return Err(user_err!(
                WrongArguments,
                "FILES() takes \"key\" = \"value\" string properties, got {key} = {value}"
            ));
        };
        map.insert(key.to_ascii_lowercase(), value);
    }
    Ok(map)
}

impl TableFunctionImpl for FilesFunction {
    fn call_with_args(&self, args: TableFunctionArgs) -> DFResult<Arc<dyn TableProvider>> {
        let props = properties(args.exprs()).map_err(Error::into_datafusion)?;
        let path = props
            .get("path")
            .ok_or_else(|| user_err!(WrongArguments, "FILES() needs a \"path\" property"))
            .map_err(Error::into_datafusion)?;
        let format = match props.get("format") {
            Some(f) => f.clone(),
            None => path
                .rsplit('.')
                .next()
                .filter(|ext| ["parquet", "csv", "json"].contains(ext))
                .map(str::to_string)
                .ok_or_else(|| user_err!(WrongArguments, "FILES() needs a \"format\" property"))
                .map_err(Error::into_datafusion)?,
        };
        // Table functions are bound synchronously; listing files and reading a footer is
        // I/O, run to completion on this worker (the server runs a multi-threaded runtime).
        tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current()
                .block_on(self.reader.open_files(path, &format, &props))
        })
        .map_err(Error::into_datafusion)
    }
}
