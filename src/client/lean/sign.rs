//! SigV4 for the lean client: aws-sigv4 (the SDK's own signer) over credentials from the SDK
//! config's provider chain, cached here and refreshed a minute before they expire. The SDK's
//! identity cache lives inside its orchestrator, so it cannot serve these calls. The cached
//! identity is read on every call without a lock (`ArcSwap`); only a refresh takes one.
//! Depends on aws-sigv4 and aws-credential-types, nothing of the run.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use arc_swap::ArcSwapOption;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;

/// Refresh this long before the credentials expire, so no call is signed with stale ones.
const REFRESH_BEFORE: Duration = Duration::from_secs(60);

pub(crate) struct Signer {
    region: String,
    provider: SharedCredentialsProvider,
    current: ArcSwapOption<Identity>,
    refreshing: tokio::sync::Mutex<()>,
}

impl Signer {
    pub(crate) fn new(region: String, provider: SharedCredentialsProvider) -> Signer {
        Signer {
            region,
            provider,
            current: ArcSwapOption::empty(),
            refreshing: tokio::sync::Mutex::new(()),
        }
    }

    /// Signs a POST of `body` to `uri`, adding the SigV4 headers to `request`.
    pub(crate) async fn sign<B>(
        &self,
        request: &mut http::Request<B>,
        body: &[u8],
    ) -> Result<(), String> {
        let identity = self.identity().await?;
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name("sqs")
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| e.to_string())?
            .into();
        let uri = request.uri().to_string();
        let headers = request
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str(), v.to_str().ok()?)));
        let signable = SignableRequest::new("POST", &uri, headers, SignableBody::Bytes(body))
            .map_err(|e| e.to_string())?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| e.to_string())?
            .into_parts();
        instructions.apply_to_request_http1x(request);
        Ok(())
    }

    async fn identity(&self) -> Result<Arc<Identity>, String> {
        if let Some(id) = self.current.load_full().filter(|id| fresh(id)) {
            return Ok(id);
        }
        let _one_refresh = self.refreshing.lock().await;
        if let Some(id) = self.current.load_full().filter(|id| fresh(id)) {
            return Ok(id);
        }
        let credentials = self
            .provider
            .provide_credentials()
            .await
            .map_err(|e| format!("credentials: {e}"))?;
        let id = Arc::new(Identity::from(credentials));
        self.current.store(Some(id.clone()));
        Ok(id)
    }
}

fn fresh(id: &Identity) -> bool {
    id.expiration()
        .is_none_or(|at| SystemTime::now() + REFRESH_BEFORE < at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_credential_types::Credentials;

    #[tokio::test]
    async fn a_request_gets_the_sigv4_headers_and_expiring_credentials_are_fetched_again() {
        let soon = SystemTime::now() + Duration::from_secs(30);
        let provider = SharedCredentialsProvider::new(Credentials::new(
            "AKID",
            "secret",
            Some("token".into()),
            Some(soon),
            "test",
        ));
        let signer = Signer::new("us-east-1".into(), provider);
        let mut request = http::Request::post("http://127.0.0.1:9/")
            .header("host", "127.0.0.1:9")
            .body(())
            .unwrap();
        signer.sign(&mut request, b"{}").await.unwrap();
        let auth = request.headers()["authorization"].to_str().unwrap();
        assert!(
            auth.starts_with("AWS4-HMAC-SHA256 Credential=AKID/"),
            "{auth}"
        );
        assert!(auth.contains("/us-east-1/sqs/aws4_request"));
        assert_eq!(request.headers()["x-amz-security-token"], "token");
        // Within a minute of expiring: not fresh, so the next call asks the provider again.
        assert!(!fresh(&signer.current.load_full().unwrap()));
    }
}
