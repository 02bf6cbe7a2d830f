//! TLS: a self-signed CA and a server certificate for `localhost` / `127.0.0.1`,
//! a rustls server config, and an axum listener that terminates TLS.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// Errors creating or loading certificates.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// Certificate generation failed.
    #[error("cannot generate certificates: {0}")]
    Generate(#[from] rcgen::Error),
    /// Reading or writing PEM files failed.
    #[error("certificate file {path}: {message}")]
    File {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// rustls rejected the certificate or key.
    #[error("TLS configuration: {0}")]
    Config(#[from] rustls::Error),
}

/// A CA certificate and a server certificate signed by it (PEM).
#[derive(Clone)]
pub struct Certs {
    /// CA certificate (goes into the kubeconfig).
    pub ca_pem: String,
    /// Server certificate.
    pub cert_pem: String,
    /// Server private key.
    pub key_pem: String,
}

impl std::fmt::Debug for Certs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Certs").finish_non_exhaustive()
    }
}

impl Certs {
    /// Generates a fresh CA and server certificate.
    pub fn generate() -> Result<Self, TlsError> {
        let ca_key = KeyPair::generate()?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "driftless-sim-ca");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca_params.self_signed(&ca_key)?;
        let issuer = Issuer::from_params(&ca_params, &ca_key);
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::new(vec![
            "localhost".to_string(),
            "kubernetes".to_string(),
            "kubernetes.default.svc".to_string(),
        ])?;
        params
            .distinguished_name
            .push(DnType::CommonName, "kube-apiserver");
        params
            .subject_alt_names
            .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        params
            .subject_alt_names
            .push(SanType::IpAddress(IpAddr::V6(Ipv6Addr::LOCALHOST)));
        let cert = params.signed_by(&key, &issuer)?;
        Ok(Self {
            ca_pem: ca_cert.pem(),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    }

    /// Loads certificates saved in `dir`, or generates and saves new ones.
    pub fn load_or_generate(dir: &Path) -> Result<Self, TlsError> {
        let files = ["ca.crt", "server.crt", "server.key"].map(|f| dir.join(f));
        let err = |p: &Path, e: std::io::Error| TlsError::File {
            path: p.display().to_string(),
            message: e.to_string(),
        };
        if files.iter().all(|f| f.exists()) {
            let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| err(p, e));
            return Ok(Self {
                ca_pem: read(&files[0])?,
                cert_pem: read(&files[1])?,
                key_pem: read(&files[2])?,
            });
        }
        let certs = Self::generate()?;
        std::fs::create_dir_all(dir).map_err(|e| err(dir, e))?;
        for (f, text) in files
            .iter()
            .zip([&certs.ca_pem, &certs.cert_pem, &certs.key_pem])
        {
            std::fs::write(f, text).map_err(|e| err(f, e))?;
        }
        Ok(certs)
    }

    /// A rustls server config (HTTP/1.1 via ALPN) for these certificates.
    pub fn server_config(&self) -> Result<rustls::ServerConfig, TlsError> {
        let bad = |what: &str| TlsError::File {
            path: what.to_string(),
            message: "invalid PEM".into(),
        };
        let chain: Vec<CertificateDer<'static>> =
            CertificateDer::pem_slice_iter(self.cert_pem.as_bytes())
                .collect::<Result<_, _>>()
                .map_err(|_| bad("server certificate"))?;
        let key = PrivateKeyDer::from_pem_slice(self.key_pem.as_bytes())
            .map_err(|_| bad("server key"))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(chain, key)?;
        // HTTP/2 as client-go negotiates it, HTTP/1.1 for everyone else.
        cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(cfg)
    }
}

/// An axum listener that accepts TCP connections and completes TLS handshakes in
/// background tasks (a slow client cannot block others).
pub struct TlsListener {
    rx: mpsc::Receiver<(TlsStream<tokio::net::TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

impl TlsListener {
    /// Wraps a bound TCP listener.
    pub fn new(tcp: TcpListener, config: rustls::ServerConfig) -> std::io::Result<Self> {
        let local = tcp.local_addr()?;
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let (tx, rx) = mpsc::channel(64);
        tokio::spawn(async move {
            loop {
                let Ok((stream, addr)) = tcp.accept().await else {
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    continue;
                };
                if tx.is_closed() {
                    return;
                }
                let acceptor = acceptor.clone();
                let tx2 = tx.clone();
                tokio::spawn(async move {
                    if let Ok(Ok(tls)) = tokio::time::timeout(
                        std::time::Duration::from_secs(10),
                        acceptor.accept(stream),
                    )
                    .await
                    {
                        let _ = tx2.send((tls, addr)).await;
                    }
                });
            }
        });
        Ok(Self { rx, local })
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<tokio::net::TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.rx.recv().await {
            Some(x) => x,
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}
