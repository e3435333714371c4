#!/usr/bin/env bash
# Installs Debian's chromium for browser tests (playwright-core with executablePath
# /usr/bin/chromium; `npx playwright install` cannot download here). Idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/apt-install.sh" chromium
