//! A certificate authority made in the test, and a server identity for 127.0.0.1 and
//! localhost that it signed: what `serve --tls-cert/--tls-key` is given in the TLS tests, and
//! what their clients trust. Written once for both test binaries (the harness's includes this
//! file by path).
#![allow(dead_code)]

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use sqsbench_emulator::TlsIdentity;

pub struct TestCa {
    /// The CA's certificate, PEM: what a client is told to trust.
    pub ca_pem: String,
    /// The server's certificate chain and key, PEM.
    pub server: TlsIdentity,
}

pub fn test_ca() -> TestCa {
    let ca_key = KeyPair::generate().expect("a CA key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "sqsbench test CA");
    let ca_cert = ca.self_signed(&ca_key).expect("a self-signed CA");
    let issuer = Issuer::new(ca, ca_key);
    let server_key = KeyPair::generate().expect("a server key");
    let server = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
        .expect("server parameters")
        .signed_by(&server_key, &issuer)
        .expect("a server certificate signed by the CA");
    TestCa {
        ca_pem: ca_cert.pem(),
        server: TlsIdentity {
            cert_pem: server.pem().into_bytes(),
            key_pem: server_key.serialize_pem().into_bytes(),
        },
    }
}
