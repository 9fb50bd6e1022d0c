#!/bin/sh
# sha256-portable.sh: test-sha256 again with the portable code
# (DIOS_SHA256=portable), so that both ways of hashing meet the same known
# answers wherever the processor has SHA extensions.
: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
DIOS_SHA256=portable exec "$top_builddir/tests/unit/test-sha256"
