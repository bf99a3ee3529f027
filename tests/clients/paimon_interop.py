"""Paimon tables written and read by a third-party writer: pypaimon (Apache Paimon's Python
API, from PyPI). Run by tests/tests/it/paimon.rs.

    paimon_interop.py write <warehouse>              write the test tables (several commits each)
    paimon_interop.py append <warehouse> <n>         n more commits to xxdb_prod.events, one row each
    paimon_interop.py read <warehouse> <db> <table>  print the table's rows as JSON, one per line
    paimon_interop.py upsert_on_signal <warehouse> <db.table> <dir> <id> <v>
                                                     open a (id BIGINT, v INT, name STRING) table,
                                                     create <dir>/ready, wait for <dir>/go, then
                                                     commit one row
    paimon_interop.py sales <warehouse> <day> <n> <seed>
                                                     one commit of n rows into the day's partition of
                                                     dw.sales (created if missing), from a seed

The warehouse is a local directory (a filesystem catalog).
"""

import datetime
import json
import sys

import pyarrow as pa
from pypaimon import CatalogFactory, Schema

DB = "xxdb_prod"


def catalog(warehouse):
    return CatalogFactory.create({"warehouse": warehouse})


def create(cat, name, pa_schema, primary_keys=None, partition_keys=None, options=None):
    schema = Schema.from_pyarrow_schema(
        pa_schema,
        partition_keys=partition_keys or [],
        primary_keys=primary_keys or [],
        options=options or {},
    )
    cat.create_table(f"{DB}.{name}", schema, False)
    return cat.get_table(f"{DB}.{name}")


def commit(table, pa_schema, rows):
    """One batch write and one commit (one snapshot)."""
    builder = table.new_batch_write_builder()
    write = builder.new_write()
    committer = builder.new_commit()
    columns = {f.name: [r[i] for r in rows] for i, f in enumerate(pa_schema)}
    write.write_arrow(pa.Table.from_pydict(columns, schema=pa_schema))
    committer.commit(write.prepare_commit())
    write.close()
    committer.close()


def write_all(warehouse):
    cat = catalog(warehouse)
    cat.create_database(DB, False)

    # The source table of the INSERT OVERWRITE flow in the lakehouse issue: an append
    # table partitioned by corp_id, timestamps as strings as many ODS tables keep them.
    s = pa.schema([
        ("corp_id", pa.string()), ("user_id", pa.string()), ("active", pa.int32()),
        ("status", pa.int32()), ("union_id", pa.string()), ("id", pa.int64()),
        ("gmt_create", pa.string()), ("gmt_modified", pa.string()),
    ])
    t = create(cat, "user_basic_table", s, partition_keys=["corp_id"])
    commit(t, s, [
        ("c1", "u1", 1, 0, "n1", 1, "2024-01-01 10:00:00", "2024-01-02 11:00:00"),
        ("c1", "u2", 0, 1, "n2", 2, "2024-01-03 10:00:00", "2024-01-04 11:00:00"),
        ("c2", "u3", 1, 2, None, 3, "2024-02-01 08:30:00", "2024-02-01 09:30:00"),
    ])
    commit(t, s, [
        ("c2", "u4", 1, 0, "n4", 4, "2024-03-01 00:00:00", "2024-03-01 00:00:01"),
    ])

    # Primary-key tables, one per merge engine; each written in several commits so the
    # reader must merge across files.
    kv = pa.schema([("id", pa.int64()), ("v", pa.int64()), ("name", pa.string())])
    t = create(cat, "pk_dedup", kv, primary_keys=["id"], options={"bucket": "2"})
    commit(t, kv, [(1, 10, "a"), (2, 20, "b"), (3, 30, "c")])
    commit(t, kv, [(1, 11, "a2"), (3, 31, None)])

    t = create(cat, "pk_partial", kv, primary_keys=["id"],
               options={"bucket": "1", "merge-engine": "partial-update"})
    commit(t, kv, [(1, 10, None), (2, None, "b")])
    commit(t, kv, [(1, None, "a"), (2, 20, None)])
    commit(t, kv, [(1, 12, None)])

    t = create(cat, "pk_agg", kv, primary_keys=["id"], options={
        "bucket": "1", "merge-engine": "aggregation",
        "fields.v.aggregate-function": "sum",
        "fields.name.aggregate-function": "max",
    })
    commit(t, kv, [(1, 1, "a"), (2, 5, "x")])
    commit(t, kv, [(1, 2, "c"), (2, 5, "b")])
    commit(t, kv, [(1, 3, "b")])

    t = create(cat, "pk_first_row", kv, primary_keys=["id"],
               options={"bucket": "1", "merge-engine": "first-row"})
    commit(t, kv, [(1, 10, "first"), (2, 20, "first")])
    commit(t, kv, [(1, 11, "second"), (3, 30, "first")])

    # A sequence field: the row with the highest `ts` wins, not the last one written.
    seq = pa.schema([("id", pa.int64()), ("ts", pa.int64()), ("name", pa.string())])
    t = create(cat, "pk_sequence", seq, primary_keys=["id"],
               options={"bucket": "1", "sequence.field": "ts"})
    commit(t, seq, [(1, 5, "newer"), (2, 1, "older")])
    commit(t, seq, [(1, 3, "late but older"), (2, 2, "newer")])

    # Partitioned primary-key table (keys include the partition), with dates and decimals.
    p = pa.schema([
        ("dt", pa.string()), ("id", pa.int64()), ("amount", pa.decimal128(10, 2)),
        ("day", pa.date32()), ("at", pa.timestamp("us")),
    ])
    t = create(cat, "pk_partitioned", p, primary_keys=["dt", "id"], partition_keys=["dt"],
               options={"bucket": "1"})
    commit(t, p, [
        ("2024-01-01", 1, 1, datetime.date(2024, 1, 1), datetime.datetime(2024, 1, 1, 1, 2, 3)),
        ("2024-01-02", 1, 2, datetime.date(2024, 1, 2), datetime.datetime(2024, 1, 2, 1, 2, 3)),
    ])
    commit(t, p, [
        ("2024-01-02", 1, 3, datetime.date(2024, 1, 2), datetime.datetime(2024, 1, 2, 4, 5, 6)),
        ("2024-01-02", 2, 4, datetime.date(2024, 1, 2), None),
    ])

    # Deletion vectors: rows deleted by row id in a row-tracking append table are hidden by
    # a deletion-vector index file, not by rewriting the data file.
    dv = pa.schema([("id", pa.int64()), ("name", pa.string())])
    t = create(cat, "dv_events", dv, options={
        "row-tracking.enabled": "true", "data-evolution.enabled": "true",
        "deletion-vectors.enabled": "true",
    })
    commit(t, dv, [(i, f"e{i}") for i in range(10)])
    from pypaimon.write.table_delete import TableDeleteByRowId
    t = cat.get_table(f"{DB}.dv_events")
    messages = TableDeleteByRowId(t).delete([2, 5, 7])
    committer = t.new_batch_write_builder().new_commit()
    committer.commit(messages)
    committer.close()

    # An append table that `append` keeps writing to while Lakestar reads it.
    ev = pa.schema([("id", pa.int64()), ("payload", pa.string())])
    t = create(cat, "events", ev)
    commit(t, ev, [(0, "start")])
    print("paimon write: OK")


