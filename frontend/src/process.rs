//! The process list: every open connection, what it runs, and how to kill it.
//!
//! `SHOW PROCESSLIST`, `information_schema.PROCESSLIST`, `KILL [QUERY|CONNECTION] id` and
//! COM_PROCESS_KILL read or signal these entries. A kill is a signal on a `watch` channel:
//! the connection's statement future races against it and is dropped, which cancels the
//! running plan and frees its memory.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use tokio::sync::watch;

/// Kill requests: how many KILL QUERY so far, and whether the connection is killed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Kills {
    pub queries: u64,
    pub connection: bool,
}

/// What a connection is doing now.
#[derive(Debug, Clone)]
pub struct Activity {
    pub user: String,
    pub db: Option<String>,
    /// `Sleep` or `Query`.
    pub command: &'static str,
    pub info: Option<String>,
    pub since: Instant,
}

/// One connection's entry.
#[derive(Debug)]
pub struct Process {
    pub id: u32,
    pub host: String,
    activity: Mutex<Activity>,
    kills: watch::Sender<Kills>,
}

impl Process {
    pub fn activity(&self) -> Activity {
        self.activity.lock().expect("process lock").clone()
    }

    pub fn set_activity(&self, user: &str, db: Option<&str>, info: Option<&str>) {
        let mut a = self.activity.lock().expect("process lock");
        a.user = user.to_string();
        a.db = db.map(str::to_string);
        a.command = if info.is_some() { "Query" } else { "Sleep" };
        a.info = info.map(|s| s.chars().take(1024).collect());
        a.since = Instant::now();
    }

    pub fn kill(&self, connection: bool) {
        self.kills.send_modify(|k| {
            k.queries += 1;
            k.connection |= connection;
        });
    }

    pub fn subscribe(&self) -> watch::Receiver<Kills> {
        self.kills.subscribe()
    }
}

/// All open connections.
#[derive(Debug, Default)]
pub struct ProcessList {
    entries: RwLock<BTreeMap<u32, Arc<Process>>>,
    /// Connections accepted since start (SHOW STATUS `Connections`).
    pub connections: AtomicU64,
    /// Statements received since start (SHOW STATUS `Questions`).
    pub questions: AtomicU64,
}

impl ProcessList {
    /// Register a connection; the entry is removed when the guard drops.
    pub fn register(self: &Arc<Self>, id: u32, user: &str, host: &str) -> ProcessGuard {
        let process = Arc::new(Process {
            id,
            host: host.to_string(),
            activity: Mutex::new(Activity {
                user: user.to_string(),
                db: None,
                command: "Sleep",
                info: None,
                since: Instant::now(),
            }),
            kills: watch::Sender::new(Kills::default()),
        });
        self.entries
            .write()
            .expect("process list lock")
            .insert(id, Arc::clone(&process));
        self.connections.fetch_add(1, Ordering::Relaxed);
        ProcessGuard {
            list: Arc::clone(self),
            process,
        }
    }

    pub fn get(&self, id: u32) -> Option<Arc<Process>> {
        self.entries
            .read()
            .expect("process list lock")
            .get(&id)
            .cloned()
    }

    pub fn all(&self) -> Vec<Arc<Process>> {
        self.entries
            .read()
            .expect("process list lock")
            .values()
            .cloned()
            .collect()
    }
}

/// Keeps a connection in the list while it lives.
#[derive(Debug)]
pub struct ProcessGuard {
    list: Arc<ProcessList>,
    pub process: Arc<Process>,
}

impl Drop for ProcessGuard {
    fn drop(&mut self) {
        self.list
            .entries
            .write()
            .expect("process list lock")
            .remove(&self.process.id);
    }
}
