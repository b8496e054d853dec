//! Shared test plumbing: the SDK helpers the emulator's tests use too (`sdk`, one file for both
//! crates), and `sqsbench serve` as a child process.

use aws_sdk_sqs::Client;

pub use crate::sdk::*;

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
