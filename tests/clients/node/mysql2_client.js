// Node.js mysql2 against a running Lakestar: query() (text protocol) and execute()
// (server-side prepared statements, binary protocol), metadata browsing, every type,
// an error followed by a successful query, and a streamed 1-million-row result.
//
// usage: node mysql2_client.js PORT
const mysql = require('mysql2/promise');
const mysqlCallback = require('mysql2');

const port = Number(process.argv[2]);

function expect(what, got, want) {
  const g = JSON.stringify(got);
  const w = JSON.stringify(want);
  if (g !== w) {
    console.error(`mysql2: ${what}: got ${g}, want ${w}`);
    process.exit(1);
  }
}

async function main() {
  const conn = await mysql.createConnection({
    host: '127.0.0.1', port, user: 'root', password: '',
    dateStrings: true, decimalNumbers: false, supportBigNumbers: true, bigNumberStrings: true,
  });
  await conn.query('DROP DATABASE IF EXISTS node_db');
  await conn.query('CREATE DATABASE node_db');
  await conn.query('USE node_db');
  await conn.query(
    'CREATE TABLE t (k INT NOT NULL, b BOOLEAN, ti TINYINT, si SMALLINT, i INT, bi BIGINT,' +
    ' f FLOAT, d DOUBLE, dec1 DECIMAL(20,6), c CHAR(5), v VARCHAR(20), s STRING, dt DATE,' +
    ' ts DATETIME) PRIMARY KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1');

  // Metadata browsing.
  const [tables] = await conn.query(
    "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'node_db'");
  expect('tables', tables, [{ TABLE_NAME: 't', TABLE_TYPE: 'BASE TABLE' }]);
  const [cols] = await conn.query('SHOW FULL COLUMNS FROM t');
  expect('columns', cols.length, 14);

  // execute(): server-side prepared INSERT and SELECT with every type.
  const row = [1, 1, -5, 300, 70000, '1099511627776', 1.5, 2.25, '12345678901234.567891', 'ab',
    'héllo wörld', '☃ unicode 日本', '2024-01-02', '2024-01-02 03:04:05.123456'];
  await conn.execute('INSERT INTO t VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)', row);
  await conn.execute('INSERT INTO t VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)',
    [2, null, null, null, null, null, null, null, null, null, null, null, null, null]);
  const [prepared] = await conn.execute('SELECT * FROM t WHERE k >= ? ORDER BY k', [1]);
  expect('execute row', Object.values(prepared[0]),
    [1, 1, -5, 300, 70000, '1099511627776', 1.5, 2.25, '12345678901234.567891', 'ab',
      'héllo wörld', '☃ unicode 日本', '2024-01-02', '2024-01-02 03:04:05.123456']);
  expect('execute nulls', Object.values(prepared[1]).slice(1).every((v) => v === null), true);

  // query(): the same rows over the text protocol.
  const [text] = await conn.query('SELECT * FROM t ORDER BY k');
  expect('query row', Object.values(text[0]), Object.values(prepared[0]));

  // An error, then the connection works.
  try {
    await conn.query('SELECT * FROM no_such_table');
    expect('error expected', false, true);
  } catch (e) {
    expect('error code', e.errno, 1146);
  }
  const [[after]] = await conn.query('SELECT 41 + 1 AS answer');
  expect('after error', Number(after.answer), 42);
  await conn.query('DROP DATABASE node_db');
  await conn.end();

  // A 1-million-row result, streamed row by row.
  const streaming = mysqlCallback.createConnection({ host: '127.0.0.1', port, user: 'root' });
  let count = 0;
  let sum = 0;
  await new Promise((resolve, reject) => {
    streaming.query('SELECT value FROM generate_series(1, 1000000)')
      .on('result', (r) => { count += 1; sum += Number(r.value); })
      .on('error', reject)
      .on('end', resolve);
  });
  streaming.end();
  expect('streamed rows', [count, sum], [1000000, 500000500000]);
  console.log('mysql2: OK');
}

main().catch((e) => { console.error(e); process.exit(1); });
