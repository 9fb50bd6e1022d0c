/* structs.c: field tables of the structs syscalls pass (x86_64 layouts). */
#include "config.h"
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/epoll.h>
#include <linux/openat2.h>
#include <linux/capability.h>
#include <mqueue.h>
#include <utime.h>
#include <sys/timex.h>
#include <asm/ldt.h>
#include <net/if.h>
#include "sys/structs.h"
#include "trace/bytes.h"
#include "trace/number.h"

#define FLD(T, f, k, nm) { nm, k, offsetof(T, f), sizeof(((T *)0)->f), X_NONE, false }
/* a field rendered by the names of xlat x; a file mode */
#define FLDX(T, f, k, nm, x) { nm, k, offsetof(T, f), sizeof(((T *)0)->f), x, false }
#define FLDM(T, f, k, nm) { nm, k, offsetof(T, f), sizeof(((T *)0)->f), X_NONE, true }
#define NF(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define ST(nm, T, flds) const struct st_desc st_##nm = { #nm, sizeof(T), NF(flds), flds }
#define ST_BYTES(nm, sz) const struct st_desc st_##nm = { #nm, sz, 0, NULL }

static const struct st_field f_timespec[] = {
	FLD(struct timespec, tv_sec, F_INT, "sec"),
	FLD(struct timespec, tv_nsec, F_INT, "nsec"),
};
ST(timespec, struct timespec, f_timespec);

struct timespec2 { struct timespec a, m; };
static const struct st_field f_timespec2[] = {
	FLD(struct timespec2, a.tv_sec, F_INT, "atime_sec"),
	FLD(struct timespec2, a.tv_nsec, F_INT, "atime_nsec"),
	FLD(struct timespec2, m.tv_sec, F_INT, "mtime_sec"),
	FLD(struct timespec2, m.tv_nsec, F_INT, "mtime_nsec"),
};
ST(timespec2, struct timespec2, f_timespec2);

static const struct st_field f_timeval[] = {
	FLD(struct timeval, tv_sec, F_INT, "sec"),
	FLD(struct timeval, tv_usec, F_INT, "usec"),
};
ST(timeval, struct timeval, f_timeval);

struct tz_ { int minuteswest, dsttime; };
static const struct st_field f_timezone[] = {
	FLD(struct tz_, minuteswest, F_INT, "minuteswest"),
	FLD(struct tz_, dsttime, F_INT, "dsttime"),
};
ST(timezone, struct tz_, f_timezone);

struct i64_ { int64_t v; };
static const struct st_field f_i64[] = { FLD(struct i64_, v, F_INT, "value") };
ST(time_t, struct i64_, f_i64);
ST(loff, struct i64_, f_i64);

struct u32_ { uint32_t v; };
static const struct st_field f_u32[] = { FLD(struct u32_, v, F_UINT, "value") };
ST(u32, struct u32_, f_u32);
struct int_ { int v; };
static const struct st_field f_int[] = { FLD(struct int_, v, F_INT, "value") };
ST(int, struct int_, f_int);

static const struct st_field f_stat[] = {
	FLDX(struct stat, st_dev, F_UINT, "dev", X_DEV),
	FLD(struct stat, st_ino, F_UINT, "ino"),
	FLD(struct stat, st_nlink, F_UINT, "nlink"),
	FLDM(struct stat, st_mode, F_UINT, "mode"),
	FLD(struct stat, st_uid, F_UINT, "uid"),
	FLD(struct stat, st_gid, F_UINT, "gid"),
	FLDX(struct stat, st_rdev, F_UINT, "rdev", X_DEV),
	FLD(struct stat, st_size, F_INT, "size"),
	FLD(struct stat, st_blksize, F_INT, "blksize"),
	FLD(struct stat, st_blocks, F_INT, "blocks"),
	FLD(struct stat, st_atim.tv_sec, F_INT, "atime_sec"),
	FLD(struct stat, st_atim.tv_nsec, F_INT, "atime_nsec"),
	FLD(struct stat, st_mtim.tv_sec, F_INT, "mtime_sec"),
	FLD(struct stat, st_mtim.tv_nsec, F_INT, "mtime_nsec"),
	FLD(struct stat, st_ctim.tv_sec, F_INT, "ctime_sec"),
	FLD(struct stat, st_ctim.tv_nsec, F_INT, "ctime_nsec"),
};
ST(stat, struct stat, f_stat);

