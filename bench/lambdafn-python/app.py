# The benchmark's Python function (target tollgate-lambda-python): an
# unmodified handler for API Gateway proxy events answering the backend's
# fixed 100-byte body (bench/backend's Body; the readiness check compares
# them), run by Tollgate's Python runtime client.
BODY = "tollgate bench backend: fixed 100-byte response body.............................................ok\n"


def handler(event, context):
    return {"statusCode": 200, "body": BODY}
