#!/bin/sh
# fuzz-hunt.sh: the planted bugs of tests/progs/fuzzme that fuzz-run.sh does
# not hunt (a lost write, a clock that goes back, a directory's order, equal
# clock readings, a loop on short reads), each found, kept once and replayed
# (hunt, in fuzz-lib.sh).  Apart from fuzz-run.sh so that make -j runs the
# two at once.
. "${top_srcdir:-$(dirname "$0")/..}/tests/fuzz-lib.sh"

hunt write error silent ""
hunt clock clock crash SIGABRT
hunt dirs dirs crash SIGABRT
hunt rate clock crash SIGFPE 30
hunt loop short hang "" 8

done_testing
