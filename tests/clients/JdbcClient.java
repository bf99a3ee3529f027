// MariaDB Connector/J (Debian's libmariadb-java) against a running Lakestar: metadata as a
// BI tool reads it, PreparedStatement with every type (server-side prepare), an error
// followed by a successful query, and a streamed 1-million-row result.
//
// usage: java -cp mariadb-java-client.jar:. JdbcClient PORT
import java.math.BigDecimal;
import java.sql.*;
import java.util.*;

public class JdbcClient {
    static void expect(String what, Object got, Object want) {
        if (!Objects.equals(got, want)) {
            System.err.println("jdbc: " + what + ": got " + got + ", want " + want);
            System.exit(1);
        }
    }

    public static void main(String[] args) throws Exception {
        String url = "jdbc:mariadb://127.0.0.1:" + args[0] + "/?user=root&password="
                + "&useServerPrepStmts=true";
        try (Connection c = DriverManager.getConnection(url)) {
            Statement s = c.createStatement();
            s.execute("DROP DATABASE IF EXISTS jdbc_db");
            s.execute("CREATE DATABASE jdbc_db");
            s.execute("CREATE TABLE jdbc_db.t (k INT NOT NULL, b BOOLEAN, ti TINYINT, si SMALLINT,"
                    + " i INT, bi BIGINT, f FLOAT, d DOUBLE, dec1 DECIMAL(20,6), c CHAR(5),"
                    + " v VARCHAR(20), s STRING, dt DATE, ts DATETIME) PRIMARY KEY(k)"
                    + " DISTRIBUTED BY HASH(k) BUCKETS 1");

            // DatabaseMetaData, as DBeaver / Tableau / Metabase browse it.
            DatabaseMetaData md = c.getMetaData();
            List<String> catalogs = new ArrayList<>();
            try (ResultSet rs = md.getCatalogs()) {
                while (rs.next()) catalogs.add(rs.getString("TABLE_CAT"));
            }
            expect("getCatalogs has jdbc_db", catalogs.contains("jdbc_db"), true);
            try (ResultSet rs = md.getSchemas()) {
                while (rs.next()) rs.getString(1);
            }
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = md.getTables("jdbc_db", null, "%", new String[] {"TABLE", "VIEW"})) {
                while (rs.next()) tables.add(rs.getString("TABLE_NAME") + ":" + rs.getString("TABLE_TYPE"));
            }
            expect("getTables", tables, List.of("t:TABLE"));
            List<String> columns = new ArrayList<>();
            try (ResultSet rs = md.getColumns("jdbc_db", null, "t", "%")) {
                while (rs.next()) columns.add(rs.getString("COLUMN_NAME") + ":" + rs.getInt("DATA_TYPE"));
            }
            expect("getColumns count", columns.size(), 14);
            expect("getColumns k", columns.get(0), "k:" + Types.INTEGER);
            expect("getColumns dec1", columns.get(8), "dec1:" + Types.DECIMAL);
            expect("getColumns ts", columns.get(13), "ts:" + Types.TIMESTAMP);
            List<String> keys = new ArrayList<>();
            try (ResultSet rs = md.getPrimaryKeys("jdbc_db", null, "t")) {
                while (rs.next()) keys.add(rs.getString("COLUMN_NAME"));
            }
            expect("getPrimaryKeys", keys, List.of("k"));

            // PreparedStatement with every type.
            c.setCatalog("jdbc_db");
            Timestamp ts = Timestamp.valueOf("2024-01-02 03:04:05.123456");
            BigDecimal dec = new BigDecimal("12345678901234.567891");
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO t VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
                ps.setInt(1, 1); ps.setBoolean(2, true); ps.setByte(3, (byte) -5);
                ps.setShort(4, (short) 300); ps.setInt(5, 70000); ps.setLong(6, 1L << 40);
                ps.setFloat(7, 1.5f); ps.setDouble(8, 2.25); ps.setBigDecimal(9, dec);
                ps.setString(10, "ab"); ps.setString(11, "héllo wörld"); ps.setString(12, "☃ unicode 日本");
                ps.setDate(13, java.sql.Date.valueOf("2024-01-02")); ps.setTimestamp(14, ts);
                expect("insert count", ps.executeUpdate(), 1);
                ps.setInt(1, 2);
                for (int i = 2; i <= 14; i++) ps.setNull(i, Types.NULL);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM t WHERE k >= ? ORDER BY k")) {
                ps.setInt(1, 1);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    expect("int", rs.getInt(1), 1);
                    expect("boolean", rs.getBoolean(2), true);
                    expect("tinyint", rs.getByte(3), (byte) -5);
                    expect("smallint", rs.getShort(4), (short) 300);
                    expect("int2", rs.getInt(5), 70000);
                    expect("bigint", rs.getLong(6), 1L << 40);
                    expect("float", rs.getFloat(7), 1.5f);
                    expect("double", rs.getDouble(8), 2.25);
                    expect("decimal", rs.getBigDecimal(9), dec);
                    expect("char", rs.getString(10), "ab");
                    expect("varchar", rs.getString(11), "héllo wörld");
                    expect("string", rs.getString(12), "☃ unicode 日本");
                    expect("date", rs.getDate(13).toString(), "2024-01-02");
                    expect("datetime", rs.getTimestamp(14), ts);
                    rs.next();
                    expect("null row key", rs.getInt(1), 2);
                    for (int i = 2; i <= 14; i++) {
                        rs.getObject(i);
                        expect("null " + i, rs.wasNull(), true);
                    }
                    expect("no more rows", rs.next(), false);
                }
            }

            // setAutoCommit(false) then (true): the driver follows the server status flag, so
            // @@autocommit must come back to 1.
            c.setAutoCommit(false);
            try (ResultSet rs = s.executeQuery("SELECT @@autocommit")) {
                rs.next();
                expect("autocommit off", rs.getInt(1), 0);
            }
            c.setAutoCommit(true);
            try (ResultSet rs = s.executeQuery("SELECT @@autocommit")) {
                rs.next();
                expect("autocommit on again", rs.getInt(1), 1);
            }

            // A BOOLEAN column compared with an integer parameter, as in MySQL.
            try (PreparedStatement ps = c.prepareStatement("SELECT k FROM t WHERE b = ?")) {
                ps.setInt(1, 1);
                try (ResultSet rs = ps.executeQuery()) {
                    expect("boolean = int parameter", rs.next() && rs.getInt(1) == 1, true);
                }
            }

            // Duplicate result names keep their labels; CAST to CHAR is a string column.
            try (ResultSet rs = s.executeQuery("SELECT 1 AS x, 2 AS x, CAST(5 AS CHAR) AS c, 7/2 AS q")) {
                java.sql.ResultSetMetaData m = rs.getMetaData();
                expect("label 1", m.getColumnLabel(1), "x");
                expect("label 2", m.getColumnLabel(2), "x");
                expect("char column", m.getColumnType(3), Types.VARCHAR);
                expect("decimal column", m.getColumnType(4), Types.DECIMAL);
                rs.next();
                expect("7/2", rs.getBigDecimal(4), new BigDecimal("3.5000"));
            }

            // An error, then the connection still works.
            try {
                s.executeQuery("SELECT * FROM no_such_table");
                expect("error expected", false, true);
            } catch (SQLException e) {
                expect("error code", e.getErrorCode(), 1146);
                expect("sqlstate", e.getSQLState(), "42S02");
            }
            try (ResultSet rs = s.executeQuery("SELECT 41 + 1")) {
                rs.next();
                expect("after error", rs.getInt(1), 42);
            }

            // A streamed 1-million-row result.
            Statement big = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
            big.setFetchSize(1000);
            long count = 0, sum = 0;
            try (ResultSet rs = big.executeQuery("SELECT value FROM generate_series(1, 1000000)")) {
                while (rs.next()) {
                    count++;
                    sum += rs.getLong(1);
                }
            }
            expect("streamed rows", count + ":" + sum, "1000000:" + (1000000L * 1000001L / 2));
            s.execute("DROP DATABASE jdbc_db");
        }
        System.out.println("jdbc: OK");
    }
}
