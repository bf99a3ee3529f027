"""Generated-column benchmark: a 10-million-row table with a JSON column, filtering and
grouping on get_json_string(data, '$.dept_name'), with the generated-column rewrite on
(the query reads the stored dept_name column) and off (every row's JSON is parsed).
Run by bench/run-generated-columns; prints a Markdown table.

    generated_columns.py <port> <rows>
"""

import statistics
import sys
import time

import pymysql

QUERIES = {
    "filter + group by": (
        "SELECT get_json_string(data, '$.dept_name') AS dept, count(*) FROM ods "
        "WHERE get_json_string(data, '$.dept_name') IN ('dept1', 'dept2', 'dept3') "
        "GROUP BY get_json_string(data, '$.dept_name') ORDER BY dept"
    ),
    "group by all": (
        "SELECT get_json_string(data, '$.dept_name') AS dept, count(*) FROM ods "
        "GROUP BY get_json_string(data, '$.dept_name') ORDER BY dept"
    ),
}


def timed(cur, sql):
    cur.execute(sql)
    cur.fetchall()
    times = []
    result = None
    for _ in range(3):
        start = time.perf_counter()
        cur.execute(sql)
        result = cur.fetchall()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main():
    port, rows = int(sys.argv[1]), int(sys.argv[2])
    conn = pymysql.connect(host="127.0.0.1", port=port, user="root", autocommit=True)
    cur = conn.cursor()
    cur.execute("CREATE DATABASE IF NOT EXISTS gcbench")
    cur.execute("USE gcbench")
    cur.execute("DROP TABLE IF EXISTS ods")
    cur.execute("CREATE TABLE ods (corp_id BIGINT, data JSON) DUPLICATE KEY(corp_id)")
    start = time.perf_counter()
    cur.execute(
        "INSERT INTO ods SELECT v, json_object('dept_name', concat('dept', CAST(v % 50 AS STRING)), "
        "'name', concat('user', CAST(v AS STRING)), 'age', v % 70, 'tags', json_array('a', 'b')) "
        f"FROM generate_series(1, {rows}) AS g(v)"
    )
    load = time.perf_counter() - start
    start = time.perf_counter()
    cur.execute(
        "ALTER TABLE ods ADD COLUMN dept_name STRING AS get_json_string(data, '$.dept_name')"
    )
    alter = time.perf_counter() - start
    print(f"\n### Generated column, {rows:,} rows\n")
    print(f"Load {load:.1f} s; ALTER TABLE ADD COLUMN ... AS (fills every row) {alter:.1f} s.\n")
    print("| query | rewrite off (s) | rewrite on (s) | speed-up | same answer |")
    print("|---|---:|---:|---:|---|")
    for name, sql in QUERIES.items():
        cur.execute("SET enable_generated_column_rewrite = false")
        off, off_rows = timed(cur, sql)
        cur.execute("SET enable_generated_column_rewrite = true")
        on, on_rows = timed(cur, sql)
        same = "yes" if off_rows == on_rows else "NO"
        print(f"| {name} | {off:.3f} | {on:.3f} | {off / on:.1f}x | {same} |")


if __name__ == "__main__":
    main()
