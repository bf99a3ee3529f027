//! Building the DataFusion session state a statement is bound and planned in.

use std::sync::Arc;

use datafusion::execution::session_state::{SessionState, SessionStateBuilder};
use datafusion::execution::FunctionRegistry;
use datafusion::prelude::SessionConfig;
use datafusion::variable::VarType;
use lakestar_engine::catalog::{CatalogView, DEFAULT_CATALOG};
use lakestar_engine::storage::TableStorage;
use lakestar_engine::variables::{GlobalVariables, SessionVariables, VarValue};

use crate::catalog_provider::LakestarCatalogList;
use crate::functions::{session_functions, SessionFunctionValues};
use crate::variables::{SystemVariableProvider, UserVariableProvider};

/// Placeholder schema name when no database is selected; never a real database.
pub const NO_DATABASE: &str = "";

/// Everything about the session that planning depends on.
#[derive(Debug, Clone)]
pub struct PlanningSession {
    /// The external catalog bare names resolve in; None: default_catalog.
    pub current_catalog: Option<String>,
    pub functions: SessionFunctionValues,
    pub variables: SessionVariables,
    pub user_variables: UserVariableProvider,
    pub globals: Arc<GlobalVariables>,
    pub target_partitions: usize,
    /// Where the statement's warnings go (SHOW WARNINGS).
    pub warnings: lakestar_engine::warnings::Warnings,
}

