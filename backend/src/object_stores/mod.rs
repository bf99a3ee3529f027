//! The object stores files read in place come from: the local file system, and
//! S3-compatible storage configured with StarRocks' property names (`aws.s3.endpoint`,
//! `aws.s3.access_key`, `aws.s3.secret_key`, `aws.s3.region`,
//! `aws.s3.enable_path_style_access`), given to `FILES()` or to a files catalog.
//!
//! One registry serves every statement (DataFusion looks stores up by `s3://bucket`). A
//! remote store is built the first time a location in its bucket is named with a given
//! configuration, and wrapped in a [`CachingStore`] so its blocks land in the `file_data`
//! cache. Naming the same bucket with another configuration replaces the store.

pub mod caching_store;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use datafusion::execution::object_store::{DefaultObjectStoreRegistry, ObjectStoreRegistry};
use lakestar_engine::{Error, Reason, Result};
use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::{ClientOptions, ObjectStore, RetryConfig};
use std::time::Duration;
use url::Url;

pub use caching_store::CachingStore;

use crate::cache::BlockCache;

/// StarRocks' S3 property names.
const ENDPOINT: &str = "aws.s3.endpoint";
const ACCESS_KEY: &str = "aws.s3.access_key";
const SECRET_KEY: &str = "aws.s3.secret_key";
const REGION: &str = "aws.s3.region";
const PATH_STYLE: &str = "aws.s3.enable_path_style_access";

/// A location split into the store that holds it and the path inside that store.
#[derive(Debug, Clone)]
pub struct Located {
    pub store: Arc<dyn ObjectStore>,
    /// `file:///` or `s3://bucket/`.
    pub store_url: Url,
    pub path: Path,
}

/// A remote store and the S3 properties it was built from.
type RemoteStore = (BTreeMap<String, String>, Arc<dyn ObjectStore>);

pub struct ObjectStores {
    registry: Arc<DefaultObjectStoreRegistry>,
    /// Remote stores by bucket URL.
    remote: Mutex<HashMap<String, RemoteStore>>,
    blocks: Arc<BlockCache>,
}

impl std::fmt::Debug for ObjectStores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectStores").finish_non_exhaustive()
    }
}

fn bad(message: String) -> Error {
    Error::user(Reason::BadValue, message)
}

/// The path inside its store of a location's URL.
fn path_of(url: &Url, location: &str) -> Result<Path> {
    Path::from_url_path(url.path()).map_err(|e| bad(format!("bad location '{location}': {e}")))
}

/// The S3 properties of `options` (the key every store of a bucket is compared by).
fn s3_properties(options: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    options
        .iter()
        .filter(|(k, _)| k.starts_with("aws.s3."))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

impl ObjectStores {
    pub fn new(blocks: Arc<BlockCache>) -> Self {
        Self {
            registry: Arc::new(DefaultObjectStoreRegistry::new()),
            remote: Mutex::default(),
            blocks,
        }
    }

    pub fn registry(&self) -> Arc<dyn ObjectStoreRegistry> {
        Arc::clone(&self.registry) as Arc<dyn ObjectStoreRegistry>
    }

    /// The store of `location` (`file:///...` or `s3://bucket/...`), registered for
    /// DataFusion's scans, and the path inside it.
    pub fn locate(&self, location: &str, options: &BTreeMap<String, String>) -> Result<Located> {
        let url =
            Url::parse(location).map_err(|e| bad(format!("bad location '{location}': {e}")))?;
        match url.scheme() {
            "file" => {
                let store_url = Url::parse("file:///").expect("file URL");
                let store = self
                    .registry
                    .get_store(&store_url)
                    .map_err(Error::from_datafusion)?;
                Ok(Located {
                    store,
                    store_url,
                    path: path_of(&url, location)?,
                })
            }
            "s3" | "s3a" => {
                let bucket = url
                    .host_str()
                    .ok_or_else(|| bad(format!("no bucket in '{location}'")))?;
                let store_url = Url::parse(&format!("s3://{bucket}/")).expect("bucket URL");
                let store = self.s3_store(bucket, &store_url, options)?;
                Ok(Located {
                    store,
                    store_url,
                    path: path_of(&url, location)?,
                })
            }
            other => Err(Error::unsupported(format!(
                "locations of scheme '{other}' are not supported; use file:// or s3://"
            ))),
        }
    }

    fn s3_store(
        &self,
        bucket: &str,
        store_url: &Url,
        options: &BTreeMap<String, String>,
    ) -> Result<Arc<dyn ObjectStore>> {
        let properties = s3_properties(options);
        let mut remote = self.remote.lock().expect("remote stores");
        if let Some((known, store)) = remote.get(store_url.as_str()) {
            if *known == properties {
                return Ok(Arc::clone(store));
            }
        }
        // A few quick retries: a statement over unreachable storage fails in seconds with
        // the storage error rather than retrying for minutes.
        let retry = RetryConfig {
            max_retries: 2,
            retry_timeout: Duration::from_secs(10),
            ..RetryConfig::default()
        };
        let client = ClientOptions::new().with_connect_timeout(Duration::from_secs(3));
        let mut builder = AmazonS3Builder::new()
            .with_retry(retry)
            .with_client_options(client)
            .with_bucket_name(bucket)
            .with_region(properties.get(REGION).map_or("us-east-1", String::as_str));
        if let Some(endpoint) = properties.get(ENDPOINT) {
            let endpoint = if endpoint.contains("://") {
                endpoint.clone()
            } else {
                format!("https://{endpoint}")
            };
            builder = builder
                .with_allow_http(endpoint.starts_with("http://"))
                .with_endpoint(endpoint);
        }
        if let (Some(key), Some(secret)) = (properties.get(ACCESS_KEY), properties.get(SECRET_KEY))
        {
            builder = builder
                .with_access_key_id(key)
                .with_secret_access_key(secret);
        }
        let virtual_hosted = properties
            .get(PATH_STYLE)
            .is_some_and(|v| v.eq_ignore_ascii_case("false"));
        builder = builder.with_virtual_hosted_style_request(virtual_hosted);
        let s3 = builder
            .build()
            .map_err(|e| bad(format!("cannot open bucket '{bucket}': {e}")))?;
        let store: Arc<dyn ObjectStore> =
            Arc::new(CachingStore::new(Arc::new(s3), Arc::clone(&self.blocks)));
        self.registry.register_store(store_url, Arc::clone(&store));
        remote.insert(store_url.to_string(), (properties, Arc::clone(&store)));
        Ok(store)
    }
}
