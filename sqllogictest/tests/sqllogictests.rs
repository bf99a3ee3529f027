//! Runs every `sqllogictest/test_files/**/*.slt` file as one test, each against its own
//! real server. Filter like any cargo test: `cargo test -p lakestar-sqllogictest -- ddl`.
//!
//! Also runs the random-SQL corpus `sqllogictest/random/*.slt` (expected results from
//! MariaDB, see `random/README.md`): one test per file, every record on its own, the
//! failing records compared with `random/expected-failures.txt`
//! (`cargo test -p lakestar-sqllogictest -- random`).

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
    let mut trials: Vec<Trial> = files
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
    trials.extend(random::trials());
    libtest_mimic::run(&args, trials).exit();
}

/// The random-SQL corpus: files whose records may fail, as long as exactly the records
/// listed in `random/expected-failures.txt` fail.
mod random {
    use std::collections::BTreeMap;
    use std::fmt::Write as _;
    use std::io::{Read, Seek, Write};
    use std::path::{Path, PathBuf};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use lakestar_sqllogictest::LakestarDb;
    use lakestar_tests::TestServer;
    use libtest_mimic::{Failed, Trial};
    use sqllogictest::{DefaultColumnType, Record, Runner, TestError, TestErrorKind};
    use tokio::sync::Mutex;

    /// A record that has not answered by then counts as failed (reason `timeout`).
    const RECORD_TIMEOUT: Duration = Duration::from_secs(30);
    /// Unexpected failures printed in full per file; the rest are only counted.
    const MAX_SHOWN: usize = 40;
    /// Set to 1 to rewrite expected-failures.txt with the current failures.
    const RECORD_ENV: &str = "LAKESTAR_RECORD_FAILURES";
    const HEADER: &str = "\
# Records of sqllogictest/random/*.slt that fail against Lakestar today, one per line:
# <file>:<line of the record><TAB><reason>. The random trials fail when a record not
# listed here fails, or when a listed one passes. Regenerate after engine fixes with
#   LAKESTAR_RECORD_FAILURES=1 cargo test -p lakestar-sqllogictest -- random
# (a record that still fails keeps the reason written here).
";

