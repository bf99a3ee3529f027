"""Fills an S3-compatible server (moto, on loopback) for tests/tests/it/object_storage.rs,
with boto3 as any S3 client would.

    s3_tool.py <endpoint> orders <bucket> <prefix> <rows>   Parquet files of an orders table:
        <prefix>/region=eu/part-0.parquet and <prefix>/region=us/part-0.parquet,
        ids 1..rows split between them, amount = id * 1.5
    s3_tool.py <endpoint> upload <bucket> <prefix> <dir>      every file under <dir>
"""

import io
import pathlib
import sys

import boto3
import pyarrow as pa
import pyarrow.parquet as pq


def client(endpoint):
    return boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="lakestar", aws_secret_access_key="lakestar-secret",
    )


def ensure_bucket(s3, bucket):
    if bucket not in [b["Name"] for b in s3.list_buckets().get("Buckets", [])]:
        s3.create_bucket(Bucket=bucket)


def orders(s3, bucket, prefix, rows):
    ids = list(range(1, rows + 1))
    for region, part in (("eu", ids[: len(ids) // 2]), ("us", ids[len(ids) // 2:])):
        table = pa.table({
            "id": pa.array(part, pa.int64()),
            "amount": pa.array([i * 1.5 for i in part], pa.float64()),
        })
        buf = io.BytesIO()
        pq.write_table(table, buf)
        s3.put_object(Bucket=bucket, Key=f"{prefix}/region={region}/part-0.parquet",
                      Body=buf.getvalue())


def upload(s3, bucket, prefix, root):
    root = pathlib.Path(root)
    for path in sorted(root.rglob("*")):
        if path.is_file():
            s3.put_object(Bucket=bucket, Key=f"{prefix}/{path.relative_to(root)}",
                          Body=path.read_bytes())


def main():
    endpoint, command, bucket = sys.argv[1], sys.argv[2], sys.argv[3]
    s3 = client(endpoint)
    ensure_bucket(s3, bucket)
    if command == "orders":
        orders(s3, bucket, sys.argv[4], int(sys.argv[5]))
    elif command == "upload":
        upload(s3, bucket, sys.argv[4], sys.argv[5])
    else:
        sys.exit(f"unknown command {command}")
    print("s3: OK")


if __name__ == "__main__":
    main()
