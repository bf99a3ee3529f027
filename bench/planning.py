"""Planning-size benchmark: statements whose size, not data, is the work (a 10,000-term
sum, a 10,000-item IN list, a 10,000-branch UNION ALL, ...), timed end to end through the
MySQL protocol on Lakestar and in-process on DuckDB, side by side. Run by
bench/run-planning; prints a Markdown table (median of 3 after a warm-up).

    planning.py <port>
"""

import statistics
import sys
import time

import duckdb
import pymysql


def statements():
    n = 10_000
    yield "10,000-term sum", "SELECT " + " + ".join(str(i % 7) for i in range(n))
    yield "20,000-term sum", "SELECT " + " + ".join("1" for _ in range(2 * n))
    yield "10,000-term mixed +/-", "SELECT 0" + "".join(
        f" {'+' if i % 2 else '-'} {i}" for i in range(n)
    )
    yield "10,000-item IN list", "SELECT 4999 IN (" + ", ".join(map(str, range(n))) + ")"
    yield "10,000-branch UNION ALL", "SELECT count(*) FROM (" + " UNION ALL ".join(
        f"SELECT {i} AS v" for i in range(n)
    ) + ") s"
    yield "10,000-branch UNION ALL, computed rows", "SELECT count(*) FROM (" + " UNION ALL ".join(
        f"SELECT {i} + 0 AS v" for i in range(n)
    ) + ") s"
    yield "10,000-branch UNION", "SELECT count(*) FROM (" + " UNION ".join(
        f"SELECT {i % 5000} AS v" for i in range(n)
    ) + ") s"
    yield "4,000-branch UNION ALL", "SELECT count(*) FROM (" + " UNION ALL ".join(
        f"SELECT {i} AS v" for i in range(4000)
    ) + ") s"
    yield "25,000 ORs", "SELECT count(*) FROM (SELECT 1 AS x) t WHERE " + " OR ".join(
        f"x = {i}" for i in range(25_000)
    )


def timed(run):
    first = run()
    times = []
    for _ in range(3):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
        assert result == first, (result, first)
    return statistics.median(times), first


def main():
    port = int(sys.argv[1])
    lakestar = pymysql.connect(host="127.0.0.1", port=port, user="root")
    cur = lakestar.cursor()
    duck = duckdb.connect()

    def on_lakestar(sql):
        def run():
            cur.execute(sql)
            return [tuple(str(v) for v in row) for row in cur.fetchall()]

        return run

    def on_duckdb(sql):
        def run():
            rows = duck.execute(sql).fetchall()
            # MySQL has no BOOLEAN values: TRUE is 1.
            return [tuple(str(int(v) if isinstance(v, bool) else v) for v in row) for row in rows]

        return run

    print("| statement | Lakestar (s) | DuckDB (s) | same answer |")
    print("|---|---:|---:|---|")
    for name, sql in statements():
        ls, ls_result = timed(on_lakestar(sql))
        try:
            dd, dd_result = timed(on_duckdb(sql))
            dd_text = f"{dd:.3f}"
        except duckdb.Error as e:
            dd_text, dd_result = f"error: {str(e).splitlines()[0][:40]}", None
        same = "yes" if dd_result is None or ls_result == dd_result else "NO"
        print(f"| {name} | {ls:.3f} | {dd_text} | {same} |")


if __name__ == "__main__":
    main()
