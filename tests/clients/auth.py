"""Authentication with pymysql (and `cryptography` for RSA): mysql_native_password,
caching_sha2_password full authentication (RSA key exchange, or clear text over TLS) and
its fast path, wrong passwords, ALTER USER, DROP USER.

usage: auth.py PHASE PORT
PHASE: create   - create the accounts and check every login path without TLS
       after-restart-tls - after a restart (empty fast-path cache), over TLS
"""
import ssl
import sys

import pymysql

PHASE, PORT = sys.argv[1], int(sys.argv[2])


def login(user, password, tls=False):
    kwargs = {}
    if tls:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        kwargs["ssl"] = ctx
    conn = pymysql.connect(host="127.0.0.1", port=PORT, user=user, password=password, **kwargs)
    cur = conn.cursor()
    cur.execute("SELECT CURRENT_USER()")
    who = cur.fetchone()[0]
    if tls:
        cur.execute("SHOW STATUS LIKE 'Ssl_cipher'")
    conn.close()
    return who


def denied(user, password, tls=False):
    try:
        login(user, password, tls)
    except pymysql.err.OperationalError as e:
        assert e.args[0] == 1045, e.args
        return
    raise SystemExit(f"{user} logged in with a wrong password")


if PHASE == "create":
    root = pymysql.connect(host="127.0.0.1", port=PORT, user="root", password="")
    cur = root.cursor()
    cur.execute("CREATE USER 'nat'@'%' IDENTIFIED BY 'native-secret'")
    cur.execute("CREATE USER sha IDENTIFIED WITH caching_sha2_password BY 'sha-secret'")
    cur.execute("CREATE USER gone IDENTIFIED BY 'x'")
    cur.execute("SHOW GRANTS FOR nat")
    assert "'nat'@'%'" in cur.fetchone()[0]
    assert login("nat", "native-secret") == "'nat'@'%'"
    denied("nat", "wrong")
    denied("nobody", "x")
    # caching_sha2: the first login is a full authentication (RSA), later ones the fast path.
    assert login("sha", "sha-secret") == "'sha'@'%'"
    assert login("sha", "sha-secret") == "'sha'@'%'"
    denied("sha", "wrong")
    cur.execute("ALTER USER nat IDENTIFIED BY 'new-secret'")
    denied("nat", "native-secret")
    assert login("nat", "new-secret") == "'nat'@'%'"
    # A MySQL 8 style client that starts with caching_sha2_password is switched to the
    # account's mysql_native_password (AuthSwitchRequest), and the other way round.
    import mysql.connector
    for user, password, plugin in [("nat", "new-secret", "caching_sha2_password"),
                                   ("sha", "sha-secret", "mysql_native_password")]:
        c = mysql.connector.connect(host="127.0.0.1", port=PORT, user=user, password=password,
                                    auth_plugin=plugin, use_pure=True, ssl_disabled=True)
        cc = c.cursor()
        cc.execute("SELECT CURRENT_USER()")
        assert cc.fetchone()[0] == f"'{user}'@'%'"
        c.close()
    cur.execute("DROP USER gone")
    denied("gone", "x")
    try:
        cur.execute("CREATE USER nat IDENTIFIED BY 'again'")
        raise SystemExit("duplicate CREATE USER succeeded")
    except pymysql.err.OperationalError as e:
        assert e.args[0] == 1396, e.args
    root.close()
elif PHASE == "after-restart-tls":
    # Accounts persisted; the fast-path cache is empty after a restart, so this is a full
    # authentication with the clear-text password over TLS.
    assert login("sha", "sha-secret", tls=True) == "'sha'@'%'"
    assert login("sha", "sha-secret") == "'sha'@'%'"
    assert login("nat", "new-secret", tls=True) == "'nat'@'%'"
    denied("sha", "wrong", tls=True)
    denied("gone", "x")
else:
    raise SystemExit(f"unknown phase {PHASE}")
print(f"auth-{PHASE}: OK")
