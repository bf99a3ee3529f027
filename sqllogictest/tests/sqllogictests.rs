//! Runs every `sqllogictest/test_files/**/*.slt` file as one test, each against its own
//! real server. Filter like any cargo test: `cargo test -p lakestar-sqllogictest -- ddl`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use lakestar_sqllogictest::LakestarDb;
use lakestar_tests::TestServer;
use libtest_mimic::{Arguments, Failed, Trial};
use tokio::sync::Mutex;

fn slt_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            slt_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "slt") {
            out.push(path);
        }
    }
}

fn run_file(path: &Path) -> Result<(), Failed> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let server = Arc::new(Mutex::new(TestServer::start()));
        let mut runner =
            sqllogictest::Runner::new(move || LakestarDb::connect(Arc::clone(&server)));
        runner.with_column_validator(|_, _| true);
        runner
            .run_file_async(path)
            .await
            .map_err(|e| Failed::from(e.display(true).to_string()))
    })
}

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_files");
    let mut files = vec![];
    slt_files(&root, &mut files);
    let trials = files
        .into_iter()
        .map(|path| {
            let name = path
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            Trial::test(name, move || run_file(&path))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
