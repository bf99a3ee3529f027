//! Lakestar's optimizer: its own rules, as named stages in one ordered list, run before
//! DataFusion's rules (so projection and filter push-down see their results).
//!
//! | stage | rule | turned off by |
//! |---|---|---|
//! | 1 | [`generated_column_rewrite`]: expressions equal to a generated column's expression read the column | `enable_generated_column_rewrite = false` |

pub mod generated_column_rewrite;

use std::sync::Arc;

use datafusion::optimizer::{Optimizer, OptimizerRule};

/// Which of Lakestar's stages a statement runs (from session variables).
#[derive(Debug, Clone, Copy)]
pub struct Stages {
    pub generated_column_rewrite: bool,
}

/// Every optimizer rule a statement runs, in order: Lakestar's stages, then DataFusion's.
pub fn rules(stages: Stages) -> Vec<Arc<dyn OptimizerRule + Send + Sync>> {
    let mut rules: Vec<Arc<dyn OptimizerRule + Send + Sync>> = vec![];
    if stages.generated_column_rewrite {
        rules.push(Arc::new(generated_column_rewrite::GeneratedColumnRewrite));
    }
    rules.extend(Optimizer::new().rules);
    rules
}
