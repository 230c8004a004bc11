"""Calls AWS operations with boto3 in one long-lived Python process (test/helpers/boto3.ts).

Reads one JSON request per line on stdin: {"id", "service", "operation", "params"} (operation in AWS's PascalCase,
params as the API names them), and answers one JSON line: {"id", "result"} or {"id", "error": {"code", "message"}}
(a botocore ClientError's code and message). Clients are made once per service, against the endpoint in argv[1].
"""
import json
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore import xform_name

ENDPOINT = sys.argv[1]
CLIENTS = {}


def client(service):
    if service not in CLIENTS:
        CLIENTS[service] = boto3.client(
            service, endpoint_url=ENDPOINT, region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test',
            config=Config(retries={'max_attempts': 1}),
        )
    return CLIENTS[service]


def members(c, operation, params):
    """Parameter names as the model spells them (`ResourceArn` → `ResourceARN`): tests may spell them as the CLI does."""
    shape = c.meta.service_model.operation_model(operation).input_shape
    names = {m.lower(): m for m in (shape.members if shape else {})}
    return {names.get(k.lower(), k): v for k, v in params.items()}


for line in sys.stdin:
    req = json.loads(line)
    out = {'id': req['id']}
    try:
        c = client(req['service'])
        result = getattr(c, xform_name(req['operation']))(**members(c, req['operation'], req.get('params', {})))
        result.pop('ResponseMetadata', None)
        out['result'] = result
    except ClientError as e:
        out['error'] = {'code': e.response['Error'].get('Code'), 'message': e.response['Error'].get('Message', '')}
    except Exception as e:  # noqa: BLE001 (a parameter botocore refuses, reported to the test)
        out['error'] = {'code': type(e).__name__, 'message': str(e)}
    sys.stdout.write(json.dumps(out, default=str) + '\n')
    sys.stdout.flush()
