//! Results stream: a 10-million-row SELECT never sits in server memory whole.

use futures::StreamExt;
use lakestar_tests::TestServer;
use mysql_async::prelude::Queryable;

fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmHWM")
}

#[tokio::test]
async fn ten_million_rows_stream_in_bounded_memory() {
    const ROWS: u64 = 10_000_000;
    let server = TestServer::start();
    let mut conn = server.connect().await;
    // ~60 bytes per row: about 600 MB if the result were held whole.
    let mut result = conn
        .query_iter(format!(
            "SELECT value, 'abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz' AS pad FROM range({ROWS})"
        ))
        .await
        .unwrap();
    let mut stream = result
        .stream::<(u64, String)>()
        .await
        .unwrap()
        .expect("rows");
    let mut count = 0u64;
    let mut sum = 0u64;
    while let Some(row) = stream.next().await {
        let (v, _) = row.unwrap();
        count += 1;
        sum += v;
    }
    drop(stream);
    drop(result);
    assert_eq!(count, ROWS);
    assert_eq!(sum, ROWS * (ROWS - 1) / 2);
    let peak_mib = peak_rss_kib(server.pid()) / 1024;
    assert!(
        peak_mib < 300,
        "server peak RSS {peak_mib} MiB: the result was not streamed"
    );
}
