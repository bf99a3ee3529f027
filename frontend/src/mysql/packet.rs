//! MySQL packet framing (3-byte length, 1-byte sequence id) and length-encoded values.

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufStream};

const MAX_PAYLOAD: usize = 0xFF_FFFF;
/// The largest logical packet ever accepted (MySQL's upper bound for `max_allowed_packet`).
const MAX_PACKET: usize = 1 << 30;

/// Why a packet was refused; the connection is closed after reporting it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PacketError {
    /// Larger than `max_allowed_packet` (MySQL 1153).
    TooLarge,
    /// A command packet whose sequence id is not 0 (MySQL 1156).
    OutOfOrder,
}

impl std::fmt::Display for PacketError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PacketError::TooLarge => "Got a packet bigger than 'max_allowed_packet' bytes",
            PacketError::OutOfOrder => "Got packets out of order",
        })
    }
}

impl std::error::Error for PacketError {}
/// Flush the write buffer once it holds this many bytes, so big results stream.
const FLUSH_THRESHOLD: usize = 64 * 1024;

/// A client byte stream: plain TCP, or TLS after an SSLRequest.
pub trait ClientStream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> ClientStream for T {}

/// Reads and writes packets of one connection.
pub struct PacketIo {
    stream: BufStream<Box<dyn ClientStream>>,
    pending: usize,
    pub seq: u8,
    /// `max_allowed_packet` for packets the client sends.
    pub max_packet: usize,
    /// Sequence id of the first part of the last packet read.
    pub first_seq: u8,
}

impl PacketIo {
    pub fn new(stream: Box<dyn ClientStream>) -> Self {
        Self {
            stream: BufStream::with_capacity(8 * 1024, FLUSH_THRESHOLD * 2, stream),
            pending: 0,
            seq: 0,
            max_packet: MAX_PACKET,
            first_seq: 0,
        }
    }

    /// The underlying stream, for a TLS upgrade. Bytes the client sent right after its
    /// SSLRequest (its TLS ClientHello, often in the same TCP segment) may already sit in
    /// the read buffer; they are replayed before the stream's own bytes.
    pub fn into_inner(mut self) -> Box<dyn ClientStream> {
        use futures::FutureExt;
        let buffered = match self.stream.fill_buf().now_or_never() {
            Some(Ok(bytes)) => bytes.to_vec(),
            _ => Vec::new(),
        };
        let inner = self.stream.into_inner();
        if buffered.is_empty() {
            inner
        } else {
            Box::new(Replay {
                pending: buffered,
                offset: 0,
                inner,
            })
        }
    }

    /// Wait until the client closes its side or sends more bytes; true if it closed.
    /// Bytes the client sent stay buffered for the next [`Self::read_packet`].
    pub async fn wait_for_close(&mut self) -> bool {
        match self.stream.fill_buf().await {
            Ok(buf) => buf.is_empty(),
            Err(_) => true,
        }
    }

    /// Read one logical packet (joining 16 MiB continuation packets). `None` on EOF.
    pub async fn read_packet(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        let mut payload = Vec::new();
        loop {
            let mut header = [0u8; 4];
            match self.stream.read_exact(&mut header).await {
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && payload.is_empty() => {
                    return Ok(None)
                }
                Err(e) => return Err(e),
            }
            let len = u32::from_le_bytes([header[0], header[1], header[2], 0]) as usize;
            let start = payload.len();
            if start == 0 {
                self.first_seq = header[3];
            }
            self.seq = header[3].wrapping_add(1);
            if start + len > self.max_packet.min(MAX_PACKET) {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    PacketError::TooLarge,
                ));
            }
            payload.resize(start + len, 0);
            self.stream.read_exact(&mut payload[start..]).await?;
            if len < MAX_PAYLOAD {
                return Ok(Some(payload));
            }
        }
    }

    /// Queue one packet; large payloads are split as the protocol requires.
    pub async fn write_packet(&mut self, payload: &[u8]) -> std::io::Result<()> {
        let mut rest = payload;
        loop {
            let chunk = rest.len().min(MAX_PAYLOAD);
            let len = (chunk as u32).to_le_bytes();
            self.stream
                .write_all(&[len[0], len[1], len[2], self.seq])
                .await?;
            self.stream.write_all(&rest[..chunk]).await?;
            self.seq = self.seq.wrapping_add(1);
            self.pending += chunk + 4;
            rest = &rest[chunk..];
            if chunk < MAX_PAYLOAD {
                break;
            }
        }
        if self.pending >= FLUSH_THRESHOLD {
            self.flush().await?;
        }
        Ok(())
    }

    pub async fn flush(&mut self) -> std::io::Result<()> {
        self.pending = 0;
        self.stream.flush().await
    }
}

/// A stream that first yields bytes read ahead of a TLS upgrade.
struct Replay {
    pending: Vec<u8>,
    offset: usize,
    inner: Box<dyn ClientStream>,
}

impl AsyncRead for Replay {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        if self.offset < self.pending.len() {
            let n = buf.remaining().min(self.pending.len() - self.offset);
            let start = self.offset;
            buf.put_slice(&self.pending[start..start + n]);
            self.offset += n;
            return std::task::Poll::Ready(Ok(()));
        }
        std::pin::Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Replay {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Append a length-encoded integer.
pub fn put_lenenc_int(buf: &mut Vec<u8>, v: u64) {
    if v < 251 {
        buf.push(v as u8);
    } else if v < 1 << 16 {
        buf.push(0xFC);
        buf.extend_from_slice(&(v as u16).to_le_bytes());
    } else if v < 1 << 24 {
        buf.push(0xFD);
        buf.extend_from_slice(&(v as u32).to_le_bytes()[..3]);
    } else {
        buf.push(0xFE);
        buf.extend_from_slice(&v.to_le_bytes());
    }
}

/// Append a length-encoded string.
pub fn put_lenenc_str(buf: &mut Vec<u8>, s: &[u8]) {
    put_lenenc_int(buf, s.len() as u64);
    buf.extend_from_slice(s);
}

/// A cursor over a received packet.
pub struct Cursor<'a> {
    data: &'a [u8],
}

impl<'a> Cursor<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    pub fn remaining(&self) -> &'a [u8] {
        self.data
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.data.len() < n {
            return None;
        }
        let (head, tail) = self.data.split_at(n);
        self.data = tail;
        Some(head)
    }

    pub fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    pub fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_le_bytes([b[0], b[1]]))
    }

    pub fn u32(&mut self) -> Option<u32> {
        self.take(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub fn null_str(&mut self) -> Option<&'a [u8]> {
        let end = self.data.iter().position(|&b| b == 0)?;
        let s = &self.data[..end];
        self.data = &self.data[end + 1..];
        Some(s)
    }

    pub fn lenenc_int(&mut self) -> Option<u64> {
        match self.u8()? {
            0xFC => self.u16().map(u64::from),
            0xFD => self
                .take(3)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], 0]) as u64),
            0xFE => self
                .take(8)
                .map(|b| u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])),
            v => Some(v as u64),
        }
    }

    pub fn lenenc_str(&mut self) -> Option<&'a [u8]> {
        let n = self.lenenc_int()? as usize;
        self.take(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenenc_round_trip() {
        for v in [
            0u64,
            250,
            251,
            65535,
            65536,
            16_777_215,
            16_777_216,
            u64::MAX,
        ] {
            let mut buf = vec![];
            put_lenenc_int(&mut buf, v);
            assert_eq!(Cursor::new(&buf).lenenc_int(), Some(v));
        }
    }
}
