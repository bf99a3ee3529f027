"""TPC-H benchmark: Lakestar (over the MySQL protocol) against DuckDB (in-process), on the
same Parquet files. Run by bench/run-tpch; prints a Markdown table per scale factor.

    tpch_bench.py <port> <data-root> <queries-dir> <scale-factor>

<data-root>/tpch/<table>/*.parquet holds the data. Lakestar reads it through a
"type" = "files" catalog; DuckDB through read_parquet views. Each query runs once to warm
up, then 3 times; the median is reported. The answers are compared too (as in the test
suite), so a fast wrong answer shows up as WRONG.
"""

import math
import os
import pathlib
import statistics
import sys
import time

import duckdb
import pymysql

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tests" / "clients"))
from tpch_check import TABLES, compare, duckdb_dialect  # noqa: E402

RUNS = 3


def timed(run):
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def median_time(run):
    run()  # warm-up
    times = []
    result = None
    for _ in range(RUNS):
        t, result = timed(run)
        times.append(t)
    return statistics.median(times), result


def main():
    port, root, queries_dir, sf = int(sys.argv[1]), pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3]), sys.argv[4]
    queries = sorted(queries_dir.glob("q*.sql"))

    duck = duckdb.connect()
    for t in TABLES:
        duck.execute(f"CREATE VIEW {t} AS SELECT * FROM read_parquet('{root}/tpch/{t}/*.parquet')")

    conn = pymysql.connect(host="127.0.0.1", port=port, user="root", autocommit=True)
    cur = conn.cursor()
    cur.execute("DROP CATALOG IF EXISTS bench_files")
    cur.execute(f"CREATE EXTERNAL CATALOG bench_files PROPERTIES (\"type\" = \"files\", \"location\" = \"file://{root}\")")
    cur.execute("USE bench_files.tpch")

    def lakestar(sql):
        def run():
            cur.execute(sql)
            return cur.fetchall()
        return run

    rows = []
    ratios = []
    for path in queries:
        sql = path.read_text()
        d_time, d_rows = median_time(lambda: duck.execute(duckdb_dialect(sql)).fetchall())
        try:
            l_time, l_rows = median_time(lakestar(sql))
        except pymysql.MySQLError as e:
            # A query Lakestar cannot run (memory limit, ...) is reported, not fatal.
            rows.append((path.stem, None, d_time, None, f"error {e.args[0]}: {str(e.args[1])[:80]}"))
            print(f"  {path.stem}: lakestar error {e}", file=sys.stderr)
            continue
        ok = "same" if compare(path.stem, l_rows, d_rows) is None else "WRONG"
        ratio = l_time / d_time
        ratios.append(ratio)
        rows.append((path.stem, l_time, d_time, ratio, ok))
        print(f"  {path.stem}: lakestar {l_time:.3f}s duckdb {d_time:.3f}s", file=sys.stderr)

    # Scan throughput: the bytes of lineitem's Parquet files over a full scan that touches
    # every column, per core.
    lineitem = sum(f.stat().st_size for f in (root / "tpch" / "lineitem").glob("*.parquet"))
    scan = ("SELECT count(*), sum(l_quantity), sum(l_extendedprice), max(l_comment), "
            "max(l_shipinstruct), max(l_shipdate), count(distinct l_returnflag) FROM lineitem")
    l_scan, _ = median_time(lakestar(scan))
    d_scan, _ = median_time(lambda: duck.execute(scan).fetchall())
    cores = os.cpu_count()

    print(f"\n### TPC-H SF{sf}\n")
    print("| query | Lakestar (s) | DuckDB (s) | Lakestar / DuckDB | answer |")
    print("|---|---:|---:|---:|---|")
    for name, l, d, r, ok in rows:
        if l is None:
            print(f"| {name} | – | {d:.3f} | – | {ok} |")
        else:
            print(f"| {name} | {l:.3f} | {d:.3f} | {r:.2f} | {ok} |")
    done = [r for r in rows if r[1] is not None]
    geo_l = math.exp(sum(math.log(r[1]) for r in done) / len(done))
    geo_d = math.exp(sum(math.log(r[2]) for r in done) / len(done))
    geo_r = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    note = "" if len(done) == len(rows) else f" ({len(done)} queries that ran)"
    print(f"| **geometric mean**{note} | {geo_l:.3f} | {geo_d:.3f} | {geo_r:.2f} | |")
    mb = lineitem / 1e6
    print(f"\nlineitem scan ({mb:.0f} MB of Parquet, every column, {cores} cores): "
          f"Lakestar {l_scan:.3f}s = {mb / l_scan / cores:.0f} MB/s per core; "
          f"DuckDB {d_scan:.3f}s = {mb / d_scan / cores:.0f} MB/s per core")


if __name__ == "__main__":
    main()
