//! Materialized view statements, one handler per file: [`create`], [`refresh`] (REFRESH
//! and CANCEL REFRESH), [`alter`] (ALTER and DROP), [`show`] (SHOW and SHOW CREATE).

pub mod alter;
pub mod create;
pub mod refresh;
pub mod show;

use lakestar_engine::Result;

use crate::context::FrontendContext;
use crate::output::QueryOutput;
use crate::session::Session;
use crate::sql::materialized_view::MaterializedViewStatement as M;

pub async fn execute(
    ctx: &FrontendContext,
    session: &Session,
    statement: M,
) -> Result<QueryOutput> {
    match statement {
        M::Create(create) => create::handle(ctx, session, *create).await,
        M::Refresh {
            name,
            force,
            sync,
            partition_range,
        } => refresh::refresh(ctx, session, &name, force, sync, partition_range).await,
        M::CancelRefresh { name } => refresh::cancel(ctx, session, &name),
        M::Alter { name, change } => alter::alter(ctx, session, &name, change).await,
        M::Drop { if_exists, name } => alter::drop(ctx, session, &name, if_exists).await,
        M::Show { database, like } => {
            show::show(ctx, session, database.as_deref(), like.as_deref()).await
        }
        M::ShowCreate { name } => show::show_create(ctx, session, &name),
    }
}
