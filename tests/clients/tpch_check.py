"""TPC-H answers of Lakestar (over the MySQL protocol, with pymysql) checked against DuckDB's
answers on the same Parquet files. Run by tests/tests/it/tpch.rs.

    tpch_check.py <port> <data-root> <queries-dir>

<data-root>/tpch/<table>/*.parquet holds the data (tpchgen-cli --parts). The script
1. attaches <data-root> as a "files" catalog `tpch_files` and runs the 22 queries on
   `tpch_files.tpch` (USE catalog.db, bare table names);
2. creates internal tables in database `tpch` with StarRocks DDL, loads each with
   INSERT INTO ... SELECT from the files catalog, and runs the 22 queries again on them;
and compares every answer with DuckDB's, row by row in query order (numbers to a relative
1e-6: AVG of a DECIMAL(15,2) is a DECIMAL with 6 decimals here, as in MySQL, and a DOUBLE
in DuckDB; text and dates exactly). It prints
"tpch: OK" and exits 0 only if all 44 answers matched.
"""

import datetime
import decimal
import math
import pathlib
import re
import sys

import duckdb
import pymysql

TABLES = ["nation", "region", "part", "supplier", "partsupp", "customer", "orders", "lineitem"]

DDL = {
    "nation": """n_nationkey INT NOT NULL, n_name VARCHAR(25) NOT NULL, n_regionkey INT NOT NULL,
                 n_comment VARCHAR(152)""",
    "region": """r_regionkey INT NOT NULL, r_name VARCHAR(25) NOT NULL, r_comment VARCHAR(152)""",
    "part": """p_partkey BIGINT NOT NULL, p_name VARCHAR(55) NOT NULL, p_mfgr VARCHAR(25) NOT NULL,
               p_brand VARCHAR(10) NOT NULL, p_type VARCHAR(25) NOT NULL, p_size INT NOT NULL,
               p_container VARCHAR(10) NOT NULL, p_retailprice DECIMAL(15,2) NOT NULL,
               p_comment VARCHAR(23) NOT NULL""",
    "supplier": """s_suppkey BIGINT NOT NULL, s_name VARCHAR(25) NOT NULL, s_address VARCHAR(40) NOT NULL,
                   s_nationkey INT NOT NULL, s_phone VARCHAR(15) NOT NULL,
                   s_acctbal DECIMAL(15,2) NOT NULL, s_comment VARCHAR(101) NOT NULL""",
    "partsupp": """ps_partkey BIGINT NOT NULL, ps_suppkey BIGINT NOT NULL, ps_availqty INT NOT NULL,
                   ps_supplycost DECIMAL(15,2) NOT NULL, ps_comment VARCHAR(199) NOT NULL""",
    "customer": """c_custkey BIGINT NOT NULL, c_name VARCHAR(25) NOT NULL, c_address VARCHAR(40) NOT NULL,
                   c_nationkey INT NOT NULL, c_phone VARCHAR(15) NOT NULL,
                   c_acctbal DECIMAL(15,2) NOT NULL, c_mktsegment VARCHAR(10) NOT NULL,
                   c_comment VARCHAR(117) NOT NULL""",
    "orders": """o_orderkey BIGINT NOT NULL, o_custkey BIGINT NOT NULL, o_orderstatus VARCHAR(1) NOT NULL,
                 o_totalprice DECIMAL(15,2) NOT NULL, o_orderdate DATE NOT NULL,
                 o_orderpriority VARCHAR(15) NOT NULL, o_clerk VARCHAR(15) NOT NULL,
                 o_shippriority INT NOT NULL, o_comment VARCHAR(79) NOT NULL""",
    "lineitem": """l_orderkey BIGINT NOT NULL, l_partkey BIGINT NOT NULL, l_suppkey BIGINT NOT NULL,
                   l_linenumber INT NOT NULL, l_quantity DECIMAL(15,2) NOT NULL,
                   l_extendedprice DECIMAL(15,2) NOT NULL, l_discount DECIMAL(15,2) NOT NULL,
                   l_tax DECIMAL(15,2) NOT NULL, l_returnflag VARCHAR(1) NOT NULL,
                   l_linestatus VARCHAR(1) NOT NULL, l_shipdate DATE NOT NULL,
                   l_commitdate DATE NOT NULL, l_receiptdate DATE NOT NULL,
                   l_shipinstruct VARCHAR(25) NOT NULL, l_shipmode VARCHAR(10) NOT NULL,
                   l_comment VARCHAR(44) NOT NULL""",
}

