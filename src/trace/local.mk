# src/trace: the trace format as a library: streaming writer and reader and
# their threads, copies of traces that come on pipes, the byte codec,
# integers, blobs and the portable cache, file identities, ELF
# interpreters, SHA-256.
libdios_a_SOURCES += \
	src/trace/io.h src/trace/io_impl.h \
	src/trace/writer.c src/trace/reader.c src/trace/iothread.c \
	src/trace/bytes.c src/trace/bytes.h \
	src/trace/elide.c src/trace/elide.h \
	src/trace/number.c src/trace/number.h \
	src/trace/spool.c src/trace/spool.h \
	src/trace/sha256.c src/trace/sha256.h \
	src/trace/blobline.c src/trace/blobline.h \
	src/trace/blobstore.c src/trace/blobstore.h \
	src/trace/fileid.c src/trace/fileid.h \
	src/trace/hashcache.c src/trace/hashcache.h \
	src/trace/elfinterp.c src/trace/elfinterp.h
