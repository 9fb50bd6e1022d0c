# tests/unit/config.mk: unit tests of src/config (the options, the command line
# and the YAML config file) and man/dios.yaml.5.
check_PROGRAMS += tests/unit/test-config tests/unit/fuzz-config
TESTS += tests/unit/test-config tests/unit/fuzz-config
tests_unit_test_config_SOURCES = tests/unit/test-config.c tests/unit/tap.h
tests_unit_test_config_LDADD = $(DIOS_LIBS)
tests_unit_fuzz_config_SOURCES = tests/unit/fuzz-config.c
tests_unit_fuzz_config_LDADD = $(DIOS_LIBS)

dist_man_MANS += man/dios.yaml.5
