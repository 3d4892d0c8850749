"""Prints an access key id and secret of a new IAM user in a moto account.

    moto_account.py ENDPOINT ACCOUNT

moto files each call under the account whose IAM holds the caller's access key,
so a key made here makes the AWS CLI (and `sts get-caller-identity`) act in
ACCOUNT. The user is created with moto's `x-moto-account-id` header.
"""
import sys
import uuid

import boto3

endpoint, account = sys.argv[1], sys.argv[2]
iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id="test", aws_secret_access_key="test")
iam.meta.events.register(
    "before-sign.iam.*",
    lambda request, **_: request.headers.__setitem__("x-moto-account-id", account))
user = "charter-apply-" + uuid.uuid4().hex[:8]
iam.create_user(UserName=user)
key = iam.create_access_key(UserName=user)["AccessKey"]
print(key["AccessKeyId"], key["SecretAccessKey"])
