//! Where a run sends its traffic: SQS and SNS clients for real AWS (aws-config's default chain),
//! any SQS-compatible endpoint, or a freshly started embedded emulator (which answers both); and
//! the queues' and topics' lifecycle.
//! Main entry: `connect`. Depends on `scenario` and `emulator`, never on workloads or reports.

pub(crate) mod attempts;
pub(crate) mod bus_cleanup;
pub(crate) mod buses;
pub(crate) mod cleanup;
pub(crate) mod counts;
pub(crate) mod fanout;
pub(crate) mod hot;
pub(crate) mod lean;
pub(crate) mod queues;
pub(crate) mod topic_cleanup;
pub(crate) mod topics;
pub(crate) mod visibility;

use std::time::Duration;

use anyhow::Context;
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_credential_types::Credentials;
use aws_sdk_sqs::config::Region;

use crate::emulator::{ConnectionLimits, Emulator, EmulatorConfig, EmulatorHandle};
use crate::scenario::{Scenario, Target, TargetKind};

/// A ready client and what it talks to.
pub(crate) struct Connection {
    pub client: aws_sdk_sqs::Client,
    /// SNS on the same target and credentials (fan-out runs, cleanup of topics).
    pub sns: aws_sdk_sns::Client,
    /// EventBridge on the same target and credentials (EventBridge runs, cleanup of buses).
    pub events: aws_sdk_eventbridge::Client,
    pub kind: TargetKind,
    pub endpoint: String,
    pub region: String,
    /// The in-process emulator, for the embedded target (dropping it stops it).
    pub emulator: Option<EmulatorHandle>,
    /// The lean client, when `[target] client = "lean"`: the hot calls go through it.
    pub lean: Option<std::sync::Arc<lean::LeanClient>>,
    /// The SDK config's credentials chain, for the lean client's signatures (none: embedded).
    pub credentials: Option<aws_credential_types::provider::SharedCredentialsProvider>,
}

/// Long polls wait up to 20 s, so an attempt may take that long and must not be cut short.
fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(5))
        .operation_attempt_timeout(Duration::from_secs(30))
        .build()
}

/// SDK retries are off by default so throttles and errors are measured, not hidden.
fn retries(enabled: bool) -> RetryConfig {
    if enabled {
        RetryConfig::standard().with_max_attempts(3)
    } else {
        RetryConfig::disabled()
    }
}

/// The lean client on the connection's endpoint, region and credentials (`None`: unsigned,
/// for the embedded emulator, which checks no signature), with the SDK's timeouts and retries.
pub(crate) fn lean_client(
    connection: &Connection,
    signed: bool,
    retries_on: bool,
) -> anyhow::Result<lean::LeanClient> {
    let t = timeouts();
    let extra_roots = match std::env::var_os("AWS_CA_BUNDLE").filter(|p| !p.is_empty()) {
        Some(path) => Some(std::fs::read(&path).with_context(|| {
            format!("AWS_CA_BUNDLE={}: cannot be read", path.to_string_lossy())
        })?),
        None => None,
    };
    lean::LeanClient::new(lean::Settings {
        endpoint: connection.endpoint.clone(),
        region: connection.region.clone(),
        credentials: if signed {
            connection.credentials.clone()
        } else {
            None
        },
        retry: if retries_on {
            lean::RetryPolicy::standard(3, Duration::from_secs(1))
        } else {
            lean::RetryPolicy::disabled()
        },
        connect_timeout: t.connect_timeout().unwrap_or(Duration::from_secs(5)),
        attempt_timeout: t
            .operation_attempt_timeout()
            .unwrap_or(Duration::from_secs(30)),
        extra_roots,
    })
}

