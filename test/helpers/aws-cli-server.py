"""Runs AWS CLI commands in one long-lived Python process (test/helpers/cli.ts).

Each AWS CLI call in a fresh process spends most of its time starting Python and
importing awscli and botocore. This server imports them once, then reads one JSON
request per line on stdin: {"id", "args", "env"}. It runs the CLI's own entry point
with the request's environment as os.environ and a fresh driver (so a fresh botocore
session reads that environment), and answers one JSON line on the real stdout:
{"id", "code", "stdout", "stderr"}: what a fresh `aws` process would have printed
and exited with. One request at a time; the caller keeps a pool for concurrency.

Works for both CLIs: awscli v1 (`create_clidriver().main(args)`) and Debian's
awscli v2 (`AWSCLIEntryPoint().main(args)`, what /usr/bin/aws runs).
"""
import io
import json
import os
import sys
import traceback

ENV_BEFORE_IMPORT = dict(os.environ)
import awscli.clidriver as clidriver  # noqa: E402 (awscli's import sets AWS_DATA_PATH, kept below)

# What importing awscli put in the environment (AWS_DATA_PATH: where the CLI's own
# models live); a fresh process would have it too, so every call's environment gets it.
IMPORT_ENV = {k: v for k, v in os.environ.items() if ENV_BEFORE_IMPORT.get(k) != v}
# sys.argv[0] as a fresh process has it: argparse names the program after it in usage errors.
ARGV0 = '/usr/bin/aws' if hasattr(clidriver, 'AWSCLIEntryPoint') else os.path.join(os.path.dirname(clidriver.__file__), '__main__.py')
REAL_STDIN, REAL_STDOUT, REAL_STDERR = sys.stdin, sys.stdout, sys.stderr


def run_cli(args):
    if hasattr(clidriver, 'AWSCLIEntryPoint'):  # awscli v2
        return clidriver.AWSCLIEntryPoint().main(args)
    return clidriver.create_clidriver().main(args)  # awscli v1, as its main()


def text_buffer():
    return io.TextIOWrapper(io.BytesIO(), encoding='utf-8', errors='replace', newline='\n', write_through=True)


def handle(request):
    out, err = text_buffer(), text_buffer()
    os.environ.clear()
    os.environ.update(request['env'])
    os.environ.update(IMPORT_ENV)
    sys.stdin, sys.stdout, sys.stderr = io.TextIOWrapper(io.BytesIO(), encoding='utf-8'), out, err
    sys.argv = [ARGV0] + request['args']
    try:
        code = run_cli(request['args'])
    except SystemExit as e:  # argparse usage errors exit (252 in both CLIs)
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        if e.code is not None and not isinstance(e.code, int):
            err.write(str(e.code) + '\n')
    except BaseException:  # what an uncaught exception would print and exit with
        traceback.print_exc(file=err)
        code = 1
    finally:
        for stream in (out, err):
            stream.flush()
        sys.stdin, sys.stdout, sys.stderr = REAL_STDIN, REAL_STDOUT, REAL_STDERR
    decode = lambda stream: stream.buffer.getvalue().decode('utf-8', errors='replace')
    return {'id': request['id'], 'code': code or 0, 'stdout': decode(out), 'stderr': decode(err)}


def serve():
    for line in REAL_STDIN:
        if not line.strip():
            continue
        request = json.loads(line)
        REAL_STDOUT.write(json.dumps(handle(request)) + '\n')
        REAL_STDOUT.flush()


if __name__ == '__main__':
    serve()
