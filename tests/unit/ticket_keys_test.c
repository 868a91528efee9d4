// SPDX-License-Identifier: MIT
/*
 * userspace/lib/resume/ticket_keys.c: sealing and opening with a ring of
 * AES-256-GCM ticket keys, generated and rotated or read from a key file:
 * round trip, a tampered byte, an unknown key name, rotation (the previous
 * key opens for one more lifetime, then not), and a key file's checks
 * (mode, size, duplicate names).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/check.h"
#include "resume/ticket_keys.h"

static const uint8_t state[] = "the session state a ticket carries";

static int seal(struct ticket_keys *k, int64_t now, uint8_t *t, size_t *len)
{
	return ticket_seal(k, now, state, sizeof(state), t, 256, len);
}

/* 0 when t opens at now to exactly the state. */
static int open_check(struct ticket_keys *k, int64_t now, const uint8_t *t,
		      size_t len)
{
	uint8_t plain[256];
	size_t n = 0;
	int err = ticket_open(k, now, t, len, plain, sizeof(plain), &n);

	if (err)
		return err;
	return n == sizeof(state) && !memcmp(plain, state, n) ? 0 : -EILSEQ;
}

static void test_round_trip(void)
{
	struct ticket_keys *k, *other;
	uint8_t t[256], t2[256];
	size_t len, len2;
	int bad = 0;

	CHECK(ticket_keys_generate(&k, 3600, 1000) == 0, "a generated ring");
	CHECK(seal(k, 1000, t, &len) == 0 &&
		      len == sizeof(state) + TICKET_OVERHEAD,
	      "a ticket is the state plus %d bytes", TICKET_OVERHEAD);
	CHECK(memmem(t, len, state, sizeof(state)) == NULL,
	      "the state is not in the clear");
	CHECK(open_check(k, 1000, t, len) == 0, "and opens to the state");
	CHECK(seal(k, 1000, t2, &len2) == 0 && len2 == len &&
		      !memcmp(t, t2, TICKET_KEY_NAME_LEN) &&
		      memcmp(t + TICKET_KEY_NAME_LEN, t2 + TICKET_KEY_NAME_LEN,
			     TICKET_NONCE_LEN),
	      "two tickets: the same key name, fresh nonces");
	for (size_t i = 0; i < len; i += 7) {
		memcpy(t2, t, len);
		t2[i] ^= 0x01;
		if (open_check(k, 1000, t2, len) !=
		    (i < TICKET_KEY_NAME_LEN ? -ENOENT : -EBADMSG))
			bad++;
	}
	CHECK(!bad, "every 7th byte flipped: -ENOENT in the name, -EBADMSG "
		    "elsewhere (%d wrong)", bad);
	CHECK(open_check(k, 1000, t, len - 1) == -EBADMSG,
	      "a truncated ticket does not open");
	CHECK(open_check(k, 1000, t, TICKET_OVERHEAD - 1) == -EBADMSG,
	      "nor one shorter than the overhead");
	CHECK(ticket_keys_generate(&other, 3600, 1000) == 0 &&
		      open_check(other, 1000, t, len) == -ENOENT,
	      "another ring knows no such key name: -ENOENT");
	ticket_keys_free(other);
	ticket_keys_free(k);
}

static void test_rotation(void)
{
	struct ticket_keys *k;
	uint8_t old[256], t[256];
	size_t old_len, len;

	CHECK(ticket_keys_generate(&k, 100, 0) == 0 && seal(k, 0, old, &old_len) == 0,
	      "a ticket under the first key");
	CHECK(ticket_keys_count(k, 99) == 1, "one key before the lifetime");
	CHECK(seal(k, 100, t, &len) == 0 &&
		      memcmp(t, old, TICKET_KEY_NAME_LEN),
	      "after a lifetime a new key seals");
	CHECK(ticket_keys_count(k, 100) == 2 && open_check(k, 150, old, old_len) == 0,
	      "and the previous one still opens");
	CHECK(open_check(k, 200, old, old_len) == -ENOENT,
	      "one more lifetime on it has rotated out: -ENOENT");
	CHECK(open_check(k, 200, t, len) == 0,
	      "while the key that replaced it still opens");
	CHECK(open_check(k, 1000, t, len) == -ENOENT &&
		      ticket_keys_count(k, 1000) == 1,
	      "a clock jump of many lifetimes leaves only a fresh key");
	ticket_keys_free(k);
}

static char dir[] = "/tmp/ticket_keys_test.XXXXXX";

static const char *write_file(const char *name, const void *p, size_t len,
			      mode_t mode)
{
	static char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || write(fd, p, len) != (ssize_t)len || fchmod(fd, mode))
		abort();
	close(fd);
	return path;
}

