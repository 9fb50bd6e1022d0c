# man/local.mk: the manual pages of the commands and of the trace format.
# (man/dios.yaml.5 is added by tests/unit/config.mk, next to its parser.)
dist_man_MANS += man/dios-record.1 man/dios-replay.1 man/dios-trace.1 man/dios-trace.5 \
	man/dios-fuzz.1 man/dios-fuzz.yaml.5
