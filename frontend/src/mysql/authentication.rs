//! The authentication exchange: plugin negotiation (AuthSwitchRequest), the
//! `mysql_native_password` check, and `caching_sha2_password` with its fast path and its
//! full authentication (clear text over TLS, or RSA-encrypted without TLS).
//!
//! ```text
//! client plugin ≠ account plugin ──► AuthSwitchRequest(account plugin, nonce) ──► response
//! native:        response == SHA1(pw) XOR SHA1(nonce || SHA1(SHA1(pw)))
//! caching_sha2:  cached?  fast path: 0x01 0x03, then OK
//!                else     0x01 0x04 (full auth) ──► TLS: clear text
//!                                               └─► 0x02 ► 0x01 + PEM key ► RSA(pw ^ nonce)
//! ```

use crate::auth::{password, Authenticator};
use crate::catalog::{AuthPlugin, UserEntry};

use super::packet::PacketIo;

/// Why a login failed; the caller answers with error 1045.
#[derive(Debug)]
pub struct Denied {
    pub used_password: bool,
}

/// The client's first answer and which plugin produced it.
pub struct AuthAttempt<'a> {
    pub user: &'a str,
    pub client_plugin: &'a str,
    pub response: Vec<u8>,
    pub nonce: [u8; 20],
    /// The connection runs over TLS, so a clear-text password may be sent.
    pub secure: bool,
}

const MORE_DATA: u8 = 0x01;
const FAST_AUTH_SUCCESS: u8 = 0x03;
const PERFORM_FULL_AUTHENTICATION: u8 = 0x04;
const REQUEST_PUBLIC_KEY: u8 = 0x02;

/// Run the exchange to its end. On success the caller sends OK.
pub async fn authenticate(
    io: &mut PacketIo,
    auth: &Authenticator,
    attempt: AuthAttempt<'_>,
) -> std::io::Result<Result<UserEntry, Denied>> {
    let AuthAttempt {
        user,
        client_plugin,
        mut response,
        nonce,
        secure,
    } = attempt;
    let Some(account) = auth.account(user) else {
        return Ok(Err(Denied {
            used_password: !is_empty_response(&response),
        }));
    };
    if client_plugin != account.plugin.name() {
        io.write_packet(&auth_switch_request(account.plugin, &nonce))
            .await?;
        io.flush().await?;
        match io.read_packet().await? {
            Some(p) => response = p,
            None => {
                return Ok(Err(Denied {
                    used_password: false,
                }))
            }
        }
    }
    let used_password = !is_empty_response(&response);
    if !account.has_password() {
        return Ok(if used_password {
            Err(Denied { used_password })
        } else {
            Ok(account)
        });
    }
    if !used_password {
        return Ok(Err(Denied { used_password }));
    }
    let ok = match account.plugin {
        AuthPlugin::MysqlNativePassword => password::unhex(&account.native_hash)
            .and_then(|h| <[u8; 20]>::try_from(h).ok())
            .is_some_and(|stage2| password::verify_native(&nonce, &response, &stage2)),
        AuthPlugin::CachingSha2Password => {
            caching_sha2(io, auth, &account, &response, &nonce, secure).await?
        }
    };
    Ok(if ok {
        Ok(account)
    } else {
        Err(Denied { used_password })
    })
}

async fn caching_sha2(
    io: &mut PacketIo,
    auth: &Authenticator,
    account: &UserEntry,
    scramble: &[u8],
    nonce: &[u8; 20],
    secure: bool,
) -> std::io::Result<bool> {
    if let Some(cached) = auth.cached_sha2(&account.name) {
        let ok = password::verify_sha2_scramble(nonce, scramble, &cached);
        if ok {
            io.write_packet(&[MORE_DATA, FAST_AUTH_SUCCESS]).await?;
        }
        return Ok(ok);
    }
    io.write_packet(&[MORE_DATA, PERFORM_FULL_AUTHENTICATION])
        .await?;
    io.flush().await?;
    let Some(mut packet) = io.read_packet().await? else {
        return Ok(false);
    };
    let clear = if secure {
        if packet.last() == Some(&0) {
            packet.pop();
        }
        packet
    } else {
        if packet == [REQUEST_PUBLIC_KEY] {
            let mut key = vec![MORE_DATA];
            key.extend_from_slice(auth.rsa().public_pem().as_bytes());
            io.write_packet(&key).await?;
            io.flush().await?;
            match io.read_packet().await? {
                Some(p) => packet = p,
                None => return Ok(false),
            }
        }
        match auth.rsa().decrypt_password(&packet, nonce) {
            Some(clear) => clear,
            None => return Ok(false),
        }
    };
    Ok(auth.check_clear_password(account, &clear))
}

/// Clients send nothing, or a lone NUL, when the password is empty.
fn is_empty_response(response: &[u8]) -> bool {
    response.is_empty() || response == [0]
}

/// An AuthSwitchRequest for `plugin` with the connection's nonce.
pub fn auth_switch_request(plugin: AuthPlugin, nonce: &[u8; 20]) -> Vec<u8> {
    let mut buf = vec![0xFE];
    buf.extend_from_slice(plugin.name().as_bytes());
    buf.push(0);
    buf.extend_from_slice(nonce);
    buf.push(0);
    buf
}