/// A DataFusion session state over the catalog, with the session's variables and functions.
pub fn build_session_state(
    session: &PlanningSession,
    view: Arc<dyn CatalogView>,
    storage: Arc<dyn TableStorage>,
    system: Option<Arc<dyn datafusion::catalog::SchemaProvider>>,
    files: Option<Arc<dyn lakestar_engine::storage::FileReader>>,
    external: Option<Arc<dyn lakestar_engine::storage::ExternalCatalogs>>,
) -> SessionState {
    let default_db = session
        .functions
        .current_database
        .clone()
        .unwrap_or_else(|| NO_DATABASE.to_string());
    let mut config = SessionConfig::new()
        .with_default_catalog_and_schema(
            session
                .current_catalog
                .as_deref()
                .unwrap_or(DEFAULT_CATALOG),
            default_db,
        )
        .with_create_default_catalog_and_schema(false)
        .with_information_schema(false)
        .with_target_partitions(session.target_partitions.max(1));
    {
        let options = config.options_mut();
        options.sql_parser.dialect = datafusion::config::Dialect::MySQL;
        options.sql_parser.enable_ident_normalization = true;
        options.sql_parser.parse_float_as_decimal = true;
        // MySQL: NULL sorts as the smallest value.
        options.sql_parser.default_null_ordering = "nulls_min".to_string();
        // DataFusion infers that `CASE WHEN a <= b THEN b ...` is never NULL on the
        // logical side only; the physical aggregate then fails this check.
        options.execution.skip_physical_aggregate_schema_check = true;
        // NOW(), CURDATE() and CURTIME() read the clock in the session's time zone
        // (SYSTEM is the server's, UTC).
        if let Ok(VarValue::Str(zone)) = session.variables.get("time_zone", &session.globals) {
            if zone != "SYSTEM" {
                options.execution.time_zone = Some(zone);
            }
        }
    }
    let mv_context = (session
        .variables
        .get_int("enable_materialized_view_rewrite", &session.globals)
        != Some(0))
    .then(|| Arc::new(crate::optimizer::mv_rewrite::MvRewriteContext::default()));
    if let Some(context) = &mv_context {
        config = config.with_extension(Arc::clone(context));
    }
    let apply_slots = Arc::new(crate::subquery_apply::ApplySlots::default());
    config = config.with_extension(Arc::clone(&apply_slots));
    let stages = crate::optimizer::Stages {
        subquery_apply: apply_slots,
        materialized_view_rewrite: mv_context,
        generated_column_rewrite: session
            .variables
            .get_int("enable_generated_column_rewrite", &session.globals)
            != Some(0),
    };
    let mut builder = SessionStateBuilder::new()
        .with_config(config)
        .with_default_features()
        .with_optimizer_rules(crate::optimizer::rules(stages))
        .with_physical_optimizer_rules(crate::optimizer::datafusion_physical_rules());
    for rule in crate::optimizer::physical_rules() {
        builder = builder.with_physical_optimizer_rule(rule);
    }
    let increment = session
        .variables
        .get_int("div_precision_increment", &session.globals)
        .unwrap_or(4)
        .clamp(0, 30) as u8;
    // MySQL's operators go first, before DataFusion's own planners see them.
    let semantics = crate::semantics::MysqlSemantics::new(increment, &session.warnings);
    let mut analyzer: Vec<Arc<dyn datafusion::optimizer::AnalyzerRule + Send + Sync>> =
        vec![Arc::new(semantics.negation())];
    analyzer.extend(datafusion::optimizer::Analyzer::new().rules);
    analyzer.push(Arc::new(crate::semantics::in_subquery::InSubqueryTypes));
    analyzer.push(Arc::new(crate::semantics::sum_input::SumInputs));
    analyzer.push(Arc::new(crate::semantics::integer_cast::IntegerCasts));
    analyzer.push(Arc::new(
        crate::semantics::order_subqueries::OrderSubqueries,
    ));
    builder = builder.with_analyzer_rules(analyzer);
    builder
        .expr_planners()
        .get_or_insert_with(Vec::new)
        .insert(0, Arc::new(semantics));
    if let Some(reader) = &files {
        builder = builder.with_runtime_env(reader.runtime_env());
    }
    let mut state = builder
        .with_catalog_list(Arc::new(LakestarCatalogList::new(
            view, storage, system, external,
        )))
        .build();
    if let Some(reader) = files {
        state.register_udtf(
            "files",
            Arc::new(crate::files_function::FilesFunction { reader }),
        );
    }
    state.register_udtf(
        "json_each",
        Arc::new(crate::functions::json::each::JsonEach),
    );
    let _ = state.register_expr_planner(Arc::new(crate::functions::json::JsonOperators));
    // MySQL's ANY_VALUE: any value of the group (DataFusion's first_value).
    if let Ok(first) = state.udaf("first_value") {
        let any = datafusion::logical_expr::AggregateUDF::clone(&first).with_aliases(["any_value"]);
        let _ = state.register_udaf(Arc::new(any));
    }
    // MySQL's STD / STDDEV / VARIANCE are the population's (DataFusion's are the sample's).
    for (population, mysql_names) in [
        ("stddev_pop", &["std", "stddev"][..]),
        ("var_pop", &["variance"][..]),
    ] {
        if let Ok(f) = state.udaf(population) {
            let f = datafusion::logical_expr::AggregateUDF::clone(&f)
                .with_aliases(mysql_names.iter().copied());
            let _ = state.register_udaf(Arc::new(f));
        }
    }
    let (subquery_rows, single_row) = crate::semantics::single_row::functions();
    let _ = state.register_udaf(Arc::new(subquery_rows));
    let _ = state.register_udf(Arc::new(single_row));
    for udaf in crate::functions::bitmap::aggregate::bitmap_aggregates()
        .into_iter()
        .chain(crate::functions::hll::hll_aggregates())
    {
        let _ = state.register_udaf(Arc::new(udaf));
    }
    for udf in crate::functions::datetime::date_functions()
        .into_iter()
        .chain(crate::functions::mysql_datetime::mysql_date_functions())
        .chain(crate::functions::mysql_time::time_functions())
        .chain(crate::functions::mysql_zones::zone_functions())
        .chain(crate::functions::strings::string_functions())
        .chain(crate::functions::mysql_text::text_functions())
        .chain(crate::functions::mysql_encoding::encoding_functions())
        .chain(crate::functions::mysql_json::mysql_json_functions())
        .chain(crate::functions::mysql_json_edit::json_edit_functions())
        .chain(crate::functions::json::json_functions())
        .chain(crate::functions::bitmap::bitmap_functions())
        .chain(crate::functions::hll::hll_functions())
        .chain(session_functions(&session.functions))
        .chain([crate::functions::sleep::sleep_udf()])
        .chain(crate::mysql_functions::integral_rounding())
    {
        let _ = state.register_udf(Arc::new(udf));
    }
    let max_packet = session
        .variables
        .get_int("max_allowed_packet", &session.globals)
        .unwrap_or(64 << 20)
        .max(1024) as u64;
    for name in crate::functions::bounded_strings::BOUNDED {
        if let Ok(inner) = state.udf(name) {
            let bounded =
                crate::functions::bounded_strings::bounded(inner, max_packet, &session.warnings);
            if let Some(udf) = bounded {
                let _ = state.register_udf(Arc::new(udf));
            }
        }
    }
    let mut props = state.execution_props().clone();
    props.add_var_provider(
        VarType::System,
        Arc::new(SystemVariableProvider {
            session: session.variables.clone(),
            globals: Arc::clone(&session.globals),
            diagnostics: (
                session.functions.warning_count,
                session.functions.error_count,
            ),
        }),
    );
    props.add_var_provider(
        VarType::UserDefined,
        Arc::new(session.user_variables.clone()),
    );
    *state.execution_props_mut() = props;
    // Fixes NOW() and friends for the statement, as MySQL does.
    state.mark_start_execution();
    state
}
