//! `serve --tls-cert/--tls-key`: the rustls acceptor (aws-lc-rs, the provider the SDK already
//! links, so no second TLS library) that wraps each accepted connection. Offers only HTTP/1.1 by
//! ALPN, the one HTTP version the server speaks. Depends on the config's PEM bytes only.

use std::io::{Error, ErrorKind};
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::aws_lc_rs;

use crate::config::TlsIdentity;

/// The acceptor for `identity`, or an error saying which PEM is unusable and why.
pub(crate) fn acceptor(identity: &TlsIdentity) -> std::io::Result<TlsAcceptor> {
    let bad = |what: &str, e: &dyn std::fmt::Display| {
        Error::new(ErrorKind::InvalidInput, format!("{what}: {e}"))
    };
    let chain = CertificateDer::pem_slice_iter(&identity.cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad("the certificate PEM cannot be read", &e))?;
    if chain.is_empty() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "the certificate PEM holds no CERTIFICATE block",
        ));
    }
    let key = PrivateKeyDer::from_pem_slice(&identity.key_pem)
        .map_err(|e| bad("the key PEM holds no usable private key", &e))?;
    let mut config = ServerConfig::builder_with_provider(Arc::new(aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| bad("TLS", &e))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| bad("the certificate and key do not make a TLS identity", &e))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}
