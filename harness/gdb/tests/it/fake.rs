//! A scripted GDB stub on the far end of a duplex pipe.

use std::time::Duration;

use ppcr_gdb::packet::{checksum, frame};
use ppcr_gdb::{Client, Config};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream};

/// Deadline used by the fault tests: short, so each test stays well under
/// a second.
pub const SHORT: Duration = Duration::from_millis(150);

/// A client and the stub end of its pipe.
pub fn pair() -> (Client<DuplexStream>, Stub) {
    pair_with(Config {
        timeout: SHORT,
        ..Config::default()
    })
}

/// [`pair`] with a custom client configuration.
pub fn pair_with(config: Config) -> (Client<DuplexStream>, Stub) {
    let (a, b) = tokio::io::duplex(1 << 16);
    (Client::with_config(a, config), Stub::new(b))
}

/// The stub side: reads what the client sends, writes scripted bytes.
pub struct Stub<T = DuplexStream> {
    pub io: T,
    buf: Vec<u8>,
}

impl<T: AsyncRead + AsyncWrite + Unpin> Stub<T> {
    /// A stub over any stream.
    pub fn new(io: T) -> Self {
        Stub {
            io,
            buf: Vec::new(),
        }
    }

    async fn fill(&mut self) -> bool {
        let mut tmp = [0u8; 4096];
        match self.io.read(&mut tmp).await {
            Ok(0) | Err(_) => false,
            Ok(n) => {
                self.buf.extend_from_slice(&tmp[..n]);
                true
            }
        }
    }

    /// The next single byte from the client (an ack, NAK or 0x03).
    pub async fn byte(&mut self) -> u8 {
        while self.buf.is_empty() {
            assert!(
                self.fill().await,
                "client closed while the stub waited for a byte"
            );
        }
        self.buf.remove(0)
    }

    /// The next packet payload from the client, skipping acks; checks the
    /// client's checksum. Does not acknowledge.
    pub async fn packet_noack(&mut self) -> Vec<u8> {
        loop {
            while let Some(&b) = self.buf.first() {
                if b == b'$' {
                    break;
                }
                assert!(
                    b == b'+' || b == b'-',
                    "stub got stray byte {b:#x} from the client"
                );
                self.buf.remove(0);
            }
            if let Some(h) = self.buf.iter().position(|&b| b == b'#') {
                if self.buf.len() >= h + 3 {
                    let unit: Vec<u8> = self.buf.drain(..h + 3).collect();
                    let payload = unit[1..h].to_vec();
                    let sum = u8::from_str_radix(std::str::from_utf8(&unit[h + 1..]).unwrap(), 16)
                        .unwrap();
                    assert_eq!(sum, checksum(&payload), "client sent a bad checksum");
                    return payload;
                }
            }
            assert!(
                self.fill().await,
                "client closed while the stub waited for a packet"
            );
        }
    }

    /// Expects `payload` from the client and acknowledges it.
    pub async fn expect(&mut self, payload: &str) {
        let got = self.packet_noack().await;
        assert_eq!(String::from_utf8_lossy(&got), payload);
        self.raw(b"+").await;
    }

    /// Sends a framed reply and waits for the client's ack byte.
    pub async fn reply(&mut self, payload: &[u8]) {
        self.raw(&frame(payload)).await;
        assert_eq!(
            self.byte().await,
            b'+',
            "client did not ack {:?}",
            String::from_utf8_lossy(payload)
        );
    }

    /// Expects a request and answers it.
    pub async fn answer(&mut self, request: &str, reply: &[u8]) {
        self.expect(request).await;
        self.reply(reply).await;
    }

    /// Writes raw bytes.
    pub async fn raw(&mut self, bytes: &[u8]) {
        self.io.write_all(bytes).await.unwrap();
        self.io.flush().await.unwrap();
    }
}

/// Runs the stub script concurrently with the client body, and fails if the
/// stub script panicked or does not finish.
pub async fn run<F, T>(stub_script: F, client_body: impl std::future::Future<Output = T>) -> T
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let stub = tokio::spawn(stub_script);
    let out = client_body.await;
    tokio::time::timeout(Duration::from_secs(2), stub)
        .await
        .expect("stub script did not finish")
        .expect("stub script panicked");
    out
}
