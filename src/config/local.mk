# src/config: the option table of dios-record and dios-replay, the command
# line, the YAML configuration, exit codes.
libdios_a_SOURCES += \
	src/config/options.c src/config/options.h src/config/optutil.h \
	src/config/cmdline.c src/config/yaml.c src/config/exitcodes.h
