//! The few S3 calls results need — put, list, get, delete — on aws-sdk-s3, configured from
//! aws-config's chain as the SQS clients are (environment, profile, web identity as IRSA gives
//! it, ECS, instance metadata), `AWS_ENDPOINT_URL_S3` pointing it at another store.
//! Every error names the object or folder and says why in words.
//!
//! Depends on `client` only for `AWS_CA_BUNDLE`; knows nothing of results.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use aws_config::BehaviorVersion;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::operation::list_objects_v2::ListObjectsV2Output;
use aws_sdk_s3::primitives::ByteStream;
use tokio::io::AsyncWriteExt;

use super::location::S3Prefix;

/// An object as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    pub key: String,
    pub size: u64,
}

pub struct S3 {
    client: aws_sdk_s3::Client,
}

/// A custom endpoint (moto, MinIO, LocalStack) is addressed path-style: `bucket.host` names
/// exist only on AWS's own domains.
fn custom_endpoint() -> bool {
    ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|u| !u.is_empty()))
}

impl S3 {
    /// A client from aws-config's chain; no request is made yet.
    pub async fn connect() -> anyhow::Result<S3> {
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(5))
            .read_timeout(Duration::from_secs(60))
            .build();
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).timeout_config(timeouts);
        if let Some(http) = crate::client::ca_bundle_client()? {
            loader = loader.http_client(http);
        }
        let config = loader.load().await;
        if config.region().is_none() {
            anyhow::bail!(
                "no AWS region for S3: set AWS_REGION (the bucket's region) or a profile's region"
            );
        }
        let s3 = aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(custom_endpoint())
            .build();
        Ok(S3 {
            client: aws_sdk_s3::Client::from_conf(s3),
        })
    }

    /// Puts `body` as the object `key`, whole or not at all (S3's PUT is atomic).
    pub async fn put(&self, bucket: &str, key: &str, body: Vec<u8>) -> Result<(), String> {
        self.client
            .put_object()
            .bucket(bucket)
            .key(key)
            .body(ByteStream::from(body))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| why(&e))
    }

    /// Puts the file at `path` as the object `key`, streamed from disk.
    pub async fn put_file(&self, bucket: &str, key: &str, path: &Path) -> Result<(), String> {
        let body = ByteStream::from_path(path)
            .await
            .map_err(|e| format!("reading {}: {e}", path.display()))?;
        self.client
            .put_object()
            .bucket(bucket)
            .key(key)
            .body(body)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| why(&e))
    }

    /// Every object under `at`, with their sizes.
    pub async fn list(&self, at: &S3Prefix) -> Result<Vec<Object>, String> {
        let mut objects = Vec::new();
        self.each_page(at, None, |page| {
            objects.extend(page.contents().iter().filter_map(|o| {
                Some(Object {
                    key: o.key()?.to_string(),
                    size: o.size().unwrap_or(0).max(0) as u64,
                })
            }))
        })
        .await?;
        Ok(objects)
    }

    /// The folders directly under `at` (S3's common prefixes), each ending in '/'.
    pub async fn folders(&self, at: &S3Prefix) -> Result<Vec<String>, String> {
        let mut folders = Vec::new();
        self.each_page(at, Some("/"), |page| {
            folders.extend(
                page.common_prefixes()
                    .iter()
                    .filter_map(|p| p.prefix().map(str::to_string)),
            )
        })
        .await?;
        Ok(folders)
    }

    /// Every page of the listing of `at` (with `delimiter`, folders apart), in order.
    async fn each_page(
        &self,
        at: &S3Prefix,
        delimiter: Option<&str>,
        mut each: impl FnMut(&ListObjectsV2Output),
    ) -> Result<(), String> {
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&at.bucket)
            .prefix(&at.prefix)
            .set_delimiter(delimiter.map(str::to_string))
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            each(&page.map_err(|e| why(&e))?);
        }
        Ok(())
    }

    /// Whether the folder `at` holds any object.
    pub async fn is_empty(&self, at: &S3Prefix) -> Result<bool, String> {
        Ok(self.first_key(&at.bucket, &at.prefix).await?.is_none())
    }

    /// Whether the object `key` exists (a listing of it: no error for an absent key).
    pub async fn exists(&self, bucket: &str, key: &str) -> Result<bool, String> {
        Ok(self.first_key(bucket, key).await?.as_deref() == Some(key))
    }

    /// The first key that starts with `prefix` (one key listed at most).
    async fn first_key(&self, bucket: &str, prefix: &str) -> Result<Option<String>, String> {
        let page = self
            .client
            .list_objects_v2()
            .bucket(bucket)
            .prefix(prefix)
            .max_keys(1)
            .send()
            .await
            .map_err(|e| why(&e))?;
        Ok(page
            .contents()
            .first()
            .and_then(|o| o.key())
            .map(str::to_string))
    }

    /// The object `key` written to `path` as it arrives (through a temporary name), never
    /// held whole in memory.
    pub async fn get_to(&self, bucket: &str, key: &str, path: &Path) -> anyhow::Result<()> {
        let got = self
            .client
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("{}", why(&e)))?;
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let part = path.with_file_name(format!(".{name}.part"));
        let mut file = tokio::fs::File::create(&part)
            .await
            .with_context(|| format!("creating {}", part.display()))?;
        let mut body = got.body;
        while let Some(chunk) = body.try_next().await.context("reading the object")? {
            file.write_all(&chunk)
                .await
                .with_context(|| format!("writing {}", part.display()))?;
        }
        file.flush().await?;
        tokio::fs::rename(&part, path)
            .await
            .with_context(|| format!("renaming {} into place", part.display()))
    }

    /// The object `key` in memory, refused beyond `limit` bytes (a small file: shard.json).
    pub async fn get_small(
        &self,
        bucket: &str,
        key: &str,
        limit: usize,
    ) -> Result<Vec<u8>, String> {
        let got = self
            .client
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| why(&e))?;
        let mut body = got.body;
        let mut bytes = Vec::new();
        while let Some(chunk) = body.try_next().await.map_err(|e| e.to_string())? {
            if bytes.len() + chunk.len() > limit {
                return Err(format!("larger than {limit} bytes"));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }

    pub async fn delete(&self, bucket: &str, key: &str) -> Result<(), String> {
        self.client
            .delete_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| why(&e))
    }
}

/// An SDK error in words: S3's code for the common refusals, else the SDK's whole chain of
/// causes (a missing credential, a connection refused).
fn why<E, R>(e: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    if let SdkError::ServiceError(service) = e {
        let err = service.err();
        return match err.code() {
            Some("NoSuchBucket") => "the bucket does not exist (NoSuchBucket)".into(),
            Some(code @ ("AccessDenied" | "AllAccessDisabled")) => {
                format!("access denied ({code}): the credentials in use may not write there")
            }
            Some(
                code @ ("InvalidAccessKeyId"
                | "SignatureDoesNotMatch"
                | "ExpiredToken"
                | "InvalidToken"),
            ) => format!("the credentials were refused ({code})"),
            Some(code) => format!("{code}: {}", err.message().unwrap_or("no message")),
            None => format!("{}", DisplayErrorContext(e)),
        };
    }
    let mut said = DisplayErrorContext(e).to_string();
    // The context ends with the error's Debug form, which repeats the chain above it.
    if let Some(at) = said
        .find(" (DispatchFailure(")
        .or(said.find(" (ConstructionFailure("))
    {
        said.truncate(at);
    }
    if said.contains("credentials") {
        format!(
            "no credentials were found (aws-config's chain: environment, profile, web identity, ECS, instance metadata): {said}"
        )
    } else {
        said
    }
}
