//! lakestar-frontend