def append(warehouse, n):
    cat = catalog(warehouse)
    ev = pa.schema([("id", pa.int64()), ("payload", pa.string())])
    t = cat.get_table(f"{DB}.events")
    for i in range(1, n + 1):
        commit(t, ev, [(i, f"row {i}")])
    print("paimon append: OK")


def upsert_on_signal(warehouse, name, signal_dir, id, v):
    import os
    import time
    kv = pa.schema([pa.field("id", pa.int64(), nullable=False), ("v", pa.int32()),
                    ("name", pa.string())])
    t = catalog(warehouse).get_table(name)
    open(os.path.join(signal_dir, "ready"), "w").close()
    deadline = time.time() + 60
    while not os.path.exists(os.path.join(signal_dir, "go")):
        if time.time() > deadline:
            sys.exit("no go signal")
        time.sleep(0.02)
    commit(t, kv, [(id, v, "pypaimon")])
    print("paimon upsert: OK")


def read(warehouse, db, table):
    t = catalog(warehouse).get_table(f"{db}.{table}")
    builder = t.new_read_builder()
    splits = builder.new_scan().plan().splits()
    data = builder.new_read().to_arrow(splits)
    for row in data.to_pylist():
        print(json.dumps(row, default=str, sort_keys=True))


SALES = pa.schema([
    ("dt", pa.string()), ("region", pa.string()), ("amount", pa.int64()), ("cust", pa.int64()),
])


def sales(warehouse, day, n, seed):
    """An append table partitioned by day, as a dashboard's lake fact table."""
    cat = catalog(warehouse)
    cat.create_database("dw", True)
    try:
        t = cat.get_table("dw.sales")
    except Exception:
        schema = Schema.from_pyarrow_schema(SALES, partition_keys=["dt"], options={})
        cat.create_table("dw.sales", schema, False)
        t = cat.get_table("dw.sales")
    rows = [
        (day, ["eu", "us", "apac"][(seed + i) % 3], (seed * 31 + i * 7) % 100, (seed + i * 13) % 17)
        for i in range(n)
    ]
    commit(t, SALES, rows)
    print("paimon sales: OK")


def main():
    command, warehouse = sys.argv[1], sys.argv[2]
    if command == "write":
        write_all(warehouse)
    elif command == "append":
        append(warehouse, int(sys.argv[3]))
    elif command == "sales":
        sales(warehouse, sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif command == "upsert_on_signal":
        upsert_on_signal(warehouse, sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]))
    elif command == "read":
        read(warehouse, sys.argv[3], sys.argv[4])
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
