//! Shared test plumbing: start an emulator on 127.0.0.1:0 and a real SDK client for it.

use aws_config::BehaviorVersion;
use aws_credential_types::Credentials;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::config::{Region, retry::RetryConfig};
use sqsbench::emulator::{Emulator, EmulatorConfig, EmulatorHandle};

/// A client as a user would build it for a local endpoint, with retries off so every error
/// reaches the test.
pub fn client(endpoint: &str) -> Client {
    let config = aws_sdk_sqs::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .retry_config(RetryConfig::disabled())
        .build();
    Client::from_conf(config)
}

pub async fn emulator_with(config: EmulatorConfig) -> (EmulatorHandle, Client) {
    let handle = Emulator::start(config)
        .await
        .expect("emulator starts on loopback");
    let client = client(&handle.endpoint());
    (handle, client)
}

pub async fn emulator() -> (EmulatorHandle, Client) {
    emulator_with(EmulatorConfig::default()).await
}

pub async fn queue(client: &Client, name: &str) -> String {
    client
        .create_queue()
        .queue_name(name)
        .send()
        .await
        .expect("create queue")
        .queue_url
        .expect("url")
}

pub async fn fifo_queue(client: &Client, name: &str, extra: &[(&str, &str)]) -> String {
    let mut request = client
        .create_queue()
        .queue_name(name)
        .attributes(aws_sdk_sqs::types::QueueAttributeName::FifoQueue, "true");
    for (k, v) in extra {
        request = request.attributes(aws_sdk_sqs::types::QueueAttributeName::from(*k), *v);
    }
    request
        .send()
        .await
        .expect("create fifo queue")
        .queue_url
        .expect("url")
}

/// The error code as the SDK exposes it (legacy query code when the header is right).
pub fn code<E: aws_sdk_sqs::error::ProvideErrorMetadata>(e: &E) -> String {
    e.code().unwrap_or("<none>").to_string()
}

/// A free TCP port on loopback, chosen by the kernel.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits (up to 10 s) until something accepts connections on 127.0.0.1:`port`.
pub fn wait_for_port(port: u16) {
    let start = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(10),
            "nothing listening on port {port}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// `sqsbench serve` as a child process on a free loopback port, stopped (and resumed first,
/// if a test stopped it) by its PID when dropped.
pub struct ServeProcess {
    pub child: std::process::Child,
    pub port: u16,
}

impl ServeProcess {
    /// With the given flags, optionally under `prlimit --nofile=N`.
    pub fn start(flags: &[&str], nofile: Option<u32>) -> ServeProcess {
        let port = free_port();
        let bin = env!("CARGO_BIN_EXE_sqsbench");
        let mut command = match nofile {
            Some(n) => {
                let mut c = std::process::Command::new("prlimit");
                c.arg(format!("--nofile={n}:{n}")).arg(bin);
                c
            }
            None => std::process::Command::new(bin),
        };
        let child = command
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .args(flags)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        wait_for_port(port);
        ServeProcess { child, port }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Sends a signal (`STOP`, `CONT`, `TERM`…) to the server.
    pub fn signal(&self, name: &str) {
        let status = std::process::Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Runs `f` with a client of this server on a runtime of its own (the tests around it are
    /// synchronous: they drive processes and sockets).
    pub fn with_client<T>(&self, f: impl AsyncFnOnce(Client) -> T) -> T {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(f(client(&self.url())))
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill")
            .args(["-CONT", &self.child.id().to_string()])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every queue's URL on the emulator.
pub async fn queue_urls(client: &Client) -> Vec<String> {
    client
        .list_queues()
        .send()
        .await
        .expect("list queues")
        .queue_urls
        .unwrap_or_default()
}
