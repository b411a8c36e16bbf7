# Test function: echoes the route it was called on.
import json


def lambda_handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"route": event.get("routeKey"), "message": "hello"})}
