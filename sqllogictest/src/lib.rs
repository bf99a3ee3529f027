//! slt runner
