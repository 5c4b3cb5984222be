#!/usr/bin/env python3
"""s3client.py: the S3 client of s3gate's end-to-end tests (lib-s3.sh).

Uses Debian's python3-boto3 / python3-botocore, AWS's own SigV4 signer, so the
objects the tests put into radosgw (which checks signatures strictly) are put
by a client known to sign correctly. Only this test helper uses it.

    s3client.py mkbucket BUCKET
    s3client.py put BUCKET KEY [FILE]          # FILE or standard input; prints "SHA256 SIZE"
    s3client.py put-random BUCKET KEY SIZE SEED # deterministic bytes; prints "SHA256 SIZE"
    s3client.py random SIZE SEED                # the same bytes on standard output
    s3client.py head BUCKET KEY                 # prints the ETag (with its quotes)
    s3client.py presign BUCKET KEY SECONDS      # a presigned GET URL (botocore's)

Anything over one part (16 MiB) is sent as a multipart upload, one part at a
time, so a 1 GiB object never sits in memory. Settings come from the
environment: S3_ENDPOINT (http://127.0.0.1:PORT), AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_REGION (default us-east-1). Path-style URLs.
"""

import hashlib
import os
import random
import sys

import boto3
import botocore.config

PART = 16 << 20


def client():
    return boto3.client(
        "s3",
        endpoint_url=os.environ["S3_ENDPOINT"],
        region_name=os.environ.get("AWS_REGION", "us-east-1"),
        aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
        config=botocore.config.Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            retries={"max_attempts": 2},
            connect_timeout=5,
            read_timeout=60,
        ),
    )


def random_chunks(size, seed):
    """SIZE deterministic pseudo-random bytes in chunks of at most PART."""
    rng = random.Random(seed)
    left = size
    while left > 0:
        n = min(PART, left)
        yield rng.randbytes(n)
        left -= n


def file_chunks(f):
    while True:
        b = f.read(PART)
        if not b:
            return
        # a pipe may return short reads: fill the part
        while len(b) < PART:
            more = f.read(PART - len(b))
            if not more:
                break
            b += more
        yield b


def put_chunks(s3, bucket, key, chunks):
    h = hashlib.sha256()
    size = 0
    it = iter(chunks)
    first = next(it, b"")
    second = next(it, None)
    if second is None:
        h.update(first)
        s3.put_object(Bucket=bucket, Key=key, Body=first)
        return h.hexdigest(), len(first)
    up = s3.create_multipart_upload(Bucket=bucket, Key=key)
    uid = up["UploadId"]
    parts = []
    try:
        n = 0
        for chunk in _chain(first, second, it):
            n += 1
            h.update(chunk)
            size += len(chunk)
            r = s3.upload_part(Bucket=bucket, Key=key, UploadId=uid, PartNumber=n, Body=chunk)
            parts.append({"PartNumber": n, "ETag": r["ETag"]})
        s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=uid,
                                     MultipartUpload={"Parts": parts})
    except BaseException:
        s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=uid)
        raise
    return h.hexdigest(), size


def _chain(first, second, rest):
    yield first
    yield second
    yield from rest


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == "random" and len(args) == 2:
        out = sys.stdout.buffer
        try:
            for chunk in random_chunks(int(args[0]), args[1]):
                out.write(chunk)
            out.flush()
        except BrokenPipeError:
            # the reader wanted only the first bytes (head -c)
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return
    s3 = client()
    if cmd == "mkbucket" and len(args) == 1:
        s3.create_bucket(Bucket=args[0])
    elif cmd == "put" and len(args) in (2, 3):
        if len(args) == 3 and args[2] != "-":
            with open(args[2], "rb") as f:
                digest, size = put_chunks(s3, args[0], args[1], file_chunks(f))
        else:
            digest, size = put_chunks(s3, args[0], args[1], file_chunks(sys.stdin.buffer))
        print(digest, size)
    elif cmd == "put-random" and len(args) == 4:
        digest, size = put_chunks(s3, args[0], args[1], random_chunks(int(args[2]), args[3]))
        print(digest, size)
    elif cmd == "head" and len(args) == 2:
        print(s3.head_object(Bucket=args[0], Key=args[1])["ETag"])
    elif cmd == "presign" and len(args) == 3:
        print(s3.generate_presigned_url("get_object", Params={"Bucket": args[0], "Key": args[1]},
                                        ExpiresIn=int(args[2])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
