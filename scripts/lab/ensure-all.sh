#!/usr/bin/env bash
# Everything the tests and a local Tether need, installed and started when absent. Idempotent.
set -euo pipefail
here="$(dirname "$0")"
bash "$here/ensure-tools.sh"
bash "$here/ensure-postgres.sh"
bash "$here/ensure-docker.sh"
bash "$here/build-test-images.sh"
