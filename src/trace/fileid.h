/* fileid.h: identity of files the program maps or executes: path, size and
 * SHA-256, cached by (device, inode, size, mtime) so each is hashed once.
 * Owner: src/trace/fileid.c. */
#ifndef DIOS_FILEID_H
#define DIOS_FILEID_H
#include <jansson.h>

/* New reference to {"path":..,"size":..,"sha256":..} for the file at
 * open_path (which may be /proc/PID/fd/N or /proc/PID/exe), named
 * shown_path in the object.  NULL with *err = -errno on failure. */
json_t *fileid_get(const char *open_path, const char *shown_path, int *err);

/* Checks that the host file at want.path has want's size and sha256.
 * Returns 0 when it does, -ENOENT when it is gone, -ESTALE when it differs,
 * other -errno on errors. */
int fileid_verify(const json_t *want);

void fileid_cache_clear(void);

#endif
