# Signatures from botocore's S3SigV4Auth / S3SigV4QueryAuth for the unit-test vectors.
import datetime
from unittest import mock
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from urllib.parse import quote

creds = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
screds = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "SESSIONTOKEN/with+chars=")
when = datetime.datetime(2013, 5, 24, 0, 0, 0)
keys = ["test.txt", "a b.txt", "a+b.txt", "100%.txt", "~user/x.txt", "caf\u00e9.pdf", "\u65e5\u672c/\u5831\u544a.xlsx", "a/b/c.txt", "a=b&c.txt", "it's (1)!*.txt"]
for k in keys:
    path = "/" + quote(k.encode(), safe="/~")
    for c, tag in ((creds, "plain"), (screds, "session")):
        req = AWSRequest(method="GET", url="http://127.0.0.1:7480/bucket" + path)
        req.headers["X-Amz-Content-SHA256"] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        with mock.patch("botocore.auth.datetime") as d:
            d.datetime.utcnow.return_value = when
            S3SigV4Auth(c, "s3", "eu-west-1").add_auth(req)
        sig = req.headers["Authorization"].split("Signature=")[1]
        print("H", tag, repr(k), sig)
    req = AWSRequest(method="GET", url="http://127.0.0.1:7480/bucket" + path, params={"response-content-disposition": "attachment; filename*=UTF-8''" + quote(k.split('/')[-1].encode(), safe="")})
    with mock.patch("botocore.auth.datetime") as d:
        d.datetime.utcnow.return_value = when
        S3SigV4QueryAuth(creds, "s3", "eu-west-1", expires=300).add_auth(req)
    print("Q", repr(k), req.url.split("X-Amz-Signature=")[1])
