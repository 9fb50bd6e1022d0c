# tests/unit/io.mk: unit tests of src/trace (trace I/O, bytes, SHA-256).

IO_TESTS = \
	tests/unit/test-bytes \
	tests/unit/test-sha256 \
	tests/unit/test-trace-io \
	tests/unit/test-elide \
	tests/unit/fuzz-trace-reader
check_PROGRAMS += $(IO_TESTS)
TESTS += $(IO_TESTS) tests/unit/sha256-portable.sh
EXTRA_DIST += tests/unit/sha256-portable.sh

tests_unit_test_bytes_SOURCES = tests/unit/test-bytes.c tests/unit/tap.h
tests_unit_test_bytes_LDADD = $(DIOS_LIBS)
tests_unit_test_sha256_SOURCES = tests/unit/test-sha256.c tests/unit/tap.h
tests_unit_test_sha256_LDADD = $(DIOS_LIBS)
tests_unit_test_trace_io_SOURCES = tests/unit/test-trace-io.c tests/unit/tap.h
tests_unit_test_trace_io_LDADD = $(DIOS_LIBS)
tests_unit_test_elide_SOURCES = tests/unit/test-elide.c tests/unit/tap.h
tests_unit_test_elide_LDADD = $(DIOS_LIBS)
tests_unit_fuzz_trace_reader_SOURCES = tests/unit/fuzz-trace-reader.c tests/unit/tap.h
tests_unit_fuzz_trace_reader_LDADD = $(DIOS_LIBS)

# The same sources and tests under AddressSanitizer and UBSan (clang), plus
# a short libFuzzer run when clang has it: make check-asan-io.
EXTRA_DIST += tests/unit/asan-io.sh
check-asan-io:
	srcdir='$(abs_top_srcdir)' $(SHELL) $(top_srcdir)/tests/unit/asan-io.sh
.PHONY: check-asan-io

# Argument kinds and structs through capture, text and injection.
check_PROGRAMS += tests/unit/test-codec
TESTS += tests/unit/test-codec
tests_unit_test_codec_SOURCES = tests/unit/test-codec.c tests/unit/tap.h
tests_unit_test_codec_LDADD = $(DIOS_LIBS)

# The parsers and the codec under valgrind (skipped without valgrind).
TESTS += tests/unit/valgrind.sh
EXTRA_DIST += tests/unit/valgrind.sh

# What dios-trace does with each (possibly hand-edited) event, and its
# option parsers, on random input.
check_PROGRAMS += tests/unit/fuzz-trace-tool
TESTS += tests/unit/fuzz-trace-tool
tests_unit_fuzz_trace_tool_SOURCES = tests/unit/fuzz-trace-tool.c
tests_unit_fuzz_trace_tool_LDADD = $(DIOS_LIBS)

# The copy dios-replay makes of a trace that comes on a pipe (trace/spool.h);
# tests/hostile-format.sh replays such traces.
check_PROGRAMS += tests/unit/test-spool
TESTS += tests/unit/test-spool
tests_unit_test_spool_SOURCES = tests/unit/test-spool.c tests/unit/tap.h
tests_unit_test_spool_LDADD = $(DIOS_LIBS)

# A row for every call <sys/syscall.h> names (sysnames.inc, made by the
# build from the headers).
check_PROGRAMS += tests/unit/test-rows
TESTS += tests/unit/test-rows
tests_unit_test_rows_SOURCES = tests/unit/test-rows.c tests/unit/tap.h
tests_unit_test_rows_LDADD = $(DIOS_LIBS)