/// The endpoint the SDK's resolver gives a region (and FIPS or dual-stack), or the override.
async fn resolved_endpoint(config: &aws_config::SdkConfig, region: &str) -> anyhow::Result<String> {
    use aws_sdk_sqs::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
    let mut params = Params::builder()
        .region(region.to_string())
        .use_fips(config.use_fips().unwrap_or(false))
        .use_dual_stack(config.use_dual_stack().unwrap_or(false));
    if let Some(url) = config.endpoint_url() {
        params = params.endpoint(url.to_string());
    }
    let params = params.build().context("endpoint parameters")?;
    let endpoint = DefaultResolver::new()
        .resolve_endpoint(&params)
        .await
        .map_err(|e| anyhow::anyhow!("resolving the SQS endpoint: {e}"))?;
    Ok(endpoint.url().to_string())
}

fn static_credentials() -> Credentials {
    Credentials::new("test", "test", None, None, "sqsbench-static")
}

/// Real credentials in the environment win over the static test pair for custom endpoints.
fn has_env_credentials() -> bool {
    std::env::var_os("AWS_ACCESS_KEY_ID").is_some()
        && std::env::var_os("AWS_SECRET_ACCESS_KEY").is_some()
}

pub(crate) fn emulator_config(scenario: &Scenario) -> EmulatorConfig {
    let defaults = EmulatorConfig::default();
    // The run is the embedded emulator's only client: it accepts every connection the run
    // may hold (`scenario::connections`), never fewer than a server's default.
    let needed = crate::scenario::connections::connections(scenario).total() as usize;
    let connections = ConnectionLimits {
        max_connections: defaults.connections.max_connections.max(needed),
        ..defaults.connections
    };
    EmulatorConfig {
        region: scenario.emulator.region.clone(),
        quota: scenario.emulator.quota.clone(),
        idle: scenario.emulator.idle,
        faults: scenario.emulator.faults.clone(),
        seed: scenario.run.seed,
        connections,
        ..defaults
    }
}

pub(crate) async fn connect(scenario: &Scenario) -> anyhow::Result<Connection> {
    let mut connection = connect_sdk(scenario).await?;
    if scenario.client == crate::scenario::ClientKind::Lean {
        let signed = connection.kind != TargetKind::Embedded;
        let lean = lean_client(&connection, signed, scenario.run.retries)?;
        connection.lean = Some(std::sync::Arc::new(lean));
    }
    Ok(connection)
}

async fn connect_sdk(scenario: &Scenario) -> anyhow::Result<Connection> {
    let retry = retries(scenario.run.retries);
    match &scenario.target {
        Target::Embedded => {
            let emulator = Emulator::start(emulator_config(scenario))
                .await
                .context("starting the embedded emulator")?;
            let endpoint = emulator.endpoint();
            let region = scenario.emulator.region.clone();
            let (client, sns, events) = unsigned_clients(&endpoint, &region, retry);
            Ok(Connection {
                lean: None,
                credentials: None,
                client,
                sns,
                events,
                kind: TargetKind::Embedded,
                endpoint,
                region,
                emulator: Some(emulator),
            })
        }
        remote => connect_remote(remote, scenario.run.retries).await,
    }
}

/// A client for a target that exists without sqsbench: an SQS-compatible endpoint or AWS.
/// The embedded target is refused: it lives only as long as its run.
pub(crate) async fn connect_remote(
    target: &Target,
    retries_on: bool,
) -> anyhow::Result<Connection> {
    let retry = retries(retries_on);
    match target {
        Target::Embedded => anyhow::bail!(
            "the embedded emulator lives only as long as its run: name an endpoint URL or aws"
        ),
        Target::Endpoint { url, region } => {
            let config = endpoint_config(url, region, retry, has_env_credentials()).await?;
            let client = aws_sdk_sqs::Client::new(&config);
            Ok(Connection {
                lean: None,
                credentials: config.credentials_provider(),
                client,
                sns: aws_sdk_sns::Client::new(&config),
                events: aws_sdk_eventbridge::Client::new(&config),
                kind: TargetKind::Endpoint,
                endpoint: url.clone(),
                region: region.clone(),
                emulator: None,
            })
        }
        Target::Aws { region, profile } => {
            let mut loader = aws_config::defaults(BehaviorVersion::latest())
                .retry_config(retry)
                .timeout_config(timeouts());
            if let Some(region) = region {
                loader = loader.region(Region::new(region.clone()));
            }
            if let Some(profile) = profile {
                loader = loader.profile_name(profile);
            }
            if let Some(http) = ca_bundle_client()? {
                loader = loader.http_client(http);
            }
            let config = loader.load().await;
            let region = config
                .region()
                .map(|r| r.to_string())
                .context("no AWS region: set [target] region, AWS_REGION or a profile region")?;
            let client = aws_sdk_sqs::Client::new(&config);
            let sns = aws_sdk_sns::Client::new(&config);
            let events = aws_sdk_eventbridge::Client::new(&config);
            // AWS_ENDPOINT_URL (the SDK's own setting) points the aws target elsewhere; say where.
            let endpoint = resolved_endpoint(&config, &region).await?;
            Ok(Connection {
                lean: None,
                credentials: config.credentials_provider(),
                client,
                sns,
                events,
                kind: TargetKind::Aws,
                endpoint,
                region,
                emulator: None,
            })
        }
    }
}

