/* test-sha256: FIPS 180-4 / NIST example vectors, padding boundaries,
 * incremental updates, and sha256_file (sha256.h). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace/sha256.h"
#include "tap.h"


static const struct {
	const char *msg;
	const char *hex;
} vectors[] = {
	{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",	/* 448 bits */
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
	  "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",	/* 896 bits */
	  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
};

/* n times 'a', around the padding boundaries (from Python's hashlib). */
static const struct {
	size_t n;
	const char *hex;
} runs[] = {
	{ 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
	{ 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
	{ 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
	{ 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
	{ 65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0" },
	{ 119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb" },
	{ 120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c" },
	{ 1000, "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3" },
};

#define MILLION_A "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
/* 1 MiB of (i * 7) & 255 */
#define PATTERN_1M "1d7368ef6f59e0c704a978b815288f1e464037959645bbfd79348d330269480d"

static void
test_vectors(void)
{
	char hex[65], a[1000];
	struct sha256 s;
	uint8_t d[32];
	size_t i;

	for (i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
		sha256_buf_hex(vectors[i].msg, strlen(vectors[i].msg), hex);
		is_str(hex, vectors[i].hex, "sha256 of the %zu-byte NIST message",
		    strlen(vectors[i].msg));
	}
	memset(a, 'a', sizeof a);
	for (i = 0; i < sizeof runs / sizeof runs[0]; i++) {
		sha256_buf_hex(a, runs[i].n, hex);
		is_str(hex, runs[i].hex, "sha256 of %zu times 'a'", runs[i].n);
	}
	/* One million 'a', fed in uneven pieces. */
	sha256_init(&s);
	for (i = 0; i < 1000000;) {
		size_t k = 1 + i % 997;

		if (k > 1000000 - i)
			k = 1000000 - i;
		sha256_update(&s, a, k);
		i += k;
	}
	sha256_final(&s, d);
	sha256_hex(d, hex);
	is_str(hex, MILLION_A, "sha256 of one million 'a'");
}

static void
test_incremental(void)
{
	uint8_t msg[200], d[32];
	char one[65], two[65];
	size_t n, cut, i;
	int bad = 0;

	for (i = 0; i < sizeof msg; i++)
		msg[i] = (uint8_t)(i * 31 + 7);
	for (n = 0; n <= sizeof msg; n++) {
		sha256_buf_hex(msg, n, one);
		for (cut = 0; cut <= n; cut++) {
			struct sha256 s;

			sha256_init(&s);
			sha256_update(&s, msg, cut);
			sha256_update(&s, NULL, 0);
			sha256_update(&s, msg + cut, n - cut);
			sha256_final(&s, d);
			sha256_hex(d, two);
			if (strcmp(one, two) != 0)
				bad++;
		}
	}
	ok(bad == 0, "split updates agree with one update for all splits of 0..200 bytes (%d differ)", bad);
}

static void
test_file(void)
{
	char dir[] = "/tmp/dios-test-sha256-XXXXXX", path[64], hex[65];
	uint8_t *big;
	off_t size = -1;
	size_t i;
	int fd;

	if (!mkdtemp(dir))
		bail_out("mkdtemp: %s", strerror(errno));
	snprintf(path, sizeof path, "%s/f", dir);

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "abc", 3) != 3 || close(fd) < 0)
		bail_out("cannot write %s: %s", path, strerror(errno));
	ok(sha256_file(path, hex, &size) == 0 && size == 3 &&
	    strcmp(hex, vectors[1].hex) == 0, "sha256_file of a file holding \"abc\"");

	big = malloc(1 << 20);
	if (!big)
		bail_out("out of memory");
	for (i = 0; i < 1 << 20; i++)
		big[i] = (uint8_t)(i * 7);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0 || write(fd, big, 1 << 20) != 1 << 20 || close(fd) < 0)
		bail_out("cannot write %s: %s", path, strerror(errno));
	free(big);
	ok(sha256_file(path, hex, &size) == 0 && size == 1 << 20 &&
	    strcmp(hex, PATTERN_1M) == 0, "sha256_file of a 1 MiB file");

	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0 || close(fd) < 0)
		bail_out("cannot truncate %s: %s", path, strerror(errno));
	ok(sha256_file(path, hex, &size) == 0 && size == 0 &&
	    strcmp(hex, vectors[0].hex) == 0, "sha256_file of an empty file");

	unlink(path);
	is_int(sha256_file(path, hex, &size), -ENOENT, "sha256_file of a missing file is -ENOENT");
	is_int(sha256_file(dir, hex, &size), -EISDIR, "sha256_file of a directory is -EISDIR");
	is_int(sha256_file("/dev/zero", hex, &size), -EINVAL,
	    "sha256_file of a device is -EINVAL, not an endless read");
	if (mkfifo(path, 0600) == 0) {
		is_int(sha256_file(path, hex, &size), -EINVAL,
		    "sha256_file of a FIFO is -EINVAL, without blocking");
		unlink(path);
	} else {
		skip(1, "mkfifo: %s", strerror(errno));
	}
	if (rmdir(dir) < 0)
		bail_out("rmdir %s: %s", dir, strerror(errno));
}

int
main(void)
{
	diag("hashing with the %s code", sha256_impl());
	test_vectors();
	test_incremental();
	test_file();
	return done_testing();
}