KEYS = {
    "nation": "n_nationkey", "region": "r_regionkey", "part": "p_partkey",
    "supplier": "s_suppkey", "partsupp": "ps_partkey", "customer": "c_custkey",
    "orders": "o_orderkey", "lineitem": "l_orderkey",
}


def duckdb_dialect(sql):
    """The one MySQL-only spelling the queries use that DuckDB reads differently:
    date_add / date_sub with an INTERVAL (DuckDB's date_sub is a difference)."""
    return re.sub(
        r"date_(add|sub)\('([0-9-]+)', (interval [0-9]+ [a-z]+)\)",
        lambda m: f"(date '{m.group(2)}' {'+' if m.group(1) == 'add' else '-'} {m.group(3)})",
        sql,
    )


def canonical(value):
    if value is None:
        return None
    if isinstance(value, (decimal.Decimal, float, int)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode()
    return str(value)


def same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-6)
    return a == b


def compare(name, got, want):
    if len(got) != len(want):
        return f"{name}: {len(got)} rows, DuckDB has {len(want)}"
    for i, (g, w) in enumerate(zip(got, want)):
        g = [canonical(v) for v in g]
        w = [canonical(v) for v in w]
        if len(g) != len(w) or not all(same(x, y) for x, y in zip(g, w)):
            return f"{name}: row {i} is {g}, DuckDB has {w}"
    return None


def run_all(conn, duck, queries, label):
    failures = []
    for path in queries:
        sql = path.read_text()
        want = duck.execute(duckdb_dialect(sql)).fetchall()
        with conn.cursor() as cur:
            try:
                cur.execute(sql)
                got = cur.fetchall()
            except pymysql.MySQLError as e:
                failures.append(f"{label} {path.stem}: error {e}")
                continue
        problem = compare(f"{label} {path.stem}", got, want)
        if problem:
            failures.append(problem)
        elif not want:
            failures.append(f"{label} {path.stem}: empty answer (scale factor too small?)")
    return failures


def main():
    port, root, queries_dir = int(sys.argv[1]), pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
    queries = sorted(queries_dir.glob("q*.sql"))
    assert len(queries) == 22, f"expected 22 queries in {queries_dir}"

    duck = duckdb.connect()
    for t in TABLES:
        duck.execute(
            f"CREATE VIEW {t} AS SELECT * FROM read_parquet('{root}/tpch/{t}/*.parquet')"
        )

    conn = pymysql.connect(host="127.0.0.1", port=port, user="root", autocommit=True)
    with conn.cursor() as cur:
        cur.execute(
            "CREATE EXTERNAL CATALOG tpch_files PROPERTIES "
            f"(\"type\" = \"files\", \"location\" = \"file://{root}\")"
        )
        cur.execute("USE tpch_files.tpch")
    failures = run_all(conn, duck, queries, "files catalog")

    with conn.cursor() as cur:
        cur.execute("CREATE DATABASE default_catalog.tpch")
        cur.execute("USE default_catalog.tpch")
        for t in TABLES:
            cur.execute(
                f"CREATE TABLE {t} ({DDL[t]}) DUPLICATE KEY({KEYS[t]}) "
                f"DISTRIBUTED BY HASH({KEYS[t]}) BUCKETS 2"
            )
            cur.execute(f"INSERT INTO {t} SELECT * FROM tpch_files.tpch.{t}")
            cur.execute(f"SELECT count(*) FROM {t}")
            (count,) = cur.fetchone()
            (want,) = duck.execute(f"SELECT count(*) FROM {t}").fetchone()
            if count != want:
                failures.append(f"load {t}: {count} rows, files have {want}")
    failures += run_all(conn, duck, queries, "internal tables")

    if failures:
        print("\n".join(failures))
        sys.exit(1)
    print("tpch: OK")


if __name__ == "__main__":
    main()
