/* hashcache.h: the SHA-256s of files kept across runs, so that a big
 * library or executable (node maps 100 MB, the JVM 170 MB) is hashed once
 * per change, not in every recording and replay.
 *
 * An entry is keyed by device, inode, size, modification time and change
 * time (nanoseconds): any write to the file, or a new file in its place,
 * changes the key.  The change time cannot be set by the file's owner
 * (utimensat sets it to now), so a file cannot be changed back to its old
 * key.  Only files on local file systems with nanosecond times (ext4,
 * tmpfs, xfs, btrfs, overlayfs, f2fs) are kept.
 *
 * The entries are lines of $XDG_CACHE_HOME/dios-hashes/v1 (else
 * ~/.cache/dios-hashes/v1), read once per process on the first lookup and
 * appended to (O_APPEND, one write per line, under an exclusive flock) as
 * files are hashed; malformed lines are ignored.  The directory is made
 * mode 0700 and is used only when it belongs to the user and no one else
 * may write in it; a file past 4 MiB is started afresh.  With the
 * environment variable DIOS_HASH_CACHE set to "off", after hashcache_off,
 * or when the directory cannot be used, nothing is kept and every file is
 * hashed, as before.
 *
 * Owner: src/trace/hashcache.c.  Never fails the caller: a cache it cannot
 * use is no cache.
 */
#ifndef DIOS_HASHCACHE_H
#define DIOS_HASHCACHE_H
#include <stdbool.h>
#include <sys/stat.h>

/* The hash of the file whose fstat is st: true with hex filled when kept. */
bool hashcache_get(int fd, const struct stat *st, char hex[65]);
/* Keeps hex for the file whose fstat is st (a file whose times or size
 * changed while it was hashed must not be given). */
void hashcache_put(int fd, const struct stat *st, const char hex[65]);
/* Forgets what was read (tests; the next lookup reads the file again). */
void hashcache_reset(void);
/* No cache for this process (dios-replay --no-cache: nothing written in
 * the cache directories). */
void hashcache_off(void);

#endif
