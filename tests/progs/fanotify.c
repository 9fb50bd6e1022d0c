/* fanotify DIR: a fanotify group watching DIR's files; the program writes
 * a file there and reads the group's events, each of which carries a
 * descriptor the kernel opened for the reader (closed after it prints
 * where it points); then it opens the file again, which takes the number
 * the event's descriptor freed.  Prints one line per call.  Exits 15 (1
 * when the kernel refuses fanotify here).
 */
#include "progs.h"
#include <fcntl.h>
#include <sys/fanotify.h>

int
main(int argc, char **argv)
{
	char buf[4096] __attribute__((aligned(8)));
	ssize_t n;
	int fd, r;

	if (argc < 2)
		return 2;
	snprintf(dir, sizeof dir, "%s", argv[1]);
	fd = fanotify_init(FAN_CLASS_NOTIF | FAN_NONBLOCK | FAN_CLOEXEC, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("fanotify_init = -1 %s\n", ename(errno));
		return 1;
	}
	printf("fanotify_init = %d\n", fd);
	r = fanotify_mark(fd, FAN_MARK_ADD, FAN_OPEN | FAN_CLOSE_WRITE | FAN_EVENT_ON_CHILD, AT_FDCWD, dir);
	printf("fanotify_mark = %d\n", r);
	int w = open(P("watched.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	printf("write = %zd\n", write(w, "watched\n", 8));
	close(w);
	n = read(fd, buf, sizeof buf);
	printf("read = %zd\n", n);
	for (struct fanotify_event_metadata *m = (void *)buf; n > 0 && FAN_EVENT_OK(m, n);
	    m = FAN_EVENT_NEXT(m, n)) {
		char l[64], t[4096];
		snprintf(l, sizeof l, "/proc/self/fd/%d", m->fd);
		ssize_t k = readlink(l, t, sizeof t - 1);
		t[k > 0 ? k : 0] = '\0';
		const char *base = strrchr(t, '/');
		printf("event mask %#llx, descriptor %d for %s\n", (unsigned long long)m->mask, m->fd,
		    base ? base + 1 : t);
		printf("close(%d) = %d\n", m->fd, close(m->fd));
	}
	printf("open again = %d\n", open(P("watched.txt"), O_RDONLY));
	return 15;
}
