"""The Python example's function: an unmodified Lambda handler behind an
AWS_PROXY integration, run by Tollgate on the machine's own python3. Edit it
while `tollgate serve` runs: the next request runs the new code."""

import json
import logging
import os

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def handler(event, context):
    name = (event.get("queryStringParameters") or {}).get("name") or "world"
    logger.info("greeting %s on %s %s", name, event["httpMethod"], event["path"])
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(
            {
                "message": f"Hello, {name}!",
                "path": event["path"],
                "runtime": os.environ["AWS_EXECUTION_ENV"],
                "requestId": context.aws_request_id,
            }
        ),
    }
