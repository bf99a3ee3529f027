"""SQLAlchemy 2 reflection against Lakestar, with the stock MySQL dialect or the
`starrocks` dialect from PyPI: what Superset and other BI tools run on connect.

usage: sqlalchemy_reflection.py {mysql|starrocks} PORT
"""
import sys

import sqlalchemy as sa

DIALECT, PORT = sys.argv[1], int(sys.argv[2])
DB = f"reflect_{DIALECT}"
url = {
    "mysql": f"mysql+pymysql://root:@127.0.0.1:{PORT}/",
    "starrocks": f"starrocks://root:@127.0.0.1:{PORT}/",
}[DIALECT]

engine = sa.create_engine(url)
with engine.connect() as conn:
    conn.execute(sa.text(f"DROP DATABASE IF EXISTS {DB}"))
    conn.execute(sa.text(f"CREATE DATABASE {DB}"))
    conn.execute(sa.text(
        f"CREATE TABLE {DB}.orders (id BIGINT NOT NULL, customer VARCHAR(32), "
        "amount DECIMAL(10,2), created DATETIME) PRIMARY KEY(id) "
        "DISTRIBUTED BY HASH(id) BUCKETS 1"))
    conn.execute(sa.text(f"CREATE TABLE {DB}.events (ts DATETIME, payload STRING) "
                         "DUPLICATE KEY(ts)"))
    conn.execute(sa.text(f"CREATE VIEW {DB}.big_orders AS SELECT id, customer, "
                         f"amount * 2 AS doubled FROM {DB}.orders WHERE amount > 10"))

inspector = sa.inspect(engine)
schemas = inspector.get_schema_names()
assert DB in schemas, schemas
tables = sorted(inspector.get_table_names(schema=DB))
assert tables == ["events", "orders"], tables
views = inspector.get_view_names(schema=DB)
assert views == ["big_orders"], views
view_columns = inspector.get_columns("big_orders", schema=DB)
assert [c["name"] for c in view_columns] == ["id", "customer", "doubled"], view_columns
assert isinstance(view_columns[0]["type"], sa.BigInteger), view_columns
assert isinstance(view_columns[2]["type"], sa.Numeric), view_columns
columns = inspector.get_columns("orders", schema=DB)
names = [c["name"] for c in columns]
assert names == ["id", "customer", "amount", "created"], names
types = {c["name"]: c["type"] for c in columns}
assert isinstance(types["id"], sa.BigInteger), types
assert isinstance(types["customer"], sa.String) and types["customer"].length == 32, types
assert isinstance(types["amount"], sa.Numeric) and (types["amount"].precision,
                                                   types["amount"].scale) == (10, 2), types
assert isinstance(types["created"], sa.DateTime), types
assert not columns[0]["nullable"], columns[0]

# A typed round trip through the dialect.
meta = sa.MetaData()
orders = sa.Table("orders", meta, autoload_with=engine, schema=DB)
with engine.connect() as conn:
    conn.execute(orders.insert(), [{"id": 1, "customer": "zoë", "amount": 12.5,
                                    "created": "2024-01-02 03:04:05"}])
    got = conn.execute(sa.select(orders.c.customer, orders.c.amount)).all()
    assert [(r[0], float(r[1])) for r in got] == [("zoë", 12.5)], got
    conn.execute(sa.text(f"DROP DATABASE {DB}"))
print(f"sqlalchemy-{DIALECT}: OK")
