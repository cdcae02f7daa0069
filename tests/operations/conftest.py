# The S3 server (moto, a process of its own) and a bucket as the default storage.
from ..test_object_storage import CREDENTIALS, bucket, s3_server  # noqa: F401
