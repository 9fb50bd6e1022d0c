# src/fuzz: dios-fuzz's parts (issue 12): the errno table, the fault spec
# and the fault-injection perturber of dios-record --inject and dios-fuzz
# inject; the mutations and the campaign of dios-fuzz run and report.
libdios_a_SOURCES += src/fuzz/errtab.c src/fuzz/errtab.h src/fuzz/spec.c src/fuzz/spec.h \
	src/fuzz/spec_impl.h src/fuzz/specdecide.c \
	src/fuzz/inject.c src/fuzz/inject.h src/fuzz/mutate.c src/fuzz/mutate.h \
	src/fuzz/campaign.c src/fuzz/campaign.h src/fuzz/oracle.c src/fuzz/oracle.h \
	src/fuzz/corpus.c src/fuzz/corpus.h src/fuzz/minimize.c
