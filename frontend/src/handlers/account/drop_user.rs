//! `DROP USER [IF EXISTS] user [, user ...]`.

use lakestar_engine::Result;

use crate::context::FrontendContext;
use crate::output::QueryOutput;
use crate::sql::admin::UserName;

pub async fn handle(
    ctx: &FrontendContext,
    if_exists: bool,
    users: &[UserName],
) -> Result<QueryOutput> {
    for user in users {
        ctx.catalog
            .drop_user(&user.name, &user.host, if_exists)
            .await?;
        ctx.auth.forget(&user.name);
    }
    Ok(QueryOutput::ok())
}
