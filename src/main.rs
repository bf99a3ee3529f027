//! The `lakestar` binary: command line, configuration, and the wiring of the frontend to
//! the backend. Nothing else wires them together.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, ValueEnum};
use serde::Deserialize;
use tokio::sync::watch;
use tracing::info;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Role {
    /// Frontend and backend in one process.
    Standalone,
}

/// Lakestar: a MySQL-protocol SQL engine over open lake tables.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// TOML configuration file; command-line flags and environment variables win over it.
    #[arg(long, env = "LAKESTAR_CONFIG")]
    config: Option<PathBuf>,
    /// Process role.
    #[arg(long, env = "LAKESTAR_ROLE", value_enum)]
    role: Option<Role>,
    /// Address to listen on.
    #[arg(long, env = "LAKESTAR_HOST")]
    host: Option<IpAddr>,
    /// MySQL protocol port (0 picks a free port).
    #[arg(long, env = "LAKESTAR_MYSQL_PORT")]
    mysql_port: Option<u16>,
    /// Directory for the catalog and table data.
    #[arg(long, env = "LAKESTAR_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// PEM certificate chain for TLS on the MySQL port (TLS is on when this and the key
    /// are given).
    #[arg(long, env = "LAKESTAR_TLS_CERT")]
    tls_cert: Option<PathBuf>,
    /// PEM private key for TLS.
    #[arg(long, env = "LAKESTAR_TLS_KEY")]
    tls_key: Option<PathBuf>,
    /// Memory queries may use, in MiB, shared by all statements; sorts and aggregations
    /// spill to disk beyond it, and a statement that cannot fits fails with an error.
    /// Default: 60% of the machine's memory.
    #[arg(long, env = "LAKESTAR_MEMORY_LIMIT_MB")]
    memory_limit_mb: Option<u64>,
}

/// The TOML configuration file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FileConfig {
    role: Option<Role>,
    host: Option<IpAddr>,
    mysql_port: Option<u16>,
    data_dir: Option<PathBuf>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    memory_limit_mb: Option<u64>,
}

#[derive(Debug)]
struct Config {
    role: Role,
    host: IpAddr,
    mysql_port: u16,
    data_dir: PathBuf,
    /// Certificate and key paths, when TLS is configured.
    tls: Option<(PathBuf, PathBuf)>,
    memory_limit_bytes: u64,
}

/// 60% of the machine's memory (from /proc/meminfo), or 4 GiB if it cannot be read.
fn default_memory_limit() -> u64 {
    let total_kib = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
        m.lines()
            .find(|l| l.starts_with("MemTotal:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
    });
    total_kib.map_or(4 << 30, |kib| kib * 1024 / 10 * 6)
}

impl Config {
    fn resolve(cli: Cli) -> anyhow::Result<Self> {
        let file: FileConfig = match &cli.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading config file {}", path.display()))?;
                toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?
            }
            None => FileConfig::default(),
        };
        Ok(Self {
            role: cli.role.or(file.role).unwrap_or(Role::Standalone),
            host: cli
                .host
                .or(file.host)
                .unwrap_or(IpAddr::from([127, 0, 0, 1])),
            mysql_port: cli.mysql_port.or(file.mysql_port).unwrap_or(9030),
            data_dir: cli
                .data_dir
                .or(file.data_dir)
                .unwrap_or_else(|| PathBuf::from("./lakestar-data")),
            tls: match (cli.tls_cert.or(file.tls_cert), cli.tls_key.or(file.tls_key)) {
                (Some(cert), Some(key)) => Some((cert, key)),
                (None, None) => None,
                _ => anyhow::bail!("TLS needs both --tls-cert and --tls-key"),
            },
            memory_limit_bytes: cli
                .memory_limit_mb
                .or(file.memory_limit_mb)
                .map_or_else(default_memory_limit, |mb| mb << 20),
        })
    }
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LAKESTAR_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let config = Config::resolve(Cli::parse())?;
    tokio::runtime::Builder::new_multi_thread()
        // Planning recurses deeply (DataFusion's tree rewrites, nested statement futures
        // such as EXECUTE of a prepared statement); the 2 MiB default is too small in
        // unoptimised builds.
        .thread_stack_size(16 * 1024 * 1024)
        .enable_all()
        .build()?
        .block_on(run(config))
}

async fn run(config: Config) -> anyhow::Result<()> {
    let Role::Standalone = config.role;
    info!(?config, "starting Lakestar {}", env!("CARGO_PKG_VERSION"));
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating data dir {}", config.data_dir.display()))?;
    let storage = Arc::new(lakestar_backend::PaimonStorage::open(
        &config.data_dir.join("warehouse"),
    )?);
    let executor = Arc::new(lakestar_backend::LocalExecutor);
    let catalog =
        lakestar_frontend::catalog::CatalogManager::open(&config.data_dir, storage.clone()).await?;
    let tls = match &config.tls {
        Some((cert, key)) => Some(lakestar_frontend::auth::tls::acceptor(cert, key)?),
        None => None,
    };
    let caches = lakestar_backend::LakeCaches::new(lakestar_backend::CacheConfig::default());
    let files = Arc::new(lakestar_backend::ListingFileReader::new(
        &caches,
        config.memory_limit_bytes,
    ));
    let external = Arc::new(lakestar_backend::LakeConnectors::new(files.clone(), caches));
    let ctx =
        lakestar_frontend::FrontendContext::new(catalog, storage, executor, files, external, tls)?;
    lakestar_frontend::materialized_views::MaterializedViews::start_scheduler(&ctx);
    let server =
        lakestar_frontend::MysqlServer::bind(ctx, SocketAddr::new(config.host, config.mysql_port))
            .await
            .with_context(|| format!("binding {}:{}", config.host, config.mysql_port))?;
    let addr = server.local_addr()?;
    // A line tests and scripts wait for.
    println!(
        "Lakestar is ready: mysql -h {} -P {} -u root",
        addr.ip(),
        addr.port()
    );
    let (stop_tx, stop_rx) = watch::channel(false);
    let serving = tokio::spawn(server.run(stop_rx));
    shutdown_signal().await;
    info!("shutting down");
    let _ = stop_tx.send(true);
    let _ = serving.await;
    info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("install SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
