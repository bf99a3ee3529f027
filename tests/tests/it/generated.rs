//! The generated-column issue's three statements, verbatim, from the `mysql` CLI: the
//! column added to a table with data, read directly, and read by a query that only
//! computes its expression (EXPLAIN shows the column read, not the JSON parse).

use lakestar_tests::TestServer;

use crate::mysql_cli::run_script;

#[test]
fn generated_column_statements_verbatim_from_the_mysql_cli() {
    let server = TestServer::start();
    let script = r#"
CREATE DATABASE hr;
USE hr;
CREATE TABLE ods_hrm_basic (corp_id INT, data JSON) DUPLICATE KEY(corp_id);
INSERT INTO ods_hrm_basic VALUES (1, '{"dept_name": "Engineering"}'), (2, '{"dept_name": "Sales"}');
ALTER TABLE ods_hrm_basic ADD COLUMN dept_name STRING AS get_json_string(data, '$.dept_name') COMMENT 'Department Name';
SELECT corp_id, dept_name FROM ods_hrm_basic;
SELECT corp_id, get_json_string(data, '$.dept_name') FROM ods_hrm_basic;   -- must read the column, not parse JSON
EXPLAIN SELECT corp_id, get_json_string(data, '$.dept_name') FROM ods_hrm_basic;
SET enable_generated_column_rewrite = false;
EXPLAIN SELECT corp_id, get_json_string(data, '$.dept_name') FROM ods_hrm_basic;
"#;
    let (ok, out, err) = run_script(&server, script);
    assert!(ok, "mysql failed:\n{out}\n{err}");
    let results: Vec<&str> = out.split("corp_id\t").collect();
    // Both SELECTs answer the same.
    for answer in [results[1], results[2]] {
        let mut lines: Vec<&str> = answer.lines().skip(1).take(2).collect();
        lines.sort();
        assert_eq!(lines, ["1\tEngineering", "2\tSales"], "{out}");
    }
    let plans: Vec<&str> = out.split("plan_type\tplan").skip(1).collect();
    assert_eq!(plans.len(), 2, "{out}");
    assert!(
        plans[0].contains("projection=[corp_id, dept_name]")
            && !plans[0].contains("get_json_string(data@"),
        "the rewritten plan must scan the generated column:\n{}",
        plans[0]
    );
    assert!(
        plans[1].contains("projection=[corp_id, data]"),
        "with the rewrite off the plan parses the JSON:\n{}",
        plans[1]
    );
}
