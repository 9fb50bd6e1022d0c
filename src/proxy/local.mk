# src/proxy: the record module.
libdios_a_SOURCES += src/proxy/proxy.c src/proxy/proxy.h src/proxy/internal.h \
	src/proxy/direct.c src/proxy/carry.c src/proxy/header.c src/proxy/order.c src/proxy/perturb.h \
	src/proxy/fast.c src/proxy/shared.c src/proxy/signal.c
