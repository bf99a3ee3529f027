//! `ALTER USER [IF EXISTS] user IDENTIFIED [WITH plugin] BY 'password'` and
//! `SET PASSWORD [FOR user] = 'password'`.

use lakestar_engine::Result;

use super::plugin_of;
use crate::auth::account_entry;
use crate::catalog::AuthPlugin;
use crate::context::FrontendContext;
use crate::output::QueryOutput;
use crate::sql::admin::{Identification, UserName};

pub async fn handle(
    ctx: &FrontendContext,
    if_exists: bool,
    user: &UserName,
    identified: &Identification,
) -> Result<QueryOutput> {
    // Without WITH, the account keeps its plugin.
    let plugin = match identified.plugin {
        Some(_) => plugin_of(Some(identified))?,
        None => ctx
            .catalog
            .user(&user.name)
            .map(|u| u.plugin)
            .unwrap_or(AuthPlugin::MysqlNativePassword),
    };
    let entry = account_entry(&user.name, &user.host, plugin, &identified.password);
    ctx.catalog.alter_user(entry, if_exists).await?;
    ctx.auth.forget(&user.name);
    Ok(QueryOutput::ok())
}
