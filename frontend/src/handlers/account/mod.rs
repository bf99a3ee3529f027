//! Account statements: CREATE / ALTER / DROP USER, SET PASSWORD, SHOW GRANTS.
//! Passwords are hashed here and never stored or logged in clear.

pub mod alter_user;
pub mod create_user;
pub mod drop_user;
pub mod show_grants;

use lakestar_engine::{Error, Result};

use crate::catalog::AuthPlugin;
use crate::sql::admin::Identification;

/// The plugin an `IDENTIFIED [WITH plugin]` clause names; `mysql_native_password` (the
/// StarRocks default) when none is named.
pub fn plugin_of(identified: Option<&Identification>) -> Result<AuthPlugin> {
    match identified.and_then(|i| i.plugin.as_deref()) {
        None => Ok(AuthPlugin::MysqlNativePassword),
        Some(name) => AuthPlugin::from_name(name).ok_or_else(|| {
            Error::unsupported(format!(
                "Plugin '{name}' is not supported; use mysql_native_password or caching_sha2_password"
            ))
        }),
    }
}
