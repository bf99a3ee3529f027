#!/usr/bin/env python3
"""Generates the random-SQL correctness corpus sqllogictest/random/select_N.slt.

In the style of SQLite's sqllogictest `test/random/` files: a few small integer tables,
then thousands of random SELECTs over them. The expected results are what a MariaDB
server returns (text protocol), rendered as the Lakestar harness renders values
(NULL -> `NULL`, empty string -> `(empty)`, everything else as the server's text).
A query MariaDB rejects is dropped, as is one whose result is too large to keep.

Every file has a fixed seed, so the same MariaDB version regenerates the same files.

    target/clients/venv/bin/python sqllogictest/random/gen.py --port 3307

scripts/random-corpus installs and starts MariaDB, runs this and stops it again.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time

import pymysql

HERE = os.path.dirname(os.path.abspath(__file__))

TABLES = ["tab0", "tab1", "tab2"]
COLUMNS = ["col0", "col1", "col2"]
# Columns of every table: a non-null key and three nullable integer columns.
ALL_COLUMNS = ["pk"] + COLUMNS

MAX_ROWS = 40  # drop queries whose result has more rows than this
MAX_SQL = 600  # and queries longer than this

# pymysql FIELD_TYPE codes
REAL_TYPES = {0, 4, 5, 246}  # DECIMAL, FLOAT, DOUBLE, NEWDECIMAL
INT_TYPES = {1, 2, 3, 8, 9, 13, 16}  # TINY, SHORT, LONG, LONGLONG, INT24, YEAR, BIT


def render(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, (bytes, bytearray)):
        value = value.decode("utf-8")
    value = str(value)
    if value == "":
        return "(empty)"
    return value


def type_letter(type_code) -> str:
    if type_code in REAL_TYPES:
        return "R"
    if type_code in INT_TYPES:
        return "I"
    return "T"


class Scope:
    """The tables a (sub)query can see: [(alias or table name, qualify?)]."""

    def __init__(self, sources, outer=None):
        self.sources = sources  # list of names usable as qualifiers
        self.outer = outer  # Scope of the enclosing query, for correlation

    def qualified(self) -> bool:
        return len(self.sources) > 1 or self.outer is not None


class Gen:
    def __init__(self, seed: int):
        self.r = random.Random(seed)
        self.alias_counter = 0

    # ---------- helpers ----------

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def pick(self, seq):
        return self.r.choice(seq)

    def literal(self) -> str:
        roll = self.r.random()
        if roll < 0.04:
            return "NULL"
        if roll < 0.25:
            return str(self.r.randint(0, 9))
        return str(self.r.randint(0, 99))

    def column(self, scope: Scope, outer_ok: bool = False) -> str:
        """A column reference; with outer_ok, sometimes one of the enclosing query."""
        if outer_ok and scope.outer is not None and self.chance(0.35):
            src = self.pick(scope.outer.sources)
            return f"{src}.{self.pick(ALL_COLUMNS if self.chance(0.1) else COLUMNS)}"
        src = self.pick(scope.sources)
        col = self.pick(ALL_COLUMNS) if self.chance(0.1) else self.pick(COLUMNS)
        if scope.qualified() or self.chance(0.2):
            return f"{src}.{col}"
        return col

    # ---------- scalar expressions ----------

    def expr(self, scope: Scope, depth: int = 0, outer_ok: bool = False) -> str:
        """An integer-or-decimal valued expression."""
        if depth >= 3 or self.chance(0.30 + 0.2 * depth):
            return self.column(scope, outer_ok) if self.chance(0.7) else self.literal()
        roll = self.r.random()
        sub = lambda: self.expr(scope, depth + 1, outer_ok)  # noqa: E731
        if roll < 0.45:
            op = self.pick(["+", "-", "*", "+", "-", "*", "/", "DIV", "%"])
            left, right = sub(), sub()
            if self.chance(0.5):
                return f"( {left} {op} {right} )"
            return f"{left} {op} {right}"
        if roll < 0.55:
            sign = self.pick(["-", "-", "+"])
            return f"{sign} {sub()}" if self.chance(0.5) else f"{sign} ( {sub()} )"
        if roll < 0.63:
            cond = self.cond(scope, depth + 1, outer_ok, allow_subquery=False)
            other = f" ELSE {sub()}" if self.chance(0.7) else ""
            return f"CASE WHEN {cond} THEN {sub()}{other} END"
        if roll < 0.68:
            arms = " ".join(
                f"WHEN {self.literal() if self.chance(0.6) else sub()} THEN {sub()}"
                for _ in range(self.r.randint(1, 2))
            )
            other = f" ELSE {sub()}" if self.chance(0.6) else ""
            return f"CASE {sub()} {arms}{other} END"
        if roll < 0.73:
            return f"NULLIF( {sub()}, {sub()} )"
        if roll < 0.79:
            args = ", ".join(sub() for _ in range(self.r.randint(2, 3)))
            return f"COALESCE( {args} )"
        if roll < 0.84:
            return f"IFNULL( {sub()}, {sub()} )"
        if roll < 0.92:
            target = self.pick(["SIGNED", "SIGNED", "DECIMAL", "DECIMAL(10,2)"])
            return f"CAST( {sub()} AS {target} )"
        return f"ABS( {sub()} )"

    def top_expr(self, scope: Scope) -> str:
        """A select-list item: usually numeric, sometimes text or a truth value."""
        roll = self.r.random()
        if roll < 0.06:
            return f"CAST( {self.expr(scope, 1)} AS CHAR )"
        if roll < 0.09:
            return self.cond(scope, 1, allow_subquery=False)
        return self.expr(scope)

    # ---------- conditions ----------

    def cond(self, scope: Scope, depth: int = 0, outer_ok: bool = False,
             allow_subquery: bool = True) -> str:
        roll = self.r.random()
        e = lambda: self.expr(scope, max(depth, 1) + 1, outer_ok)  # noqa: E731
        if depth < 2 and roll < 0.15:
            op = self.pick(["AND", "OR"])
            left = self.cond(scope, depth + 1, outer_ok, allow_subquery)
            right = self.cond(scope, depth + 1, outer_ok, allow_subquery)
            if self.chance(0.5):
                return f"( {left} {op} {right} )"
            return f"{left} {op} {right}"
        if depth < 2 and roll < 0.22:
            inner = self.cond(scope, depth + 1, outer_ok, allow_subquery)
            return f"NOT ( {inner} )" if self.chance(0.6) else f"NOT {inner}"
        if roll < 0.50:
            op = self.pick(["=", "<>", "<", ">", "<=", ">="])
            return f"{e()} {op} {e()}"
        if roll < 0.60:
            return f"{e()} IS {self.pick(['', 'NOT '])}NULL"
        if roll < 0.70:
            neg = "NOT " if self.chance(0.3) else ""
            return f"{e()} {neg}BETWEEN {e()} AND {e()}"
        if roll < 0.80:
            neg = "NOT " if self.chance(0.3) else ""
            items = ", ".join(self.literal() if self.chance(0.8) else e()
                              for _ in range(self.r.randint(1, 5)))
            return f"{e()} {neg}IN ( {items} )"
        if allow_subquery and depth < 2:
            return self.subquery_cond(scope)
        op = self.pick(["=", "<>", "<", ">", "<=", ">="])
        return f"{e()} {op} {e()}"

    def new_alias(self) -> str:
        self.alias_counter += 1
        return f"cor{self.alias_counter % 3 + 3}"

    def inner_scope(self, scope: Scope):
        table = self.pick(TABLES)
        alias = self.new_alias()
        while alias in scope.sources:
            alias = self.new_alias()
        return table, alias, Scope([alias], outer=scope)

    def subquery_cond(self, scope: Scope) -> str:
        """IN / EXISTS / scalar-subquery comparisons, correlated or not."""
        table, alias, inner = self.inner_scope(scope)
        correlated = self.chance(0.5)
        where = ""
        if correlated:
            where = f" WHERE {self.cond(inner, 2, outer_ok=True, allow_subquery=False)}"
            if not any(s + "." in where for s in scope.sources):
                # make sure it really refers to the outer query
                where += f" AND {alias}.{self.pick(COLUMNS)} {self.pick(['=', '<', '>'])} " \
                         f"{self.pick(scope.sources)}.{self.pick(COLUMNS)}"
        elif self.chance(0.5):
            where = f" WHERE {self.cond(inner, 2, allow_subquery=False)}"
        roll = self.r.random()
        outer_e = self.expr(scope, 2)
        if roll < 0.35:
            neg = "NOT " if self.chance(0.35) else ""
            col = f"{alias}.{self.pick(COLUMNS)}" if self.chance(0.8) else self.expr(inner, 2)
            return f"{outer_e} {neg}IN ( SELECT {col} FROM {table} AS {alias}{where} )"
        if roll < 0.65:
            neg = "NOT " if self.chance(0.35) else ""
            return f"{neg}EXISTS ( SELECT * FROM {table} AS {alias}{where} )"
        op = self.pick(["=", "<>", "<", ">", "<=", ">="])
        agg = self.aggregate(inner, allow_distinct=True)
        return f"{outer_e} {op} ( SELECT {agg} FROM {table} AS {alias}{where} )"

    def scalar_subquery(self, scope: Scope) -> str:
        table, alias, inner = self.inner_scope(scope)
        where = ""
        if self.chance(0.6):
            where = f" WHERE {self.cond(inner, 2, outer_ok=True, allow_subquery=False)}"
        return f"( SELECT {self.aggregate(inner, allow_distinct=True)} FROM {table} AS {alias}{where} )"

    # ---------- aggregates ----------

    def aggregate(self, scope: Scope, allow_distinct: bool = True) -> str:
        fn = self.pick(["COUNT", "COUNT", "SUM", "SUM", "MIN", "MAX", "AVG"])
        if fn == "COUNT" and self.chance(0.3):
            return "COUNT( * )"
        arg = self.column(scope) if self.chance(0.6) else self.expr(scope, 1)
        distinct = "DISTINCT " if allow_distinct and self.chance(0.25) else ""
        call = f"{fn}( {distinct}{arg} )"
        if self.chance(0.2):
            op = self.pick(["+", "-", "*", "/", "DIV", "%"])
            call = f"{call} {op} {self.literal() if self.chance(0.6) else self.pick(['-', '+']) + ' ' + self.literal()}"
        elif self.chance(0.08):
            call = f"- {call}"
        return call

    # ---------- FROM clauses ----------

    def single_from(self):
        table = self.pick(TABLES)
        if self.chance(0.5):
            return f"{table} AS cor0", Scope(["cor0"])
        if self.chance(0.3):
            return f"{table} cor0", Scope(["cor0"])
        return table, Scope([table])

    def join_from(self):
        n = 2 if self.chance(0.85) else 3
        tables = [self.pick(TABLES) for _ in range(n)]
        aliases = [f"cor{i}" for i in range(n)]
        scope = Scope(aliases)
        style = self.pick(["comma", "comma", "cross", "join", "left"])
        if style in ("comma", "cross"):
            sep = ", " if style == "comma" else " CROSS JOIN "
            text = sep.join(f"{t} AS {a}" for t, a in zip(tables, aliases))
            return text, scope, n  # join condition goes into WHERE
        kw = "JOIN" if style == "join" else "LEFT JOIN"
        text = f"{tables[0]} AS {aliases[0]}"
        for i in range(1, n):
            left = self.pick(aliases[:i])
            on = f"{aliases[i]}.{self.pick(COLUMNS)} {self.pick(['=', '=', '=', '<', '>', '<>'])} {left}.{self.pick(COLUMNS)}"
            if self.chance(0.2):
                on += f" AND {self.cond(Scope(aliases[:i + 1]), 2, allow_subquery=False)}"
            text += f" {self.pick([kw, kw, 'INNER JOIN'] if kw == 'JOIN' else [kw, 'LEFT OUTER JOIN'])} {tables[i]} AS {aliases[i]} ON {on}"
        return text, scope, 0

    # ---------- whole queries ----------

    def select_items(self, scope: Scope, count: int) -> str:
        items = []
        for _ in range(count):
            if self.chance(0.07):
                items.append(self.scalar_subquery(scope))
            else:
                items.append(self.top_expr(scope))
            if self.chance(0.2):
                items[-1] += f" AS col{self.r.randint(0, 5)}"
        return ", ".join(items)

    def q_simple(self) -> str:
        frm, scope = self.single_from()
        quant = self.pick(["", "", "ALL ", "DISTINCT "])
        sql = f"SELECT {quant}{self.select_items(scope, self.r.randint(1, 3))} FROM {frm}"
        if self.chance(0.7):
            sql += f" WHERE {self.cond(scope)}"
        return sql

    def q_aggregate(self) -> str:
        frm, scope = self.single_from()
        aggs = ", ".join(self.aggregate(scope) for _ in range(self.r.randint(1, 3)))
        quant = self.pick(["", "", "ALL ", "DISTINCT "])
        sql = f"SELECT {quant}{aggs} FROM {frm}"
        if self.chance(0.6):
            sql += f" WHERE {self.cond(scope)}"
        return sql

    def q_group(self) -> str:
        if self.chance(0.25):
            frm, scope, need = self.join_from()
        else:
            (frm, scope), need = self.single_from(), 0
        keys = [self.column(scope) for _ in range(self.r.randint(1, 2))]
        keys = list(dict.fromkeys(keys))
        items = []
        for k in keys:
            if self.chance(0.7):
                items.append(k)
            elif self.chance(0.5):
                items.append(f"{self.pick(['-', '+'])} {k}")
            else:
                items.append(f"{k} {self.pick(['+', '-', '*', 'DIV', '%', '/'])} {self.literal()}")
        for _ in range(self.r.randint(1, 2)):
            items.insert(self.r.randint(0, len(items)), self.aggregate(scope))
        quant = "DISTINCT " if self.chance(0.1) else ""
        sql = f"SELECT {quant}{', '.join(items)} FROM {frm}"
        where = self.join_where(scope, need)
        if self.chance(0.4):
            where.append(self.cond(scope, 1, allow_subquery=False))
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " GROUP BY " + ", ".join(keys)
        if self.chance(0.35):
            op = self.pick(["=", "<>", "<", ">", "<=", ">="])
            lhs = self.aggregate(scope)
            rhs = self.literal() if self.chance(0.7) else self.pick(keys)
            sql += f" HAVING {lhs} {op} {rhs}"
            if self.chance(0.2):
                sql += f" {self.pick(['AND', 'OR'])} {self.pick(keys)} IS {self.pick(['', 'NOT '])}NULL"
        return sql

    def join_where(self, scope: Scope, need: int):
        """Join conditions for comma / CROSS joins, so results stay small."""
        conds = []
        for i in range(1, need):
            left = scope.sources[self.r.randint(0, i - 1)]
            conds.append(f"{scope.sources[i]}.{self.pick(COLUMNS)} "
                         f"{self.pick(['=', '=', '<', '>', '<>'])} {left}.{self.pick(COLUMNS)}")
        if need == 2 and self.chance(0.3):
            conds = []  # a plain cross product of two small tables now and then
        return conds

    def q_join(self) -> str:
        frm, scope, need = self.join_from()
        quant = self.pick(["", "", "ALL ", "DISTINCT "])
        if self.chance(0.2):
            items = ", ".join(self.aggregate(scope) for _ in range(self.r.randint(1, 2)))
        else:
            items = self.select_items(scope, self.r.randint(1, 3))
        sql = f"SELECT {quant}{items} FROM {frm}"
        where = self.join_where(scope, need)
        if self.chance(0.5):
            where.append(self.cond(scope, 1))
        if where:
            sql += " WHERE " + " AND ".join(where)
        return sql

    def q_subquery(self) -> str:
        frm, scope = self.single_from()
        quant = self.pick(["", "ALL ", "DISTINCT "])
        if self.chance(0.35):
            items = self.select_items(scope, 1) + ", " + self.scalar_subquery(scope)
        else:
            items = self.select_items(scope, self.r.randint(1, 2))
        sql = f"SELECT {quant}{items} FROM {frm} WHERE {self.subquery_cond(scope)}"
        if self.chance(0.3):
            sql += f" {self.pick(['AND', 'OR'])} {self.cond(scope, 1, allow_subquery=False)}"
        return sql

    def query(self) -> str:
        roll = self.r.random()
        if roll < 0.30:
            return self.q_simple()
        if roll < 0.47:
            return self.q_aggregate()
        if roll < 0.64:
            return self.q_group()
        if roll < 0.82:
            return self.q_join()
        return self.q_subquery()

    # ---------- data ----------

    def tables(self):
        stmts = []
        for t in TABLES:
            stmts.append(f"CREATE TABLE {t} (pk INT, col0 INT, col1 INT, col2 INT)")
        for t in TABLES:
            n = self.r.randint(4, 8)
            pks = list(range(n))
            self.r.shuffle(pks)
            rows = []
            for pk in pks:
                vals = [str(pk)]
                for _ in COLUMNS:
                    if self.chance(0.12):
                        vals.append("NULL")
                    elif self.chance(0.3):
                        vals.append(str(self.r.randint(0, 9)))
                    else:
                        vals.append(str(self.r.randint(0, 99)))
                rows.append("(" + ", ".join(vals) + ")")
            stmts.append(f"INSERT INTO {t} VALUES " + ", ".join(rows))
        return stmts


def connect(args, database=None):
    return pymysql.connect(host=args.host, port=args.port, user=args.user,
                           password=args.password, database=database, autocommit=True,
                           conv={}, charset="utf8mb4")


def run_query(cur, sql):
    cur.execute(sql)
    if cur.description is None:
        return None, None
    types = "".join(type_letter(d[1]) for d in cur.description)
    rows = [[render(v) for v in row] for row in cur.fetchall()]
    return types, rows


def generate_file(args, index: int, records: int) -> tuple[int, int]:
    seed = 1000 + index
    gen = Gen(seed)
    db = f"rnd{index}"
    conn = connect(args)
    cur = conn.cursor()
    cur.execute(f"DROP DATABASE IF EXISTS {db}")
    cur.execute(f"CREATE DATABASE {db}")
    cur.execute(f"USE {db}")
    out = [
        f"# Random SELECTs over small integer tables, generated by gen.py (seed {seed}).",
        "# Expected results are MariaDB's. Do not edit: regenerate with scripts/random-corpus.",
        "",
        "statement ok",
        "CREATE DATABASE rnd",
        "",
        "statement ok",
        "USE rnd",
        "",
    ]
    for stmt in gen.tables():
        cur.execute(stmt)
        out += ["statement ok", stmt, ""]
    written = dropped = 0
    seen = set()
    while written < records:
        sql = gen.query()
        if len(sql) > MAX_SQL or sql in seen or "--" in sql:
            continue
        seen.add(sql)
        try:
            types, rows = run_query(cur, sql)
        except pymysql.MySQLError:
            dropped += 1
            continue
        if types is None or len(rows) > MAX_ROWS:
            dropped += 1
            continue
        if not rows and gen.chance(0.6):
            # keep some empty results, but most records should compare values
            dropped += 1
            continue
        rows.sort()
        out.append(f"query {types} rowsort")
        out.append(sql)
        out.append("----")
        out += [" ".join(r) for r in rows]
        out.append("")
        written += 1
    cur.execute(f"DROP DATABASE {db}")
    conn.close()
    path = os.path.join(args.out_dir, f"select_{index}.slt")
    with open(path, "w") as f:
        f.write("\n".join(out))
    return written, dropped


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=int(os.environ.get("MARIADB_PORT", 3307)))
    p.add_argument("--user", default="root")
    p.add_argument("--password", default="")
    p.add_argument("--out-dir", default=HERE)
    p.add_argument("--files", type=int, default=10, help="number of files (select_1 ..)")
    p.add_argument("--records", type=int, default=3000, help="query records per file")
    p.add_argument("--only", type=int, help="generate only select_N.slt")
    args = p.parse_args()
    indexes = [args.only] if args.only else range(1, args.files + 1)
    total = 0
    for i in indexes:
        start = time.time()
        written, dropped = generate_file(args, i, args.records)
        total += written
        print(f"select_{i}.slt: {written} queries ({dropped} dropped: rejected by MariaDB, "
              f"over {MAX_ROWS} rows or empty) in {time.time() - start:.1f}s", file=sys.stderr)
    print(f"{total} query records", file=sys.stderr)


if __name__ == "__main__":
    main()
