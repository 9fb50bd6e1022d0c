# src/model: the environment model (model.h): what a trace saw, to answer
# the calls of a run that left the recording.
libdios_a_SOURCES += src/model/model.c src/model/model.h
