"""One Python MySQL driver against a running Lakestar, as a BI tool or app would use it.

usage: python_driver.py DRIVER PORT
DRIVER: pymysql | mysql-connector-pure | mysql-connector-c | mysqlclient

Connects, browses metadata, round-trips every type (NULLs, unicode, DECIMAL precision,
DATETIME), runs prepared statements, checks that an error leaves the connection usable,
and streams a 1-million-row result. Exits non-zero on the first mismatch.
"""
import datetime
import decimal
import sys

DRIVER, PORT = sys.argv[1], int(sys.argv[2])
DB = "clients_" + DRIVER.replace("-", "_")

ROW = (
    1, True, -5, 300, 70000, 2**40, 1.5, 2.25,
    decimal.Decimal("12345678901234.567891"), "ab", "héllo wörld", "☃ unicode 日本",
    datetime.date(2024, 1, 2), datetime.datetime(2024, 1, 2, 3, 4, 5, 123456),
)
NULL_ROW = (2,) + (None,) * (len(ROW) - 1)


def connect():
    if DRIVER == "pymysql":
        import pymysql
        return pymysql.connect(host="127.0.0.1", port=PORT, user="root", password="")
    if DRIVER.startswith("mysql-connector"):
        import mysql.connector
        return mysql.connector.connect(host="127.0.0.1", port=PORT, user="root", password="",
                                       use_pure=DRIVER.endswith("pure"), ssl_disabled=True)
    if DRIVER == "mysqlclient":
        import MySQLdb
        return MySQLdb.connect(host="127.0.0.1", port=PORT, user="root", passwd="")
    raise SystemExit(f"unknown driver {DRIVER}")


def expect(what, got, want):
    if got != want:
        raise SystemExit(f"{DRIVER}: {what}: got {got!r}, want {want!r}")


def normalize(row):
    # Drivers return BOOLEAN as 1/True and may return CHAR/VARCHAR as bytes.
    out = []
    for v in row:
        if isinstance(v, (bytes, bytearray)):
            v = v.decode()
        if isinstance(v, bool):
            v = int(v)
        out.append(v)
    return tuple(out)


def want(row):
    return normalize(row)


def main():
    conn = connect()
    cur = conn.cursor()
    if DRIVER.startswith("mysql-connector"):
        conn.autocommit = True
    # Metadata browsing, as BI tools do on connect.
    cur.execute("SELECT @@version, @@version_comment, @@sql_mode, @@lower_case_table_names")
    cur.fetchall()
    cur.execute(f"DROP DATABASE IF EXISTS {DB}")
    cur.execute(f"CREATE DATABASE {DB}")
    cur.execute(f"USE {DB}")
    cur.execute(
        "CREATE TABLE t (k INT NOT NULL, b BOOLEAN, ti TINYINT, si SMALLINT, i INT, bi BIGINT,"
        " f FLOAT, d DOUBLE, dec1 DECIMAL(20,6), c CHAR(5), v VARCHAR(20), s STRING, dt DATE,"
        " ts DATETIME) PRIMARY KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1")
    cur.execute("SHOW DATABASES")
    dbs = [normalize(r)[0] for r in cur.fetchall()]
    assert DB in dbs and "information_schema" in dbs, dbs
    cur.execute(f"SHOW FULL TABLES FROM {DB}")
    expect("SHOW FULL TABLES", [normalize(r) for r in cur.fetchall()], [("t", "BASE TABLE")])
    cur.execute(
        "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, COLUMN_KEY FROM information_schema.COLUMNS"
        f" WHERE TABLE_SCHEMA = '{DB}' AND TABLE_NAME = 't' ORDER BY ORDINAL_POSITION")
    cols = [normalize(r) for r in cur.fetchall()]
    expect("columns[0]", cols[0], ("k", "int", "int(11)", "PRI"))
    expect("columns[8]", cols[8], ("dec1", "decimal", "decimal(20,6)", ""))
    cur.execute("SHOW FULL COLUMNS FROM t")
    expect("SHOW FULL COLUMNS count", len(cur.fetchall()), 14)
    cur.execute("SHOW INDEX FROM t")
    expect("SHOW INDEX", [normalize(r)[2] for r in cur.fetchall()], ["PRIMARY"])

    # Typed round trip through the driver's parameter substitution (text protocol).
    marks = ", ".join(["%s"] * len(ROW))
    cur.execute(f"INSERT INTO t VALUES ({marks})", ROW)
    cur.execute(f"INSERT INTO t VALUES ({marks})", NULL_ROW)
    cur.execute("SELECT * FROM t ORDER BY k")
    rows = [normalize(r) for r in cur.fetchall()]
    expect("typed round trip", rows, [want(ROW), want(NULL_ROW)])

    # Prepared statements: server-side where the driver has them, and SQL-level PREPARE.
    if DRIVER.startswith("mysql-connector"):
        pc = conn.cursor(prepared=True)
        pc.execute("INSERT INTO t VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", (3,) + ROW[1:])
        pc.execute("SELECT * FROM t WHERE k = ?", (3,))
        expect("server-side prepared", [normalize(r) for r in pc.fetchall()],
               [want((3,) + ROW[1:])])
        pc.execute("SELECT k FROM t WHERE v = ? ORDER BY k", ("héllo wörld",))
        expect("prepared string parameter", [normalize(r) for r in pc.fetchall()], [(1,), (3,)])
        big = "ä" * 50000
        if DRIVER.endswith("pure"):
            # A file-like parameter goes by COM_STMT_SEND_LONG_DATA (pure Python only).
            import io
            pc.execute("INSERT INTO t (k, s) VALUES (?, ?)", (4, io.BytesIO(big.encode())))
        else:
            pc.execute("INSERT INTO t (k, s) VALUES (?, ?)", (4, big))
        pc.execute("SELECT char_length(s), s = ? FROM t WHERE k = ?", (big, 4))
        expect("long parameter", [normalize(r) for r in pc.fetchall()], [(50000, 1)])
        pc.close()
    cur.execute("SET @k = 1")
    cur.execute("PREPARE s FROM 'SELECT v FROM t WHERE k = ?'")
    cur.execute("EXECUTE s USING @k")
    expect("SQL PREPARE", [normalize(r) for r in cur.fetchall()], [("héllo wörld",)])
    cur.execute("DEALLOCATE PREPARE s")

    # An error, then the connection still works.
    try:
        cur.execute("SELECT * FROM no_such_table")
        raise SystemExit(f"{DRIVER}: expected an error")
    except SystemExit:
        raise
    except Exception as e:  # each driver has its own error class
        code = e.args[0] if e.args else None
        expect("error code", getattr(e, "errno", code), 1146)
    cur.execute("SELECT 1")
    expect("after error", [normalize(r) for r in cur.fetchall()], [(1,)])

    # A 1-million-row result, streamed (unbuffered cursor).
    if DRIVER == "pymysql":
        import pymysql.cursors
        big = conn.cursor(pymysql.cursors.SSCursor)
    elif DRIVER == "mysqlclient":
        import MySQLdb.cursors
        big = conn.cursor(MySQLdb.cursors.SSCursor)
    else:
        big = conn.cursor(buffered=False)
    big.execute("SELECT value FROM generate_series(1, 1000000)")
    count = total = 0
    for (value,) in big:
        count += 1
        total += value
    expect("streamed rows", (count, total), (1000000, 1000000 * 1000001 // 2))
    big.close()
    cur.execute(f"DROP DATABASE {DB}")
    conn.close()
    print(f"{DRIVER}: OK")


main()
