"""Python test functions for the Lambda e2e tests (lambda_runtimes_test.go),
run by Tollgate's Python runtime client on the machine's python3. The handler
names the function: app.proxy, app.echo, app.fail..."""

import json
import logging
import os
import time

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def proxy(event, context):
    """Answers an AWS_PROXY integration (payload 1.0) with what it saw."""
    name = (event.get("queryStringParameters") or {}).get("name") or "world"
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json", "X-Runtime": os.environ["AWS_EXECUTION_ENV"]},
        "body": json.dumps(
            {
                "lang": "python",
                "message": "Hello, %s!" % name,
                "method": event["httpMethod"],
                "path": event["path"],
                "resource": event["resource"],
                "requestId": context.aws_request_id,
                "functionVersion": context.function_version,
                "invokedFunctionArn": context.invoked_function_arn,
            }
        ),
    }


def echo(event, context):
    print("echo", json.dumps(event))
    logger.info("logged at info")
    return {
        "event": event,
        "functionVersion": context.function_version,
        "invokedFunctionArn": context.invoked_function_arn,
        "marker": os.environ.get("MARKER"),
    }


def fail(event, context):
    check(event)


def check(event):
    raise ValueError("bad input")


def sleep(event, context):
    time.sleep(event["ms"] / 1000)
    return "slept"


def http(event, context):
    """Answers an HTTP API route (payload format 2.0) with what it saw, as a
    plain dict: the simplified response format (200, JSON)."""
    return {
        "lang": "python",
        "version": event["version"],
        "routeKey": event["routeKey"],
        "rawPath": event["rawPath"],
        "method": event["requestContext"]["http"]["method"],
        "body": event.get("body"),
        "runtime": os.environ["AWS_EXECUTION_ENV"],
        "functionVersion": context.function_version,
    }
