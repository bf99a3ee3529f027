//! `CREATE USER [IF NOT EXISTS] user [IDENTIFIED [WITH plugin] BY 'password']`.

use lakestar_engine::Result;

use super::plugin_of;
use crate::auth::account_entry;
use crate::context::FrontendContext;
use crate::output::QueryOutput;
use crate::sql::admin::{Identification, UserName};

pub async fn handle(
    ctx: &FrontendContext,
    if_not_exists: bool,
    user: &UserName,
    identified: Option<&Identification>,
) -> Result<QueryOutput> {
    let plugin = plugin_of(identified)?;
    let password = identified.map(|i| i.password.as_str()).unwrap_or("");
    let entry = account_entry(&user.name, &user.host, plugin, password);
    ctx.catalog.create_user(entry, if_not_exists).await?;
    Ok(QueryOutput::ok())
}