static const struct st_field f_statx[] = {
	FLDX(struct statx, stx_mask, F_UINT, "mask", X_STATX_MASK),
	FLD(struct statx, stx_blksize, F_UINT, "blksize"),
	FLDX(struct statx, stx_attributes, F_UINT, "attributes", X_STATX_ATTR),
	FLD(struct statx, stx_nlink, F_UINT, "nlink"),
	FLD(struct statx, stx_uid, F_UINT, "uid"),
	FLD(struct statx, stx_gid, F_UINT, "gid"),
	FLDM(struct statx, stx_mode, F_UINT, "mode"),
	FLD(struct statx, stx_ino, F_UINT, "ino"),
	FLD(struct statx, stx_size, F_UINT, "size"),
	FLD(struct statx, stx_blocks, F_UINT, "blocks"),
	FLDX(struct statx, stx_attributes_mask, F_UINT, "attributes_mask", X_STATX_ATTR),
	FLD(struct statx, stx_atime.tv_sec, F_INT, "atime_sec"),
	FLD(struct statx, stx_atime.tv_nsec, F_UINT, "atime_nsec"),
	FLD(struct statx, stx_btime.tv_sec, F_INT, "btime_sec"),
	FLD(struct statx, stx_btime.tv_nsec, F_UINT, "btime_nsec"),
	FLD(struct statx, stx_ctime.tv_sec, F_INT, "ctime_sec"),
	FLD(struct statx, stx_ctime.tv_nsec, F_UINT, "ctime_nsec"),
	FLD(struct statx, stx_mtime.tv_sec, F_INT, "mtime_sec"),
	FLD(struct statx, stx_mtime.tv_nsec, F_UINT, "mtime_nsec"),
	FLD(struct statx, stx_rdev_major, F_UINT, "rdev_major"),
	FLD(struct statx, stx_rdev_minor, F_UINT, "rdev_minor"),
	FLD(struct statx, stx_dev_major, F_UINT, "dev_major"),
	FLD(struct statx, stx_dev_minor, F_UINT, "dev_minor"),
};
ST(statx, struct statx, f_statx);

static const struct st_field f_open_how[] = {
	FLDX(struct open_how, flags, F_UINT, "flags", X_OPEN),
	FLDM(struct open_how, mode, F_UINT, "mode"),
	FLDX(struct open_how, resolve, F_UINT, "resolve", X_RESOLVE),
};
ST(open_how, struct open_how, f_open_how);

static const struct st_field f_utsname[] = {
	FLD(struct utsname, sysname, F_STR, "sysname"),
	FLD(struct utsname, nodename, F_STR, "nodename"),
	FLD(struct utsname, release, F_STR, "release"),
	FLD(struct utsname, version, F_STR, "version"),
	FLD(struct utsname, machine, F_STR, "machine"),
	FLD(struct utsname, domainname, F_STR, "domainname"),
};
ST(utsname, struct utsname, f_utsname);

static const struct st_field f_rlimit[] = {
	FLD(struct rlimit, rlim_cur, F_UINT, "cur"),
	FLD(struct rlimit, rlim_max, F_UINT, "max"),
};
ST(rlimit, struct rlimit, f_rlimit);

static const struct st_field f_tms[] = {
	FLD(struct tms, tms_utime, F_INT, "utime"),
	FLD(struct tms, tms_stime, F_INT, "stime"),
	FLD(struct tms, tms_cutime, F_INT, "cutime"),
	FLD(struct tms, tms_cstime, F_INT, "cstime"),
};
ST(tms, struct tms, f_tms);

static const struct st_field f_itimerval[] = {
	FLD(struct itimerval, it_interval.tv_sec, F_INT, "interval_sec"),
	FLD(struct itimerval, it_interval.tv_usec, F_INT, "interval_usec"),
	FLD(struct itimerval, it_value.tv_sec, F_INT, "value_sec"),
	FLD(struct itimerval, it_value.tv_usec, F_INT, "value_usec"),
};
ST(itimerval, struct itimerval, f_itimerval);

static const struct st_field f_itimerspec[] = {
	FLD(struct itimerspec, it_interval.tv_sec, F_INT, "interval_sec"),
	FLD(struct itimerspec, it_interval.tv_nsec, F_INT, "interval_nsec"),
	FLD(struct itimerspec, it_value.tv_sec, F_INT, "value_sec"),
	FLD(struct itimerspec, it_value.tv_nsec, F_INT, "value_nsec"),
};
ST(itimerspec, struct itimerspec, f_itimerspec);

/* Packed on x86_64: 12 bytes, data at offset 4. */
static const struct st_field f_epoll_event[] = {
	FLDX(struct epoll_event, events, F_UINT, "events", X_EPOLL),
	FLD(struct epoll_event, data.u64, F_UINT, "data"),
};
ST(epoll_event, struct epoll_event, f_epoll_event);

/* The int[2] of pipe, pipe2 and socketpair. */
struct fdpair_ { int fd0, fd1; };
static const struct st_field f_fdpair[] = {
	FLD(struct fdpair_, fd0, F_INT, "fd0"),
	FLD(struct fdpair_, fd1, F_INT, "fd1"),
};
ST(fdpair, struct fdpair_, f_fdpair);