static void test_key_file(void)
{
	uint8_t recs[3 * TICKET_KEY_RECORD_LEN], t[256];
	struct ticket_keys *a, *b;
	char err[512] = "";
	const char *p;
	size_t len;

	for (size_t i = 0; i < sizeof(recs); i++)
		recs[i] = (uint8_t)(i * 7 + 1);
	p = write_file("two", recs, 2 * TICKET_KEY_RECORD_LEN, 0600);
	CHECK(ticket_keys_load(&a, p, (uid_t)-1, err, sizeof(err)) == 0,
	      "a file of two records loads (%s)", err);
	/* A second host with the keys in the other order: it seals with the
	 * second and still opens the first's tickets. */
	memcpy(recs + 2 * TICKET_KEY_RECORD_LEN, recs, TICKET_KEY_RECORD_LEN);
	p = write_file("swapped", recs + TICKET_KEY_RECORD_LEN,
		       2 * TICKET_KEY_RECORD_LEN, 0400);
	CHECK(ticket_keys_load(&b, p, getuid(), err, sizeof(err)) == 0,
	      "a read-only file of the owner loads too (%s)", err);
	CHECK(seal(a, 0, t, &len) == 0 && !memcmp(t, recs, TICKET_KEY_NAME_LEN),
	      "the first record's key seals, its name in front");
	CHECK(open_check(b, 0, t, len) == 0,
	      "another host with the same key opens the ticket");
	CHECK(open_check(b, 1000000, t, len) == 0 &&
		      ticket_keys_count(b, 1000000) == 2,
	      "a key file is never rotated by the daemon");
	ticket_keys_free(b);
	p = write_file("one", recs + TICKET_KEY_RECORD_LEN,
		       TICKET_KEY_RECORD_LEN, 0600);
	CHECK(ticket_keys_load(&b, p, (uid_t)-1, err, sizeof(err)) == 0 &&
		      open_check(b, 0, t, len) == -ENOENT,
	      "once the key is removed from the file its tickets do not open");
	ticket_keys_free(b);
	ticket_keys_free(a);

	p = write_file("group", recs, TICKET_KEY_RECORD_LEN, 0640);
	CHECK(ticket_keys_load(&a, p, (uid_t)-1, err, sizeof(err)) == -EPERM &&
		      strstr(err, "ticket key file") && strstr(err, "0640") &&
		      strstr(err, "chmod 600") && !a,
	      "a file the group can read is refused: %s", err);
	p = write_file("other", recs, TICKET_KEY_RECORD_LEN, 0604);
	CHECK(ticket_keys_load(&a, p, (uid_t)-1, err, sizeof(err)) == -EPERM,
	      "so is one others can read");
	p = write_file("short", recs, TICKET_KEY_RECORD_LEN - 1, 0600);
	CHECK(ticket_keys_load(&a, p, (uid_t)-1, err, sizeof(err)) == -EINVAL &&
		      strstr(err, "records of 48 bytes"),
	      "a file that is not whole records is refused: %s", err);
	p = write_file("empty", recs, 0, 0600);
	CHECK(ticket_keys_load(&a, p, (uid_t)-1, err, sizeof(err)) == -EINVAL,
	      "so is an empty one");
	/* the second record: the first's name, another key */
	memcpy(recs + TICKET_KEY_RECORD_LEN, recs, TICKET_KEY_NAME_LEN);
	p = write_file("dup", recs, 2 * TICKET_KEY_RECORD_LEN, 0600);
	CHECK(ticket_keys_load(&a, p, (uid_t)-1, err, sizeof(err)) == -EINVAL &&
		      strstr(err, "same key name"),
	      "two records of one name are refused: %s", err);
	CHECK(ticket_keys_load(&a, "/nonexistent/keys", (uid_t)-1, err,
			       sizeof(err)) == -ENOENT &&
		      strstr(err, "/nonexistent/keys"),
	      "a missing file names itself: %s", err);
	/* Root can make the file another user's; anyone else owns theirs. */
	p = write_file("owner", recs, TICKET_KEY_RECORD_LEN, 0600);
	if (getuid() == 0 && chown(p, 4242, (gid_t)-1))
		abort();
	CHECK(ticket_keys_load(&a, p, getuid() ? getuid() + 1 : 4243, err,
			       sizeof(err)) == -EPERM &&
		      strstr(err, "owned by uid"),
	      "a file of another user is refused: %s", err);
}

int main(void)
{
	char cmd[64];

	if (!mkdtemp(dir))
		return 1;
	test_round_trip();
	test_rotation();
	test_key_file();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		return 1;
	return check_summary();
}
