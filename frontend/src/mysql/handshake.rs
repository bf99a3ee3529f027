//! Connection phase: the initial handshake, the client's response, authentication.

use super::packet::Cursor;

pub mod caps {
    pub const LONG_PASSWORD: u32 = 1;
    pub const FOUND_ROWS: u32 = 2;
    pub const LONG_FLAG: u32 = 4;
    pub const CONNECT_WITH_DB: u32 = 8;
    pub const PROTOCOL_41: u32 = 0x200;
    pub const SSL: u32 = 0x800;
    pub const TRANSACTIONS: u32 = 0x2000;
    pub const SECURE_CONNECTION: u32 = 0x8000;
    pub const MULTI_STATEMENTS: u32 = 0x10000;
    pub const MULTI_RESULTS: u32 = 0x20000;
    pub const PS_MULTI_RESULTS: u32 = 0x40000;
    pub const PLUGIN_AUTH: u32 = 0x80000;
    pub const CONNECT_ATTRS: u32 = 0x10_0000;
    pub const PLUGIN_AUTH_LENENC_CLIENT_DATA: u32 = 0x20_0000;
    pub const DEPRECATE_EOF: u32 = 0x100_0000;
}

/// What the server offers (SSL only when a certificate is configured).
pub fn server_capabilities(tls: bool) -> u32 {
    if tls {
        BASE_CAPABILITIES | caps::SSL
    } else {
        BASE_CAPABILITIES
    }
}

const BASE_CAPABILITIES: u32 = caps::LONG_PASSWORD
    | caps::FOUND_ROWS
    | caps::LONG_FLAG
    | caps::CONNECT_WITH_DB
    | caps::PROTOCOL_41
    | caps::TRANSACTIONS
    | caps::SECURE_CONNECTION
    | caps::MULTI_STATEMENTS
    | caps::MULTI_RESULTS
    | caps::PS_MULTI_RESULTS
    | caps::PLUGIN_AUTH
    | caps::CONNECT_ATTRS
    | caps::PLUGIN_AUTH_LENENC_CLIENT_DATA
    | caps::DEPRECATE_EOF;

pub const NATIVE_PASSWORD: &str = "mysql_native_password";

/// Build the HandshakeV10 payload.
pub fn initial_handshake(
    connection_id: u32,
    salt: &[u8; 20],
    server_version: &str,
    tls: bool,
) -> Vec<u8> {
    let capabilities = server_capabilities(tls);
    let mut buf = Vec::with_capacity(128);
    buf.push(10);
    buf.extend_from_slice(server_version.as_bytes());
    buf.push(0);
    buf.extend_from_slice(&connection_id.to_le_bytes());
    buf.extend_from_slice(&salt[..8]);
    buf.push(0);
    buf.extend_from_slice(&(capabilities as u16).to_le_bytes());
    buf.push(super::column::CHARSET_UTF8 as u8);
    buf.extend_from_slice(&super::results::STATUS_AUTOCOMMIT.to_le_bytes());
    buf.extend_from_slice(&((capabilities >> 16) as u16).to_le_bytes());
    buf.push(21);
    buf.extend_from_slice(&[0; 10]);
    buf.extend_from_slice(&salt[8..]);
    buf.push(0);
    buf.extend_from_slice(NATIVE_PASSWORD.as_bytes());
    buf.push(0);
    buf
}

/// The parsed HandshakeResponse41.
#[derive(Debug, Default)]
pub struct HandshakeResponse {
    pub capabilities: u32,
    pub user: String,
    pub auth_response: Vec<u8>,
    pub database: Option<String>,
    pub auth_plugin: Option<String>,
}

/// Parse the client's handshake response.
pub fn parse_handshake_response(packet: &[u8]) -> Option<HandshakeResponse> {
    let mut c = Cursor::new(packet);
    let capabilities = c.u32()?;
    if capabilities & caps::PROTOCOL_41 == 0 {
        return None;
    }
    let _max_packet = c.u32()?;
    let _charset = c.u8()?;
    c.take(23)?;
    let user = String::from_utf8_lossy(c.null_str()?).into_owned();
    let auth_response = if capabilities & caps::PLUGIN_AUTH_LENENC_CLIENT_DATA != 0 {
        c.lenenc_str()?.to_vec()
    } else if capabilities & caps::SECURE_CONNECTION != 0 {
        let n = c.u8()? as usize;
        c.take(n)?.to_vec()
    } else {
        c.null_str()?.to_vec()
    };
    let database = if capabilities & caps::CONNECT_WITH_DB != 0 && !c.is_empty() {
        let db = c.null_str().unwrap_or_else(|| c.remaining());
        (!db.is_empty()).then(|| String::from_utf8_lossy(db).into_owned())
    } else {
        None
    };
    let auth_plugin = if capabilities & caps::PLUGIN_AUTH != 0 && !c.is_empty() {
        c.null_str()
            .map(|p| String::from_utf8_lossy(p).into_owned())
    } else {
        None
    };
    Some(HandshakeResponse {
        capabilities,
        user,
        auth_response,
        database,
        auth_plugin,
    })
}

/// An SSLRequest: the first 32 bytes of a handshake response, with CLIENT_SSL set.
pub fn is_ssl_request(packet: &[u8]) -> bool {
    packet.len() == 32
        && Cursor::new(packet)
            .u32()
            .is_some_and(|c| c & caps::SSL != 0 && c & caps::PROTOCOL_41 != 0)
}