/* utimes and futimesat: struct timeval[2]. */
struct timeval2 { struct timeval a, m; };
static const struct st_field f_timeval2[] = {
	FLD(struct timeval2, a.tv_sec, F_INT, "atime_sec"),
	FLD(struct timeval2, a.tv_usec, F_INT, "atime_usec"),
	FLD(struct timeval2, m.tv_sec, F_INT, "mtime_sec"),
	FLD(struct timeval2, m.tv_usec, F_INT, "mtime_usec"),
};
ST(timeval2, struct timeval2, f_timeval2);

static const struct st_field f_utimbuf[] = {
	FLD(struct utimbuf, actime, F_INT, "actime"),
	FLD(struct utimbuf, modtime, F_INT, "modtime"),
};
ST(utimbuf, struct utimbuf, f_utimbuf);

/* capget and capset: the header, and each 32-bit word of the sets (one
 * for version 1, two for versions 2 and 3: src/sys/caps.c). */
static const struct st_field f_cap_header[] = {
	FLD(struct __user_cap_header_struct, version, F_UINT, "version"),
	FLD(struct __user_cap_header_struct, pid, F_INT, "pid"),
};
ST(cap_header, struct __user_cap_header_struct, f_cap_header);
static const struct st_field f_cap_data[] = {
	FLD(struct __user_cap_data_struct, effective, F_UINT, "effective"),
	FLD(struct __user_cap_data_struct, permitted, F_UINT, "permitted"),
	FLD(struct __user_cap_data_struct, inheritable, F_UINT, "inheritable"),
};
ST(cap_data, struct __user_cap_data_struct, f_cap_data);

static const struct st_field f_mq_attr[] = {
	FLDX(struct mq_attr, mq_flags, F_INT, "flags", X_FDFLAGS),
	FLD(struct mq_attr, mq_maxmsg, F_INT, "maxmsg"),
	FLD(struct mq_attr, mq_msgsize, F_INT, "msgsize"),
	FLD(struct mq_attr, mq_curmsgs, F_INT, "curmsgs"),
};
ST(mq_attr, struct mq_attr, f_mq_attr);

/* fcntl's struct flock (F_GETLK, F_SETLK, the OFD forms).  Traces of
 * dios 0.1 hold it as its 32 bytes: st_decode takes those too. */
static const struct st_field f_flock[] = {
	FLDX(struct flock, l_type, F_INT, "type", X_LOCK_TYPE),
	FLDX(struct flock, l_whence, F_INT, "whence", X_SEEK),
	FLD(struct flock, l_start, F_INT, "start"),
	FLD(struct flock, l_len, F_INT, "len"),
	FLD(struct flock, l_pid, F_INT, "pid"),
};
ST(flock, struct flock, f_flock);

/* F_GETOWN_EX, F_SETOWN_EX */
static const struct st_field f_f_owner_ex[] = {
	FLD(struct f_owner_ex, type, F_INT, "type"),
	FLD(struct f_owner_ex, pid, F_INT, "pid"),
};
ST(f_owner_ex, struct f_owner_ex, f_f_owner_ex);
struct u64_ { uint64_t v; };
static const struct st_field f_u64[] = { FLD(struct u64_, v, F_UINT, "value") };
ST(u64, struct u64_, f_u64);

/* struct ifreq as the SIOCGIF* ioctls use it: the name in (or the index
 * for SIOCGIFNAME), the whole struct out, read as the request fills it. */
static const struct st_field f_ifr_name[] = { FLD(struct ifreq, ifr_name, F_STR, "name") };
ST(ifr_name, struct ifreq, f_ifr_name);
static const struct st_field f_ifr_index[] = { FLD(struct ifreq, ifr_ifindex, F_INT, "index") };
ST(ifr_index, struct ifreq, f_ifr_index);
static const struct st_field f_ifr_int[] = {
	FLD(struct ifreq, ifr_name, F_STR, "name"),
	FLD(struct ifreq, ifr_ifindex, F_INT, "value"),
};
ST(ifr_int, struct ifreq, f_ifr_int);	/* index, mtu, metric, qlen */
static const struct st_field f_ifr_flags[] = {
	FLD(struct ifreq, ifr_name, F_STR, "name"),
	FLD(struct ifreq, ifr_flags, F_UINT, "flags"),
};
ST(ifr_flags, struct ifreq, f_ifr_flags);
static const struct st_field f_ifr_addr[] = {
	FLD(struct ifreq, ifr_name, F_STR, "name"),
	FLD(struct ifreq, ifr_addr, F_BYTES, "addr"),
};
ST(ifr_addr, struct ifreq, f_ifr_addr);	/* addr, netmask, hwaddr, broadcast... */
static const struct st_field f_ifr_map[] = {
	FLD(struct ifreq, ifr_name, F_STR, "name"),
	FLD(struct ifreq, ifr_map, F_BYTES, "map"),
};
ST(ifr_map, struct ifreq, f_ifr_map);

