//! The layering rule and the one-DataFusion/arrow rule, checked on the real workspace.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string())
}

fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Normal (non-dev) dependency edges between workspace crates.
fn workspace_edges() -> BTreeMap<String, BTreeSet<String>> {
    let metadata = cargo_metadata::MetadataCommand::new()
        .cargo_path(cargo())
        .current_dir(workspace_root())
        .no_deps()
        .exec()
        .expect("cargo metadata");
    let members: BTreeSet<String> = metadata
        .workspace_packages()
        .iter()
        .map(|p| p.name.to_string())
        .collect();
    metadata
        .workspace_packages()
        .iter()
        .map(|p| {
            let deps = p
                .dependencies
                .iter()
                .filter(|d| d.kind == cargo_metadata::DependencyKind::Normal)
                .filter(|d| members.contains(&d.name))
                .map(|d| d.name.clone())
                .collect();
            (p.name.to_string(), deps)
        })
        .collect()
}

#[test]
fn dependency_rule_holds() {
    let allowed: BTreeMap<&str, &[&str]> = BTreeMap::from([
        ("lakestar-engine", &[][..]),
        ("lakestar-planner", &["lakestar-engine"][..]),
        ("lakestar-backend", &["lakestar-engine"][..]),
        (
            "lakestar-frontend",
            &["lakestar-planner", "lakestar-engine"][..],
        ),
        (
            "lakestar",
            &["lakestar-frontend", "lakestar-backend", "lakestar-engine"][..],
        ),
        ("lakestar-tests", &[][..]),
        ("lakestar-sqllogictest", &["lakestar-tests"][..]),
    ]);
    let edges = workspace_edges();
    for (package, deps) in &edges {
        let ok = allowed.get(package.as_str()).unwrap_or_else(|| {
            panic!("new workspace crate {package}: add it to the dependency rule")
        });
        for dep in deps {
            assert!(
                ok.contains(&dep.as_str()),
                "{package} must not depend on {dep} (rule: frontend → planner → engine; backend → engine; only the binary wires frontend and backend)"
            );
        }
    }
    for (package, deps) in &edges {
        if package != "lakestar" {
            assert!(
                !deps.contains("lakestar-frontend"),
                "{package} depends on the frontend"
            );
        }
    }
}

#[test]
fn one_datafusion_and_arrow_version() {
    let out = Command::new(cargo())
        .current_dir(workspace_root())
        .args([
            "tree",
            "--workspace",
            "-d",
            "--depth",
            "0",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .output()
        .expect("cargo tree");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let duplicated: Vec<&str> = text
        .lines()
        .filter(|l| {
            let name = l.split_whitespace().next().unwrap_or("");
            name == "datafusion"
                || name.starts_with("datafusion-")
                || name == "arrow"
                || name.starts_with("arrow-")
                || name == "parquet"
                || name == "sqlparser"
        })
        .collect();
    assert!(
        duplicated.is_empty(),
        "second copies in the tree: {duplicated:?}"
    );
}
