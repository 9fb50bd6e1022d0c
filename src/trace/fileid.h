/* fileid.h: identity of files the program maps or executes: path, size and
 * SHA-256, cached by (device, inode, size, mtime) so each is hashed once.
 * A mapping of a file over FILEID_WHOLE_MAX names only the part mapped
 * ("range": [off, len]) and its SHA-256, or, for a part over
 * FILEID_HASH_MAX, the file's device, inode and times ("file"): hashing
 * 100 GiB to map a page of it took minutes (dios-trace(5), "map" in EVENTS).
 *
 * Replay checks the host files a trace names (fileid_verify), and a trace
 * may be hostile: it opens only regular files, outside /proc, /sys and
 * /dev, never blocks, and reads none whose size is not the recorded one
 * (fileid_open).
 * Owner: src/trace/fileid.c. */
#ifndef DIOS_FILEID_H
#define DIOS_FILEID_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <jansson.h>

/* New reference to {"path":..,"size":..,"sha256":..} for the file at
 * open_path (which may be /proc/PID/fd/N or /proc/PID/exe), named
 * shown_path in the object.  NULL with *err = -errno on failure.  (Record:
 * the path comes from the kernel, not from a trace.) */
json_t *fileid_get(const char *open_path, const char *shown_path, int *err);

/* Files larger than this are identified by the part mapped... */
#define FILEID_WHOLE_MAX (64ull << 20)
/* ...by its SHA-256 up to this size, and by the file's device, inode and
 * times beyond it (a part that size takes about a second to hash). */
#define FILEID_HASH_MAX (1ull << 30)

/* The identity of a mapping of bytes [off, off + len) of the file at
 * open_path: fileid_get's for a file up to FILEID_WHOLE_MAX, else
 * {"path", "size", "range": [off, len], "sha256"} with the part clipped to
 * the file, or "file": {"dev", "ino", "mtime", "ctime"} (nanoseconds) in
 * place of "sha256" for a part over FILEID_HASH_MAX. */
json_t *fileid_get_part(const char *open_path, const char *shown_path, uint64_t off, uint64_t len,
    int *err);

/* fileid_open and fileid_verify: the file is one of dios's own (its
 * cache), so the rule about /proc, /sys and /dev does not apply. */
#define FILEID_OURS 1u

/* Opens the file at path, named by a trace, for reading as replay may:
 * an absolute path, not under /proc, /sys or /dev (nor, once opened, on such
 * a file system or resolving there), of a regular file (checked with stat
 * before the open, and with fstat after it, which must find the same file),
 * opened O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC.  Returns the
 * descriptor (caller closes) with its fstat in *st; -ENOENT when the file is
 * gone; -EPERM when replay refuses to open it, *why saying why ("is a FIFO",
 * static text, read "PATH WHY"); other -errno. */
int fileid_open(const char *path, unsigned flags, struct stat *st, const char **why);

/* Checks that the host file at want.path has want's size and sha256 (of the
 * part "range" names, when it names one; or, with "file", its device, inode
 * and times), opening it with fileid_open, and only when stat gives the
 * recorded size.  -EINVAL for an identity that is not one.
 * Returns 0 when it does (with the file's device and inode in *st when st
 * is not NULL), -ENOENT when it is gone, -ESTALE when it differs, -EPERM
 * when it is refused (*why says why; why may be NULL), other -errno on
 * errors. */
int fileid_verify(const json_t *want, unsigned flags, struct stat *st, const char **why);

/* What fileid_verify checks of identity id, for a message saying it
 * differs: "size or SHA-256", "size, or SHA-256 of the part mapped", or
 * "size, device, inode or times" (static text). */
const char *fileid_checked(const json_t *id);

void fileid_cache_clear(void);

/* Is a file system of this statfs f_type a local one whose files dios may
 * read in the program's stead and whose times have nanoseconds (ext4,
 * tmpfs, xfs, btrfs, overlayfs, f2fs)?  Not procfs or sysfs (what they
 * show depends on who reads), not FUSE or network file systems (their
 * server may be a process dios holds stopped; their times may be coarse). */
bool fileid_local_fs(long f_type);

#endif