/// The embedded emulator ignores signatures, so its clients skip SigV4 signing (a large share
/// of the SDK's CPU per call) and the harness's ceiling is not spent on work nobody checks.
fn unsigned_clients(
    url: &str,
    region: &str,
    retry: RetryConfig,
) -> (
    aws_sdk_sqs::Client,
    aws_sdk_sns::Client,
    aws_sdk_eventbridge::Client,
) {
    let no_auth = || aws_smithy_runtime_api::client::auth::AuthSchemeId::from("no_auth");
    let sqs = aws_sdk_sqs::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .endpoint_url(url)
        .retry_config(retry.clone())
        .timeout_config(timeouts())
        .allow_no_auth()
        .auth_scheme_preference([no_auth()])
        .build();
    let sns = aws_sdk_sns::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(aws_sdk_sns::config::Region::new(region.to_string()))
        .endpoint_url(url)
        .retry_config(retry.clone())
        .timeout_config(timeouts())
        .allow_no_auth()
        .auth_scheme_preference([no_auth()])
        .build();
    let events = aws_sdk_eventbridge::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(aws_sdk_eventbridge::config::Region::new(region.to_string()))
        .endpoint_url(url)
        .retry_config(retry)
        .timeout_config(timeouts())
        .allow_no_auth()
        .auth_scheme_preference([no_auth()])
        .build();
    (
        aws_sdk_sqs::Client::from_conf(sqs),
        aws_sdk_sns::Client::from_conf(sns),
        aws_sdk_eventbridge::Client::from_conf(events),
    )
}

async fn endpoint_config(
    url: &str,
    region: &str,
    retry: RetryConfig,
    env_credentials: bool,
) -> anyhow::Result<aws_config::SdkConfig> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .endpoint_url(url)
        .retry_config(retry)
        .timeout_config(timeouts());
    if !env_credentials {
        loader = loader.credentials_provider(static_credentials());
    }
    if let Some(http) = ca_bundle_client()? {
        loader = loader.http_client(http);
    }
    Ok(loader.load().await)
}

/// `AWS_CA_BUNDLE`, as the AWS CLI and boto3 read it: certificates (PEM) trusted besides the
/// system's, for an HTTPS endpoint signed by a private CA (`sqsbench serve --tls-cert`). The
/// Rust SDK does not read it itself.
pub(crate) fn ca_bundle_client()
-> anyhow::Result<Option<aws_smithy_runtime_api::client::http::SharedHttpClient>> {
    use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};
    let Some(path) = std::env::var_os("AWS_CA_BUNDLE").filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let pem = std::fs::read(&path)
        .with_context(|| format!("AWS_CA_BUNDLE={}: cannot be read", path.to_string_lossy()))?;
    if !pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
        anyhow::bail!(
            "AWS_CA_BUNDLE={}: holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
            path.to_string_lossy()
        );
    }
    let context = TlsContext::builder()
        .with_trust_store(TrustStore::default().with_pem_certificate(pem))
        .build()
        .with_context(|| format!("AWS_CA_BUNDLE={}", path.to_string_lossy()))?;
    Ok(Some(
        aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
            .tls_context(context)
            .build_https(),
    ))
}