/* Kept as bytes: rarely edited by hand. */
ST_BYTES(timex, sizeof(struct timex));
ST_BYTES(user_desc, sizeof(struct user_desc));
/* struct ustat (<ustat.h> is gone from the C library): int f_tfree, ino_t
 * f_tinode, char f_fname[6], f_fpack[6]. */
struct ustat_ { int tfree; unsigned long tinode; char fname[6], fpack[6]; };
ST_BYTES(ustat, sizeof(struct ustat_));
ST_BYTES(siginfo, 128);
ST_BYTES(sigevent, 64);
ST_BYTES(statfs, 120);
ST_BYTES(sysinfo, 112);
ST_BYTES(rusage, 144);
ST_BYTES(termios, 60);		/* struct termios as the kernel's TCGETS sees it */
ST_BYTES(winsize, 8);
ST_BYTES(sigset, 8);		/* the kernel's sigset_t: 64 signals */

static int64_t
get_int(const void *p, size_t size, int sign)
{
	switch (size) {
	case 1: return sign ? (int64_t)*(const int8_t *)p : (int64_t)*(const uint8_t *)p;
	case 2: return sign ? (int64_t)*(const int16_t *)p : (int64_t)*(const uint16_t *)p;
	case 4: return sign ? (int64_t)*(const int32_t *)p : (int64_t)*(const uint32_t *)p;
	default: {
		int64_t v;		/* may be unaligned (packed epoll_event) */
		memcpy(&v, p, sizeof v);
		return v;
	}
	}
}

static void
put_int(void *p, size_t size, int64_t v)
{
	switch (size) {
	case 1: *(uint8_t *)p = (uint8_t)v; break;
	case 2: *(uint16_t *)p = (uint16_t)v; break;
	case 4: *(uint32_t *)p = (uint32_t)v; break;
	default: { int64_t w = v; memcpy(p, &w, sizeof w); break; }
	}
}

json_t *
st_encode(const struct st_desc *st, const void *p)
{
	json_t *o;

	if (st->nfields == 0)
		return json_bytes(p, st->size);
	if ((o = json_object()) == NULL)
		return NULL;
	for (int i = 0; i < st->nfields; i++) {
		const struct st_field *f = &st->fields[i];
		const char *fp = (const char *)p + f->off;
		json_t *v;

		if (f->kind == F_STR)
			v = json_stringn_nocheck(fp, strnlen(fp, f->size));
		else if (f->kind == F_BYTES)
			v = json_bytes(fp, f->size);
		else
			v = json_int64(get_int(fp, f->size, f->kind == F_INT));
		if (v == NULL || json_object_set_new(o, f->name, v) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

int
st_decode(const struct st_desc *st, const json_t *j, void *p)
{
	memset(p, 0, st->size);
	return st_apply(st, j, p);
}

/* Exactly st->size bytes from the bytes form j into p. */
static int
bytes_into(const json_t *j, void *p, size_t size)
{
	void *b;
	size_t n;
	int r = json_get_bytes(j, &b, &n);

	if (r < 0)
		return r;
	if (n != size) {
		free(b);
		return -EINVAL;
	}
	memcpy(p, b, n);
	free(b);
	return 0;
}

int
st_apply(const struct st_desc *st, const json_t *j, void *p)
{
	if (st->nfields == 0 || !json_is_object(j) || json_object_get(j, "b64") ||
	    json_object_get(j, "text"))
		/* a struct stored as bytes, or one that was before it had
		 * fields (flock in dios 0.1) */
		return bytes_into(j, p, st->size);
	for (int i = 0; i < st->nfields; i++) {
		const struct st_field *f = &st->fields[i];
		const json_t *v = json_object_get(j, f->name);
		char *fp = (char *)p + f->off;

		if (v == NULL)
			continue;
		if (f->kind == F_STR) {
			if (!json_is_string(v) || json_string_length(v) >= f->size)
				return -EINVAL;
			memset(fp, 0, f->size);
			memcpy(fp, json_string_value(v), json_string_length(v));
		} else if (f->kind == F_BYTES) {
			int r = bytes_into(v, fp, f->size);
			if (r < 0)
				return r;
		} else {
			int64_t x;

			if (json_int64_get(v, &x) < 0)
				return -EINVAL;
			put_int(fp, f->size, x);
		}
	}
	return 0;
}
