#!/usr/bin/env bash
# Installs Debian's chromium (for tests/audit/test_report_browser.py) when it is missing; no-op otherwise.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium
