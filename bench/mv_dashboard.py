"""Materialized-view benchmark: a dashboard of aggregate queries over TPC-H lineitem and
orders, each timed on Lakestar with the materialized-view rewrite on and off, and on DuckDB
over the raw Parquet files. Run by bench/run-mv-dashboard; prints a Markdown table.

    mv_dashboard.py <port> <data-root> <scale-factor>

The base tables are internal tables loaded from <data-root>/tpch with INSERT ... SELECT.
Each query is run once to warm up, then 3 times; the median is reported. Answers with the
rewrite on and off are compared, and the table says which view (if any) was used.

A second table follows a partitioned view over orders partitioned by year: new rows land
in one year, and the dashboard query is timed while the view is stale (the changed year is
read from the base table: partition-union compensation), then after a refresh that
overwrites only that year, against a full refresh.
"""

import math
import statistics
import sys
import time

import duckdb
import pymysql

MVS = {
    "lineitem_daily": """
        SELECT l_returnflag, l_linestatus, l_shipdate, l_shipmode,
               sum(l_quantity) AS qty, sum(l_extendedprice) AS price,
               sum(l_extendedprice * (1 - l_discount)) AS disc_price,
               sum(l_discount) AS discount, count(l_quantity) AS qty_n, count(l_discount) AS discount_n,
               count(*) AS n
        FROM lineitem GROUP BY l_returnflag, l_linestatus, l_shipdate, l_shipmode""",
    "orders_daily": """
        SELECT o_orderdate, o_orderpriority, o_orderstatus,
               count(*) AS n, sum(o_totalprice) AS total,
               bitmap_union(to_bitmap(o_custkey)) AS customers
        FROM orders GROUP BY o_orderdate, o_orderpriority, o_orderstatus""",
    "revenue_by_mode": """
        SELECT o_orderdate, l_shipmode, o_orderpriority,
               sum(l_extendedprice * (1 - l_discount)) AS revenue, count(*) AS n
        FROM lineitem JOIN orders ON l_orderkey = o_orderkey
        GROUP BY o_orderdate, l_shipmode, o_orderpriority""",
}

QUERIES = {
    "pricing summary (TPC-H q1 shape)": """
        SELECT l_returnflag, l_linestatus, sum(l_quantity), sum(l_extendedprice),
               sum(l_extendedprice * (1 - l_discount)), avg(l_quantity), avg(l_discount), count(*)
        FROM lineitem WHERE l_shipdate <= date '1998-09-02'
        GROUP BY l_returnflag, l_linestatus ORDER BY l_returnflag, l_linestatus""",
    "revenue by ship year": """
        SELECT year(l_shipdate) AS y, sum(l_extendedprice * (1 - l_discount))
        FROM lineitem GROUP BY year(l_shipdate) ORDER BY y""",
    "quantity by ship mode, 1995": """
        SELECT l_shipmode, sum(l_quantity), count(*) FROM lineitem
        WHERE l_shipdate >= date '1995-01-01' AND l_shipdate < date '1996-01-01'
        GROUP BY l_shipmode ORDER BY l_shipmode""",
    "returned lines": """
        SELECT l_linestatus, count(*), sum(l_extendedprice) FROM lineitem
        WHERE l_returnflag = 'R' GROUP BY l_linestatus ORDER BY l_linestatus""",
    "average discount by month": """
        SELECT date_trunc('month', l_shipdate) AS m, avg(l_discount) FROM lineitem
        WHERE l_shipdate >= date '1997-01-01' GROUP BY date_trunc('month', l_shipdate) ORDER BY m""",
    "orders by priority": """
        SELECT o_orderpriority, count(*), sum(o_totalprice) FROM orders
        GROUP BY o_orderpriority ORDER BY o_orderpriority""",
    "distinct customers per year": """
        SELECT year(o_orderdate) AS y, count(DISTINCT o_custkey) FROM orders
        GROUP BY year(o_orderdate) ORDER BY y""",
    "open orders, 1996": """
        SELECT o_orderstatus, count(*), sum(o_totalprice) FROM orders
        WHERE o_orderdate BETWEEN date '1996-01-01' AND date '1996-12-31'
        GROUP BY o_orderstatus ORDER BY o_orderstatus""",
    "revenue by ship mode": """
        SELECT l_shipmode, sum(l_extendedprice * (1 - l_discount)) FROM lineitem
        JOIN orders ON l_orderkey = o_orderkey
        WHERE o_orderdate >= date '1994-01-01' AND o_orderdate < date '1995-01-01'
        GROUP BY l_shipmode ORDER BY l_shipmode""",
    "urgent revenue by year": """
        SELECT year(o_orderdate) AS y, sum(l_extendedprice * (1 - l_discount)), count(*)
        FROM lineitem JOIN orders ON l_orderkey = o_orderkey
        WHERE o_orderpriority = '1-URGENT' GROUP BY year(o_orderdate) ORDER BY y""",
    "lines shipped per day, last month": """
        SELECT l_shipdate, count(*) FROM lineitem
        WHERE l_shipdate >= date '1998-11-01' GROUP BY l_shipdate ORDER BY l_shipdate""",
}


