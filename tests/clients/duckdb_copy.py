"""Write files with DuckDB (from PyPI), as another engine's writer would.

    duckdb_copy.py "<COPY statement>"

Run by tests/tests/it/mv_lake.rs to lay out and add to Hive-partitioned Parquet directories.
"""

import sys

import duckdb

duckdb.sql(sys.argv[1])
print("duckdb copy: OK")
