/* sysv.c: System V IPC, whose buffers depend on the call and its command:
 *   msgsnd, msgrcv   "msgp": the message, its long type then its text
 *                    (in: msgsz bytes of text; out: as many as the result)
 *   semop, semtimedop "sops": nsops struct sembuf in
 *   msgctl, semctl, shmctl "buf" (semctl: "arg"): the struct *_ds in (IPC_SET)
 *                    or out (IPC_STAT, *_STAT, *_STAT_ANY), the *info structs
 *                    out (IPC_INFO, *_INFO), or a semctl value in (SETVAL)
 * Replay answers them all from the trace: the queues, sets and segments
 * live only in the recording.  semctl GETALL and SETALL's array is as long
 * as the set, which no argument says: when recording, dios asks the kernel
 * the set's size (IPC_STAT, when the program is in dios's IPC namespace)
 * and records the values GETALL read ("arg" in out) and SETALL set (in
 * extra: replay compares its result, not its values).  shmget's event says the segment's size and whether the
 * recording made it ("segment"): replay maps a copy of each segment made
 * at every shmat (src/replay/maps.c), and refuses the others. */
#include "config.h"
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <stdio.h>
#include "trace/bytes.h"
#include "sys/capture.h"
#include "sys/family.h"
#include "sys/mem.h"

#define MSG_TEXT_MAX (16u << 20)
/* The most semaphores a set may have (SEMMSL is at most 32000). */
#define SEM_ARRAY_MAX 32000

enum use { U_NONE, U_IN, U_OUT, U_INT };

/* How the *ctl call c uses its buffer, and its size. */
static enum use
ctl_use(const struct call *c, size_t *size)
{
	int cmd;

	switch (c->nr) {
	case SYS_msgctl:
		cmd = (int)c->a[1] & 0xff;	/* without IPC_64 */
		*size = sizeof(struct msqid_ds);
		switch (cmd) {
		case IPC_SET: return U_IN;
		case IPC_STAT: case MSG_STAT: case MSG_STAT_ANY: return U_OUT;
		case IPC_INFO: case MSG_INFO: *size = sizeof(struct msginfo); return U_OUT;
		}
		return U_NONE;
	case SYS_shmctl:
		cmd = (int)c->a[1] & 0xff;
		*size = sizeof(struct shmid_ds);
		switch (cmd) {
		case IPC_SET: return U_IN;
		case IPC_STAT: case SHM_STAT: case SHM_STAT_ANY: return U_OUT;
		case IPC_INFO: *size = sizeof(struct shminfo); return U_OUT;
		case SHM_INFO: *size = sizeof(struct shm_info); return U_OUT;
		}
		return U_NONE;
	case SYS_semctl:
		cmd = (int)c->a[2] & 0xff;
		*size = sizeof(struct semid_ds);
		switch (cmd) {
		case IPC_SET: return U_IN;
		case IPC_STAT: case SEM_STAT: case SEM_STAT_ANY: return U_OUT;
		case IPC_INFO: case SEM_INFO: *size = sizeof(struct seminfo); return U_OUT;
		case SETVAL: return U_INT;
		}
		return U_NONE;
	}
	return U_NONE;
}

/* The buffer argument of c: its index and key. */
static int
buf_arg(const struct call *c, const char **key)
{
	switch (c->nr) {
	case SYS_semctl: *key = "arg"; return 3;
	case SYS_msgsnd: case SYS_msgrcv: *key = "msgp"; return 1;
	case SYS_semop: case SYS_semtimedop: *key = "sops"; return 1;
	default: *key = "buf"; return 2;
	}
}

static json_t *
grab(pid_t tid, uint64_t addr, size_t n, int *err)
{
	void *b;
	json_t *j;

	if (addr == 0)
		return json_null();
	if ((b = mem_dup(tid, addr, n, err)) == NULL)
		return NULL;
	j = json_bytes(b, n);
	free(b);
	return j;
}

static int
sysv_entry(pid_t tid, struct call *c)
{
	const char *key;
	int i = buf_arg(c, &key), err = 0;
	size_t n = 0;
	json_t *j = NULL;

	switch (c->nr) {
	case SYS_msgsnd:
		if (c->a[2] > MSG_TEXT_MAX)
			return 0;	/* the kernel refuses it */
		j = grab(tid, c->a[1], sizeof(long) + c->a[2], &err);
		break;
	case SYS_semop: case SYS_semtimedop:
		if (c->a[2] > 65536)	/* SEMOPM, 500 unless raised */
			return 0;
		j = grab(tid, c->a[1], c->a[2] * sizeof(struct sembuf), &err);
		break;
	default:
		switch (ctl_use(c, &n)) {
		case U_IN: j = grab(tid, c->a[i], n, &err); break;
		case U_INT: j = json_int64((int32_t)c->a[i]); break;
		default: return 0;
		}
	}
	if (j == NULL)
		return err ? err : -ENOMEM;
	return json_object_set_new(c->args, key, j) < 0 ? -ENOMEM : 0;
}