def median(run):
    run()
    times = []
    result = None
    for _ in range(3):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main():
    port, root, sf = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    conn = pymysql.connect(host="127.0.0.1", port=port, user="root", autocommit=True,
                           read_timeout=3600)
    cur = conn.cursor()
    cur.execute(f"CREATE EXTERNAL CATALOG IF NOT EXISTS raw PROPERTIES (\"type\" = \"files\", \"location\" = \"file://{root}\")")
    cur.execute("CREATE DATABASE IF NOT EXISTS dash")
    cur.execute("USE dash")
    start = time.perf_counter()
    for t in ["lineitem", "orders"]:
        cur.execute(f"DROP TABLE IF EXISTS {t}")
        cur.execute(f"CREATE TABLE {t} AS SELECT * FROM raw.tpch.{t}")
    load = time.perf_counter() - start
    refresh = {}
    for name, sql in MVS.items():
        cur.execute(f"DROP MATERIALIZED VIEW IF EXISTS {name}")
        start = time.perf_counter()
        cur.execute(f"CREATE MATERIALIZED VIEW {name} REFRESH DEFERRED MANUAL AS {sql}")
        cur.execute(f"REFRESH MATERIALIZED VIEW {name} WITH SYNC MODE")
        refresh[name] = time.perf_counter() - start

    duck = duckdb.connect()
    for t in ["lineitem", "orders"]:
        duck.execute(f"CREATE VIEW {t} AS SELECT * FROM read_parquet('{root}/tpch/{t}/*.parquet')")

    def lakestar(sql, rewrite):
        def run():
            cur.execute(f"SET enable_materialized_view_rewrite = {'true' if rewrite else 'false'}")
            cur.execute(sql)
            return cur.fetchall()
        return run

    print(f"\n### Materialized views, TPC-H SF{sf} lineitem / orders\n")
    print(f"Load into internal tables: {load:.1f} s. Refresh: "
          + ", ".join(f"{n} {t:.1f} s" for n, t in refresh.items()) + ".\n")
    print("| query | view used | rewrite off (s) | rewrite on (s) | speed-up | DuckDB (s) | same answer |")
    print("|---|---|---:|---:|---:|---:|---|")
    speedups = []
    for name, sql in QUERIES.items():
        off, off_rows = median(lakestar(sql, False))
        on, on_rows = median(lakestar(sql, True))
        cur.execute("SET enable_materialized_view_rewrite = true")
        cur.execute("EXPLAIN " + sql)
        used = [r[1].split(":")[0] for r in cur.fetchall() if r[0] == "materialized_view_rewrite" and "used (" in r[1]]
        dk, _ = median(lambda: duck.execute(sql).fetchall())
        same = "yes" if [tuple(map(str, r)) for r in off_rows] == [tuple(map(str, r)) for r in on_rows] else "NO"
        speedups.append(off / on)
        print(f"| {name} | {', '.join(used) or '–'} | {off:.3f} | {on:.3f} | {off / on:.0f}x | {dk:.3f} | {same} |")
        print(f"  {name}: off {off:.3f}s on {on:.3f}s duckdb {dk:.3f}s", file=sys.stderr)
    geo = math.exp(sum(math.log(s) for s in speedups) / len(speedups))
    print(f"\nGeometric mean speed-up with the rewrite: {geo:.0f}x.")
    partitioned(cur, lakestar)


