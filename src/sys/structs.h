/* structs.h: the structs that syscalls pass, as data for the JSON codec.
 * A struct with fields is stored as a JSON object of its fields (so people
 * can read and edit it: {"sec":12,"nsec":5}); one without is stored as bytes.
 * Owner: src/sys/structs.c.
 */
#ifndef DIOS_STRUCTS_H
#define DIOS_STRUCTS_H
#include <jansson.h>
#include "sys/systable.h"

extern const struct st_desc st_timespec, st_timespec2, st_timeval, st_timezone,
    st_time_t, st_stat, st_statx, st_statfs, st_open_how, st_loff, st_u32,
    st_utsname, st_sysinfo, st_rlimit, st_rusage, st_tms, st_termios,
    st_winsize, st_int, st_flock, st_itimerval, st_itimerspec, st_siginfo, st_sigevent,
    st_epoll_event, st_fdpair, st_sigset, st_timeval2, st_utimbuf, st_cap_header,
    st_cap_data, st_mq_attr, st_timex, st_user_desc, st_ustat,
    st_epoll_event, st_fdpair, st_sigset, st_ifr_name, st_ifr_index, st_ifr_int,
    st_ifr_flags, st_ifr_addr, st_ifr_map, st_f_owner_ex, st_u64;

/* New reference to the JSON form of the st->size bytes at p; NULL on ENOMEM. */
json_t *st_encode(const struct st_desc *st, const void *p);
/* Fills p (st->size bytes) from its JSON form.  Fields missing from the
 * object are zero.  -EINVAL when j does not fit st. */
int st_decode(const struct st_desc *st, const json_t *j, void *p);
/* As st_decode, but onto the bytes already at p: fields missing from the
 * object keep their value (an output the kernel wrote into a struct the
 * program filled in part, as the SIOCGIF* ioctls do). */
int st_apply(const struct st_desc *st, const json_t *j, void *p);

#endif
