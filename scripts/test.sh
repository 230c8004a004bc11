#!/bin/sh
# `npm test`: builds, type-checks src, test and bench (tsconfig.test.json), then runs the suite with Node's test
# runner: every *.test.ts under test/ and src/ two files at a time (and beside them, one at a time, the few that
# mostly wait on a tool: WAITING below), then the *.serial.test.ts files one at a time. Exit status 0 only if all pass.
#
#   npm test                                   # everything
#   npm test -- test/e2e/berth-cli.test.ts     # only these files (each in its batch)
#   BERTH_TEST_DURATIONS=FILE npm test         # TAP on stdout, and "<ms> <file>" per test file appended to FILE
#                                              # (.ci/run prints the slowest files from it; BERTH_TEST_FAILURES=FILE gets each failed test)
cd "$(dirname "$0")/.." || exit 1
npm run build --silent || exit 1
# The tests are TypeScript too: a type error in them (or in bench/) fails the run before any test starts.
npx --no-install tsc -p tsconfig.test.json || { echo 'npm test: type errors (tsc -p tsconfig.test.json); no tests run' >&2; exit 1; }

if [ $# -gt 0 ]; then
  parallel=$(for f in "$@"; do case "$f" in *.serial.test.ts) ;; *) echo "$f" ;; esac; done)
  serial=$(for f in "$@"; do case "$f" in *.serial.test.ts) echo "$f" ;; esac; done)
else
  parallel=$(find test src -name '*.test.ts' ! -name '*.serial.test.ts' | sort)
  serial=$(find test src -name '*.serial.test.ts' | sort)
fi

set --
if [ -n "${BERTH_TEST_DURATIONS:-}" ]; then
  set -- --test-reporter=tap --test-reporter-destination=stdout --test-reporter=./scripts/test-durations.mjs --test-reporter-destination=stdout
fi

# Files that spend most of their time in a tool's own fixed waits, not on the CPU: the AWS provider sleeps 30 s
# twice for each aws_lb, CDK and `aws cloudformation deploy` poll their stacks. They run in a third lane beside the
# two, one at a time, so those waits overlap other files' work; their output follows the batch's.
WAITING='/(terraform-[^/]*|autoscaling-terraform|cdk-fargate)\.test\.ts$|/cloudformation/awscli\.test\.ts$'
waiting=$(printf '%s\n' $parallel | grep -E "$WAITING")
parallel=$(printf '%s\n' $parallel | grep -vE "$WAITING")

status=0
waiting_log=$(mktemp)
waiting_pid=
if [ -n "$waiting" ]; then
  # shellcheck disable=SC2086 # one path per word
  node --import tsx --test --test-concurrency=1 --test-timeout=300000 "$@" $waiting >"$waiting_log" 2>&1 &
  waiting_pid=$!
  # An interrupted run takes the lane with it.
  trap 'kill "$waiting_pid" 2>/dev/null; exit 130' INT TERM
fi
# An empty list must not reach `node --test`, which would then run every test file it finds.
if [ -n "$parallel" ]; then
  # shellcheck disable=SC2086 # one path per word
  node --import tsx --test --test-concurrency=2 --test-timeout=300000 "$@" $parallel || status=1
fi
if [ -n "$waiting_pid" ]; then
  wait "$waiting_pid" || status=1
  cat "$waiting_log"
fi
rm -f "$waiting_log"
if [ -n "$serial" ]; then
  # shellcheck disable=SC2086
  node --import tsx --test --test-timeout=300000 "$@" $serial || status=1
fi
exit $status