def partitioned(cur, lakestar):
    def timed(sql):
        start = time.perf_counter()
        cur.execute(sql)
        rows = cur.fetchall()
        return time.perf_counter() - start, rows

    cur.execute("DROP MATERIALIZED VIEW IF EXISTS orders_yearly")
    cur.execute("DROP TABLE IF EXISTS orders_y")
    cur.execute("""CREATE TABLE orders_y (o_year INT NOT NULL, o_orderkey BIGINT,
        o_orderpriority VARCHAR(15), o_totalprice DECIMAL(15,2), o_custkey BIGINT)
        DUPLICATE KEY(o_year) PARTITION BY (o_year)""")
    cur.execute("""INSERT INTO orders_y SELECT year(o_orderdate), o_orderkey, o_orderpriority,
        o_totalprice, o_custkey FROM orders""")
    cur.execute("""CREATE MATERIALIZED VIEW orders_yearly PARTITION BY o_year REFRESH DEFERRED MANUAL AS
        SELECT o_year, o_orderpriority, count(*) AS n, sum(o_totalprice) AS total,
               bitmap_union(to_bitmap(o_custkey)) AS customers
        FROM orders_y GROUP BY o_year, o_orderpriority""")
    full, _ = timed("REFRESH MATERIALIZED VIEW orders_yearly WITH SYNC MODE")
    query = """SELECT o_orderpriority, count(*), sum(o_totalprice), count(DISTINCT o_custkey)
        FROM orders_y GROUP BY o_orderpriority ORDER BY o_orderpriority"""
    fresh_off, fresh_rows = median(lakestar(query, False))
    fresh_on, fresh_on_rows = median(lakestar(query, True))
    cur.execute("""INSERT INTO orders_y SELECT 1998, o_orderkey + 100000000, o_orderpriority,
        o_totalprice, o_custkey FROM orders WHERE o_orderkey % 100 = 0""")
    cur.execute("SET enable_materialized_view_rewrite = true")
    cur.execute("EXPLAIN " + query)
    detail = [r[1] for r in cur.fetchall() if r[0] == "materialized_view_rewrite"]
    stale_off, stale_rows = median(lakestar(query, False))
    stale_on, stale_on_rows = median(lakestar(query, True))
    partial, _ = timed("REFRESH MATERIALIZED VIEW orders_yearly WITH SYNC MODE")
    cur.execute("""SELECT EXTRA_MESSAGE FROM information_schema.task_runs
        WHERE TASK_NAME = 'mv-dash.orders_yearly' ORDER BY QUERY_ID DESC LIMIT 1""")
    message = cur.fetchall()[0][0]
    after_on, after_rows = median(lakestar(query, True))

    def same(a, b):
        return "yes" if [tuple(map(str, r)) for r in a] == [tuple(map(str, r)) for r in b] else "NO"

    print("\n### A partitioned view while its base table changes\n")
    print(f"`orders_y`: orders partitioned by year; `orders_yearly` PARTITION BY o_year. "
          f"EXPLAIN while stale: {'; '.join(detail)}.\n")
    print("| state | rewrite off (s) | rewrite on (s) | speed-up | same answer |")
    print("|---|---:|---:|---:|---|")
    print(f"| fresh | {fresh_off:.3f} | {fresh_on:.3f} | {fresh_off / fresh_on:.0f}x | {same(fresh_rows, fresh_on_rows)} |")
    print(f"| one year changed, not refreshed (compensated) | {stale_off:.3f} | {stale_on:.3f} | {stale_off / stale_on:.0f}x | {same(stale_rows, stale_on_rows)} |")
    print(f"| after the partial refresh | {stale_off:.3f} | {after_on:.3f} | {stale_off / after_on:.0f}x | {same(stale_rows, after_rows)} |")
    print(f"\nFull refresh: {full:.1f} s. Refresh after the change: {partial:.1f} s ({message}).")


if __name__ == "__main__":
    main()