/* The size of c's output, 0 for none. */
static size_t
out_size(const struct call *c)
{
	size_t n = 0;

	if (c->nr == SYS_msgrcv)
		return c->ret >= 0 && (uint64_t)c->ret <= c->a[2] ? sizeof(long) + (size_t)c->ret : 0;
	if (c->nr == SYS_msgctl || c->nr == SYS_shmctl || c->nr == SYS_semctl)
		return ctl_use(c, &n) == U_OUT ? n : 0;
	return 0;
}

/* shmget: the segment's size, and whether the recording made it (a new
 * key, or the caller is its creator), as "segment": replay keeps a copy
 * of the segments made, which every shmat maps. */
static int
shmget_segment(pid_t tid, struct call *c)
{
	struct shmid_ds ds;
	int flg = (int)c->a[2];
	bool made;

	if (shmctl((int)c->ret, IPC_STAT, &ds) < 0)
		return 0;	/* not readable by dios: replay refuses its shmat */
	made = (key_t)c->a[0] == IPC_PRIVATE || (flg & (IPC_CREAT | IPC_EXCL)) == (IPC_CREAT | IPC_EXCL) ||
	    ds.shm_cpid == tid;
	return obj_set_new(&c->extra, "segment", json_pack("{s:I,s:b}", "size",
	    (json_int_t)ds.shm_segsz, "made", made));
}

/* The number of semaphores of set semid of task tid, as dios's own
 * IPC_STAT says: -EXDEV when tid is in another IPC namespace. */
static int
sem_count(pid_t tid, int semid)
{
	struct semid_ds ds;
	struct stat a, b;
	char ns[64];
	union { int val; struct semid_ds *buf; } u = { .buf = &ds };

	snprintf(ns, sizeof ns, "/proc/%d/ns/ipc", (int)tid);
	if (stat(ns, &a) < 0 || stat("/proc/self/ns/ipc", &b) < 0)
		return -errno;
	if (a.st_ino != b.st_ino || a.st_dev != b.st_dev)
		return -EXDEV;
	if (semctl(semid, 0, IPC_STAT, u) < 0)
		return -errno;
	return ds.sem_nsems > SEM_ARRAY_MAX ? -E2BIG : (int)ds.sem_nsems;
}

/* semctl GETALL (out) and SETALL (extra): the array, as many values as
 * the set has; none when dios cannot tell how many (a program in an IPC
 * namespace of its own), and replay then writes no values. */
static int
semctl_array(pid_t tid, struct call *c)
{
	int cmd = (int)c->a[2] & 0xff, n, err = 0;
	json_t *j;

	if (c->ret < 0 || (cmd != GETALL && cmd != SETALL) || c->a[3] == 0 ||
	    (n = sem_count(tid, (int)c->a[0])) < 0)
		return 0;
	if ((j = grab(tid, c->a[3], (size_t)n * sizeof(unsigned short), &err)) == NULL)
		return err ? err : -ENOMEM;
	return obj_set_new(cmd == GETALL ? &c->out : &c->extra, "arg", j);
}

static int
sysv_exit(pid_t tid, struct call *c)
{
	const char *key;
	int i = buf_arg(c, &key), err = 0;
	size_t n;
	json_t *j;

	if (c->nr == SYS_shmget)
		return c->ret >= 0 ? shmget_segment(tid, c) : 0;
	if (c->nr == SYS_semctl && (((int)c->a[2] & 0xff) == GETALL || ((int)c->a[2] & 0xff) == SETALL))
		return semctl_array(tid, c);
	if (c->ret < 0 || (n = out_size(c)) == 0 || c->a[i] == 0)
		return 0;
	if ((j = grab(tid, c->a[i], n, &err)) == NULL)
		return err ? err : -ENOMEM;
	return obj_set_new(&c->out, key, j);
}

static int
sysv_inject(pid_t tid, struct call *c, const json_t *out)
{
	const char *key;
	int i = buf_arg(c, &key);
	const json_t *j = out ? json_object_get(out, key) : NULL;
	size_t cap = 0, n;
	void *b;
	int e;

	if (j == NULL)
		return 0;
	if (c->nr == SYS_msgrcv)
		cap = sizeof(long) + c->a[2];
	else if (c->nr == SYS_semctl && ((int)c->a[2] & 0xff) == GETALL)
		cap = SEM_ARRAY_MAX * sizeof(unsigned short);
	else if ((c->nr == SYS_msgctl || c->nr == SYS_shmctl || c->nr == SYS_semctl) &&
	    ctl_use(c, &cap) != U_OUT)
		return -EINVAL;
	if (cap == 0)
		return -EINVAL;
	if ((e = json_get_bytes(j, &b, &n)) < 0)
		return e;
	e = n > cap ? -EINVAL : mem_write(tid, c->a[i], b, n);
	free(b);
	return e;
}

const struct sc_family fam_sysv = {
	.entry = sysv_entry, .exit = sysv_exit, .inject = sysv_inject,
};
