//! A small HTTP/1.1 load driver: `concurrency` keep-alive connections send
//! a fixed list of pre-encoded requests as fast as answers come back, and
//! every latency is kept for percentiles. Deliberately minimal (no parsing
//! beyond the status line and `Content-Length`), so it costs as little as
//! possible of the machine it shares with the server.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// One request, encoded as it goes on the wire.
#[derive(Clone, Debug)]
pub struct RawRequest(Vec<u8>);

impl RawRequest {
    /// A GET of `path`.
    pub fn get(path: &str) -> RawRequest {
        RawRequest(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").into_bytes())
    }

    /// Adds an `Authorization` header.
    pub fn authorize(&mut self, authorization: &str) {
        let header = format!("Host: localhost\r\nAuthorization: {authorization}\r\n");
        let text = String::from_utf8_lossy(&self.0).replacen("Host: localhost\r\n", &header, 1);
        self.0 = text.into_bytes();
    }

    /// The same request with PUT as its method.
    pub fn as_put(self) -> RawRequest {
        match self.0.strip_prefix(b"POST ") {
            Some(rest) => RawRequest([b"PUT ".as_slice(), rest].concat()),
            None => self,
        }
    }

    /// This GET as a DELETE of the same path.
    pub fn as_delete(self) -> RawRequest {
        match self.0.strip_prefix(b"GET ") {
            Some(rest) => RawRequest([b"DELETE ".as_slice(), rest].concat()),
            None => self,
        }
    }

    /// A POST of a JSON `body` to `path`.
    pub fn post_json(path: &str, body: &str) -> RawRequest {
        RawRequest(
            format!(
                "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/vnd.schemaregistry.v1+json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
            .into_bytes(),
        )
    }
}

/// What a run measured.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Requests answered with the expected status.
    pub ok: usize,
    /// Requests answered otherwise (or not at all).
    pub failed: usize,
    /// Wall time of the whole run.
    pub elapsed: Duration,
    /// Every request's latency, sorted.
    pub latencies: Vec<Duration>,
    /// Size of the last response body.
    pub body_bytes: usize,
}

impl Outcome {
    /// Answered requests per second.
    pub fn throughput(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }

    /// The latency below which `fraction` of requests fall.
    pub fn percentile(&self, fraction: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((self.latencies.len() as f64 - 1.0) * fraction).round() as usize;
        self.latencies[rank.min(self.latencies.len() - 1)]
    }
}

/// Sends every request of `requests` once over `concurrency` connections
/// to `address`; a request counts as ok when answered with `expect`.
pub async fn drive(
    address: SocketAddr,
    requests: Arc<Vec<RawRequest>>,
    concurrency: usize,
    expect: u16,
) -> Outcome {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (requests, next) = (requests.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            connection(address, &requests, &next, expect).await
        }));
    }
    let mut outcome = Outcome {
        ok: 0,
        failed: 0,
        elapsed: Duration::ZERO,
        latencies: Vec::with_capacity(requests.len()),
        body_bytes: 0,
    };
    for worker in workers {
        let (latencies, failed, body_bytes) = worker.await.unwrap_or_default();
        outcome.ok += latencies.len();
        outcome.failed += failed;
        outcome.latencies.extend(latencies);
        outcome.body_bytes = outcome.body_bytes.max(body_bytes);
    }
    outcome.elapsed = started.elapsed();
    outcome.latencies.sort_unstable();
    outcome
}

/// One keep-alive connection taking requests until none are left; returns
/// the latencies of the good answers, the count of bad ones, a body size.
async fn connection(
    address: SocketAddr,
    requests: &[RawRequest],
    next: &AtomicUsize,
    expect: u16,
) -> (Vec<Duration>, usize, usize) {
    let (mut latencies, mut failed, mut body_bytes) = (Vec::new(), 0, 0);
    let mut stream = None;
    loop {
        let index = next.fetch_add(1, Ordering::Relaxed);
        let Some(request) = requests.get(index) else {
            return (latencies, failed, body_bytes);
        };
        if stream.is_none() {
            stream = TcpStream::connect(address).await.ok().map(|s| {
                let _ = s.set_nodelay(true);
                BufReader::new(s)
            });
        }
        let Some(open) = stream.as_mut() else {
            failed += 1;
            continue;
        };
        let start = Instant::now();
        match exchange(open, request).await {
            Ok((status, size)) if status == expect => {
                latencies.push(start.elapsed());
                body_bytes = size;
            }
            Ok(_) => failed += 1,
            Err(_) => {
                failed += 1;
                stream = None;
            }
        }
    }
}

/// Writes a request and reads its answer: (status, body size).
async fn exchange(
    stream: &mut BufReader<TcpStream>,
    request: &RawRequest,
) -> std::io::Result<(u16, usize)> {
    stream.get_mut().write_all(&request.0).await?;
    let mut line = String::new();
    stream.read_line(&mut line).await?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
    let mut length = 0;
    loop {
        line.clear();
        stream.read_line(&mut line).await?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await?;
    Ok((status, length))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::servers;

    #[test]
    fn every_request_is_sent_once_and_timed() {
        let ceiling = servers::ceiling(vec![b'x'; 1_000]);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let requests = Arc::new(
            (0..300)
                .map(|i| {
                    if i % 2 == 0 {
                        RawRequest::get("/anything")
                    } else {
                        RawRequest::post_json("/else", "{}")
                    }
                })
                .collect(),
        );
        let outcome = runtime.block_on(drive(ceiling.address, requests, 8, 200));
        assert_eq!((outcome.ok, outcome.failed), (300, 0));
        assert_eq!(outcome.body_bytes, 1_000);
        assert_eq!(outcome.latencies.len(), 300);
        assert!(outcome.percentile(0.5) <= outcome.percentile(0.99));
        // An unexpected status counts as a failure.
        let wrong = runtime.block_on(drive(
            ceiling.address,
            Arc::new(vec![RawRequest::get("/")]),
            1,
            404,
        ));
        assert_eq!((wrong.ok, wrong.failed), (0, 1));
        ceiling.stop();
    }
}
