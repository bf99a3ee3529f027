//! lakestar-planner