    fn dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("random")
    }

    fn expected_failures_path() -> PathBuf {
        dir().join("expected-failures.txt")
    }

    /// One trial per `random/*.slt`, named `random/<file>`.
    pub fn trials() -> Vec<Trial> {
        let Ok(entries) = std::fs::read_dir(dir()) else {
            return vec![];
        };
        let mut files: Vec<PathBuf> = entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "slt"))
            .collect();
        files.sort_by_key(|p| natural_key(p));
        files
            .into_iter()
            .map(|path| {
                let name = format!("random/{}", path.file_name().unwrap().to_string_lossy());
                Trial::test(name.clone(), move || run(&path, &name))
            })
            .collect()
    }

    /// `select_2.slt` before `select_10.slt`.
    fn natural_key(path: &Path) -> (String, u64) {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let digits = stem.len() - stem.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let (prefix, number) = stem.split_at(stem.len() - digits);
        (prefix.to_string(), number.parse().unwrap_or(0))
    }

    /// `file:line` -> reason, from expected-failures.txt's text.
    fn parse_expected(text: &str) -> BTreeMap<String, String> {
        text.lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(|l| match l.split_once('\t') {
                Some((key, reason)) => (key.trim().to_string(), reason.trim().to_string()),
                None => (l.trim().to_string(), String::new()),
            })
            .collect()
    }

    /// The line's key: `random/select_1.slt:123`, ordered by file, then line.
    fn sort_key(key: &str) -> (String, u64) {
        match key.rsplit_once(':') {
            Some((file, line)) => {
                let file = natural_key(Path::new(file));
                (
                    format!("{}{:020}", file.0, file.1),
                    line.parse().unwrap_or(0),
                )
            }
            None => (key.to_string(), 0),
        }
    }

    fn one_line(s: &str, max: usize) -> String {
        let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
        s.chars()
            .take(max)
            .collect::<String>()
            .trim_end()
            .to_string()
    }

    /// A short category of a failure, for expected-failures.txt.
    fn reason(e: &TestError) -> String {
        match e.kind() {
            TestErrorKind::Fail { err, .. } => format!("error: {}", one_line(&err.to_string(), 80)),
            TestErrorKind::QueryResultMismatch {
                expected, actual, ..
            } => mismatch_reason(&expected, &actual).into(),
            TestErrorKind::Ok { .. } => "unexpected success".into(),
            TestErrorKind::ErrorMismatch { .. } => "wrong error".into(),
            TestErrorKind::StatementResultMismatch { .. } => "wrong affected rows".into(),
            TestErrorKind::QueryResultColumnsMismatch { .. } => "wrong columns".into(),
            other => format!("other: {}", one_line(&other.to_string(), 80)),
        }
    }

    /// `wrong result: row count` (a different number of rows), `wrong result: number format`
    /// (the same numbers, printed with another scale or format, e.g. `48` for `48.0000`)
    /// or `wrong result: values`.
    fn mismatch_reason(expected: &str, actual: &str) -> &'static str {
        let expected: Vec<&str> = expected.lines().filter(|l| !l.is_empty()).collect();
        let actual: Vec<&str> = actual.lines().filter(|l| !l.is_empty()).collect();
        if expected.len() != actual.len() {
            return "wrong result: row count";
        }
        // Same value up to the expected number of decimals.
        let close = |e: &str, a: &str| {
            if e == a {
                return true;
            }
            match (e.parse::<f64>(), a.parse::<f64>()) {
                (Ok(ev), Ok(av)) if ev.is_finite() && av.is_finite() => {
                    let decimals = e.split_once('.').map_or(0, |(_, f)| f.len()) as i32;
                    (ev - av).abs() <= 0.5 * 10f64.powi(-decimals) * (1.0 + 1e-9)
                }
                _ => false,
            }
        };
        let rows_close = |e: &[&str], a: &[&str]| {
            e.iter().zip(a).all(|(e, a)| {
                let (e, a): (Vec<_>, Vec<_>) = (
                    e.split_whitespace().collect(),
                    a.split_whitespace().collect(),
                );
                e.len() == a.len() && e.iter().zip(&a).all(|(e, a)| close(e, a))
            })
        };
        // Formatting can reorder string-sorted rows: also try a numeric order.
        if rows_close(&expected, &actual)
            || rows_close(&numeric_order(&expected), &numeric_order(&actual))
        {
            "wrong result: number format"
        } else {
            "wrong result: values"
        }
    }

    /// Rows ordered by their values read as numbers where they are numbers.
    fn numeric_order<'a>(rows: &[&'a str]) -> Vec<&'a str> {
        let key = |r: &str| -> Vec<(u8, i64, String)> {
            r.split_whitespace()
                .map(|t| match t.parse::<f64>() {
                    Ok(v) if v.is_finite() => (0, (v * 1e6).round() as i64, String::new()),
                    _ => (1, 0, t.to_string()),
                })
                .collect()
        };
        let mut rows = rows.to_vec();
        rows.sort_by_key(|r| key(r));
        rows
    }

    struct Failure {
        reason: String,
        detail: String,
    }

    fn sql_of(record: &Record<DefaultColumnType>) -> Option<(u32, String)> {
        match record {
            Record::Statement { loc, sql, .. } | Record::Query { loc, sql, .. } => {
                Some((loc.line(), sql.clone()))
            }
            _ => None,
        }
    }

    /// Runs every record of `path` on its own; returns the failures by line and the number
    /// of records that passed.
    fn run_records(path: &Path) -> Result<(BTreeMap<u32, Failure>, usize), Failed> {
        let records = sqllogictest::parse_file::<DefaultColumnType>(path)
            .map_err(|e| Failed::from(format!("{}: {e}", path.display())))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        runtime.block_on(async {
            let server = Arc::new(Mutex::new(TestServer::start()));
            let new_runner = || {
                let server = Arc::clone(&server);
                let mut runner = Runner::new(move || LakestarDb::connect(Arc::clone(&server)));
                runner.with_column_validator(|_, _| true);
                runner
            };
            let mut runner = new_runner();
            // The last USE, replayed on the new connection after a timeout.
            let mut last_use: Option<Record<DefaultColumnType>> = None;
            let mut failures = BTreeMap::new();
            let mut passed = 0;
            for record in records {
                let Some((line, sql)) = sql_of(&record) else {
                    let _ = runner.run_async(record).await;
                    continue;
                };
                let is_use = sql
                    .trim_start()
                    .get(..4)
                    .is_some_and(|w| w.eq_ignore_ascii_case("use "));
                let kept = is_use.then(|| record.clone());
                match tokio::time::timeout(RECORD_TIMEOUT, runner.run_async(record)).await {
                    Ok(Ok(_)) => passed += 1,
                    Ok(Err(e)) => {
                        failures.insert(
                            line,
                            Failure {
                                reason: reason(&e),
                                detail: e.display(false).to_string(),
                            },
                        );
                    }
                    Err(_) => {
                        failures.insert(
                            line,
                            Failure {
                                reason: "timeout".into(),
                                detail: format!(
                                    "no answer within {}s\n[SQL] {sql}",
                                    RECORD_TIMEOUT.as_secs()
                                ),
                            },
                        );
                        // The connection is mid-query: drop it (the server cancels the
                        // statement when the socket closes) and start a new session.
                        runner = new_runner();
                        if let Some(use_record) = last_use.clone() {
                            let _ = runner.run_async(use_record).await;
                        }
                    }
                }
                if kept.is_some() {
                    last_use = kept;
                }
            }
            runner.shutdown_async().await;
            Ok((failures, passed))
        })
    }

    fn run(path: &Path, name: &str) -> Result<(), Failed> {
        let start = Instant::now();
        let (failures, passed) = run_records(path)?;
        let elapsed = start.elapsed().as_secs_f64();
        let key = |line: u32| format!("{name}:{line}");

        if std::env::var(RECORD_ENV).is_ok_and(|v| v == "1") {
            record(name, &failures)?;
            println!(
                "{name}: {passed} passed, {} failed (recorded in expected-failures.txt) in {elapsed:.0}s",
                failures.len()
            );
            return Ok(());
        }

        let text = std::fs::read_to_string(expected_failures_path()).unwrap_or_default();
        let prefix = format!("{name}:");
        let expected: BTreeMap<String, String> = parse_expected(&text)
            .into_iter()
            .filter(|(k, _)| k.starts_with(&prefix))
            .collect();
        let unexpected: Vec<(&u32, &Failure)> = failures
            .iter()
            .filter(|(line, _)| !expected.contains_key(&key(**line)))
            .collect();
        let mut now_passing: Vec<&String> = expected
            .keys()
            .filter(|k| {
                let line = k[prefix.len()..].parse::<u32>().unwrap_or(0);
                !failures.contains_key(&line)
            })
            .collect();
        now_passing.sort_by_key(|k| sort_key(k));

        if unexpected.is_empty() && now_passing.is_empty() {
            println!(
                "{name}: {passed} passed, {} failed (expected) in {elapsed:.0}s",
                failures.len()
            );
            return Ok(());
        }
        let mut report = format!(
            "{name}: {passed} passed, {} failed: {} failures not in expected-failures.txt, \
             {} listed records now pass\n",
            failures.len(),
            unexpected.len(),
            now_passing.len()
        );
        for (line, failure) in unexpected.iter().take(MAX_SHOWN) {
            let _ = writeln!(
                report,
                "\n--- unexpected failure {} ({})\n{}",
                key(**line),
                failure.reason,
                failure.detail.trim_end()
            );
        }
        if unexpected.len() > MAX_SHOWN {
            let _ = writeln!(
                report,
                "\n... and {} more unexpected failures",
                unexpected.len() - MAX_SHOWN
            );
        }
        if !now_passing.is_empty() {
            report.push('\n');
        }
        for k in &now_passing {
            let _ = writeln!(report, "now passes, remove from expected-failures: {k}");
        }
        let _ = writeln!(
            report,
            "\n(after an engine fix, refresh the list: {RECORD_ENV}=1 cargo test -p lakestar-sqllogictest -- random)"
        );
        Err(report.into())
    }

    /// Replaces this file's lines of expected-failures.txt with `failures`, under a lock
    /// (nextest runs each file in its own process).
    fn record(name: &str, failures: &BTreeMap<u32, Failure>) -> Result<(), Failed> {
        let path = expected_failures_path();
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)?;
        file.lock()?;
        let mut text = String::new();
        file.read_to_string(&mut text)?;
        let prefix = format!("{name}:");
        type Entries = Vec<(String, String)>;
        let (mut entries, previous): (Entries, Entries) = parse_expected(&text)
            .into_iter()
            .partition(|(k, _)| !k.starts_with(&prefix));
        // A record that still fails keeps the reason written for it (a person's
        // explanation outlives the recorder's generic one).
        entries.extend(failures.iter().map(|(line, f)| {
            let key = format!("{name}:{line}");
            let reason = previous
                .iter()
                .find(|(k, _)| *k == key)
                .map_or_else(|| f.reason.clone(), |(_, r)| r.clone());
            (key, reason)
        }));
        entries.sort_by_key(|(k, _)| sort_key(k));
        let mut out = HEADER.to_string();
        for (k, reason) in entries {
            let _ = writeln!(out, "{k}\t{reason}");
        }
        file.set_len(0)?;
        file.rewind()?;
        file.write_all(out.as_bytes())?;
        file.unlock()?;
        Ok(())
    }
}
