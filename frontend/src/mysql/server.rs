//! The MySQL listener: accepts connections and serves each on its own task.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tracing::{info, warn};

use super::connection::Connection;
use crate::context::FrontendContext;

/// A bound MySQL protocol listener.
pub struct MysqlServer {
    listener: TcpListener,
    ctx: Arc<FrontendContext>,
}

impl MysqlServer {
    pub async fn bind(ctx: Arc<FrontendContext>, addr: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        Ok(Self { listener, ctx })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serve until `shutdown` turns true.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        info!(addr = ?self.listener.local_addr().ok(), "MySQL protocol listening");
        loop {
            tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, peer)) => {
                        let _ = stream.set_nodelay(true);
                        let ctx = Arc::clone(&self.ctx);
                        tokio::spawn(async move {
                            if let Err(e) = Connection::serve(ctx, Box::new(stream), peer.ip().to_string()).await {
                                info!(%peer, error = %e, "connection ended with an I/O error");
                            }
                        });
                    }
                    Err(e) => warn!(error = %e, "accept failed"),
                },
                _ = shutdown.changed() => {
                    if *shutdown.borrow() {
                        info!("MySQL listener stopping");
                        return;
                    }
                }
            }
        }
    }
}
