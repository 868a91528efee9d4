// SPDX-License-Identifier: MIT
/*
 * A hostile peer against ktlso's receive path, in the VM.
 *
 *   attacker (plain TCP, hand-made records) --- 127.0.0.1 --- victim (ktlso, TLS_RX)
 *
 * Every malformed record must fail with upstream kTLS's errno, deliver not a
 * single byte of it or of anything after it, and leave the kernel log clean
 * (tools/vm/run checks the log after the run).
 */
#include <arpa/inet.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "../lib/check.h"
#include "../lib/tls_sock.h"
#include <linux/ktlso.h>

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

static struct tls12_crypto_info_aes_gcm_128 keys(uint16_t version)
{
	struct tls12_crypto_info_aes_gcm_128 k = { 0 };

	k.info.version = version;
	k.info.cipher_type = TLS_CIPHER_AES_GCM_128;
	for (unsigned int i = 0; i < sizeof(k.key); i++)
		k.key[i] = (uint8_t)(0x11 * i);
	memcpy(k.salt, "\xa0\xa1\xa2\xa3", 4);
	memcpy(k.iv, "\xb0\xb1\xb2\xb3\xb4\xb5\xb6\xb7", 8);
	return k;
}

/* attacker writes raw bytes; victim reads through ktlso. */
static void pair(uint16_t version, int *attacker, int *victim)
{
	struct tls12_crypto_info_aes_gcm_128 k = keys(version);

	loopback_pair(attacker, victim);
	if (setsockopt(*victim, SOL_TCP, TCP_ULP, KTLSO_ULP_NAME, sizeof(KTLSO_ULP_NAME)) ||
	    setsockopt(*victim, SOL_TLS, TLS_RX, &k, sizeof(k))) {
		perror("victim setup");
		exit(2);
	}
}

/*
 * A TLS 1.3 AES-128-GCM record at sequence seq whose inner plaintext is
 * exactly `inner` (so the test decides content type and padding).
 */
static size_t seal13_at(uint64_t seq, const uint8_t *inner, size_t n, uint8_t *out)
{
	struct tls12_crypto_info_aes_gcm_128 k = keys(TLS_1_3_VERSION);
	uint8_t nonce[12];
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int len;

	memcpy(nonce, k.salt, 4);
	memcpy(nonce + 4, k.iv, 8);
	/* RFC 8446 §5.3: the sequence number XORed into the IV's end. */
	for (int i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(seq >> (8 * i));
	out[0] = 23;
	out[1] = 3;
	out[2] = 3;
	out[3] = (uint8_t)((n + 16) >> 8);
	out[4] = (uint8_t)(n + 16);
	EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, k.key, nonce);
	EVP_EncryptUpdate(c, NULL, &len, out, 5);
	EVP_EncryptUpdate(c, out + 5, &len, inner, (int)n);
	EVP_EncryptFinal_ex(c, out + 5 + n, &len);
	EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, out + 5 + n);
	EVP_CIPHER_CTX_free(c);
	return 5 + n + 16;
}

static size_t seal13(const uint8_t *inner, size_t n, uint8_t *out)
{
	return seal13_at(0, inner, n, out);
}

/* Send wire bytes, then expect recv to fail with want (0: end of stream). */
static void expect(const char *what, uint16_t version, const uint8_t *wire, size_t n,
		   bool then_close, int want, bool sticky)
{
	int attacker, victim;
	char buf[64];
	ssize_t r;

	pair(version, &attacker, &victim);
	if (send(attacker, wire, n, 0) != (ssize_t)n)
		perror("send");
	if (then_close)
		shutdown(attacker, SHUT_WR);

	errno = 0;
	r = recv(victim, buf, sizeof(buf), 0);
	if (!want)
		CHECK(r == 0, "%s: end of stream, no data (got %zd, %s)", what, r, strerror(errno));
	else
		CHECK(r == -1 && errno == want, "%s: %s (got %zd, %s)", what, strerror(want),
		      r, strerror(errno));

	r = recv(victim, buf, sizeof(buf), MSG_DONTWAIT);
	if (sticky)
		CHECK(r == -1 && errno == want, "%s: and again on the next read", what);
	else
		CHECK(r <= 0, "%s: and nothing after it is delivered", what);
	close(attacker);
	close(victim);
}

/* Is buf[from..to) still all `pattern`? */
static bool untouched(const uint8_t *buf, size_t from, size_t to, uint8_t pattern)
{
	for (size_t i = from; i < to; i++)
		if (buf[i] != pattern)
			return false;
	return true;
}

/*
 * RFC 8446 §5.2: a TLS 1.3 record's real type is inside the encryption, so
 * it is known only once the record is decrypted. A control record (alert,
 * KeyUpdate, NewSessionTicket) must not be decrypted into the application's
 * buffer on the way: the bytes past what recv() returns stay as they were.
 */
static void control_records_leave_the_buffer_alone(void)
{
	static uint8_t wire[2 * 512], buf[4096];
	static const uint8_t data[] = "hello\x17";
	static const uint8_t alert[] = { 1, 0, 21 };	/* close_notify, warning */
	uint8_t inner[256] = { 0 }, type;
	int attacker, victim;
	size_t n;
	ssize_t r;

	/* Data, then an alert in the same TCP segment: the call stops at the
	 * alert, which is for the next call.
	 */
	n = seal13_at(0, data, 6, wire);
	n += seal13_at(1, alert, sizeof(alert), wire + n);
	pair(TLS_1_3_VERSION, &attacker, &victim);
	send(attacker, wire, n, 0);
	usleep(100 * 1000);
	memset(buf, 0xa5, sizeof(buf));
	r = recv(victim, buf, sizeof(buf), 0);
	CHECK(r == 5 && !memcmp(buf, "hello", 5),
	      "TLS1.3 data then alert: the data record alone (got %zd)", r);
	CHECK(untouched(buf, 5, sizeof(buf), 0xa5),
	      "TLS1.3 data then alert: the alert's bytes are not written past them");
	r = recv_with_type(victim, buf, sizeof(buf), 0, &type);
	CHECK(r == 2 && type == 21, "TLS1.3 data then alert: then the alert (got %zd, type %u)",
	      r, type);
	close(attacker);
	close(victim);

	/* A padded handshake record as the first of the call: its type byte
	 * and padding must not land after the 8 bytes returned.
	 */
	memcpy(inner, "\x04\x00\x00\x04" "abcd" "\x16", 9);
	n = seal13_at(0, inner, 9 + 200, wire);
	pair(TLS_1_3_VERSION, &attacker, &victim);
	send(attacker, wire, n, 0);
	memset(buf, 0xa5, sizeof(buf));
	r = recv_with_type(victim, buf, sizeof(buf), 0, &type);
	CHECK(r == 8 && type == 22 && !memcmp(buf, "\x04\x00\x00\x04" "abcd", 8),
	      "TLS1.3 padded handshake record: 8 bytes of type 22 (got %zd, type %u)", r, type);
	CHECK(untouched(buf, 8, sizeof(buf), 0xa5),
	      "TLS1.3 padded handshake record: nothing written past them");
	close(attacker);
	close(victim);
}

/*
 * A malformed header right behind a good record, both in one read's reach:
 * the read returns the good record's bytes, and the header's errno is the
 * next read's answer, not lost with the call that found it.
 */
static void header_error_after_data_is_kept(void)
{
	uint8_t wire[64], inner[] = "genuine\x17";
	char buf[64];
	int attacker, victim;
	size_t n = seal13(inner, 8, wire);
	ssize_t r;

	memcpy(wire + n, "\x17\x03\x03\x41\x00", 5);
	pair(TLS_1_3_VERSION, &attacker, &victim);
	if (send(attacker, wire, n + 5, 0) != (ssize_t)(n + 5))
		perror("send");
	/* Both must be queued before the read for it to meet them together. */
	usleep(100 * 1000);
	r = recv(victim, buf, sizeof(buf), 0);
	CHECK(r == 7 && !memcmp(buf, "genuine", 7),
	      "TLS1.3 good record then an oversized header: the record (got %zd)", r);
	errno = 0;
	r = recv(victim, buf, sizeof(buf), MSG_DONTWAIT);
	CHECK(r == -1 && errno == EMSGSIZE,
	      "TLS1.3 good record then an oversized header: then EMSGSIZE (got %zd, %s)",
	      r, strerror(errno));
	close(attacker);
	close(victim);
}

int main(void)
{
	static const uint16_t versions[] = { TLS_1_2_VERSION, TLS_1_3_VERSION };
	uint8_t wire[17000 + 64] = { 0 };
	uint8_t inner[64];
	size_t n;

	for (int i = 0; i < 2; i++) {
		uint16_t v = versions[i];
		const char *name = v == TLS_1_2_VERSION ? "TLS1.2" : "TLS1.3";
		char what[80];

		/* RFC 8446 §5.2: more than 2^14 + overhead is record_overflow. */
		memcpy(wire, "\x17\x03\x03\x41\x00", 5);
		snprintf(what, sizeof(what), "%s oversized length 0x4100", name);
		expect(what, v, wire, 5, false, EMSGSIZE, false);

		memcpy(wire, "\x17\x03\x03\x00\x05", 5);
		snprintf(what, sizeof(what), "%s length 5, shorter than the tag", name);
		expect(what, v, wire, 10, false, EBADMSG, false);

		memcpy(wire, "\x17\x03\x01\x00\x20", 5);
		snprintf(what, sizeof(what), "%s legacy version 0x0301", name);
		expect(what, v, wire, 5 + 32, false, EINVAL, false);

		memcpy(wire, "\x17\x03\x03\x00\x30", 5);
		memset(wire + 5, 0x5a, 0x30);
		snprintf(what, sizeof(what), "%s garbage that does not authenticate", name);
		expect(what, v, wire, 5 + 0x30, false, EBADMSG, true);

		memcpy(wire, "\x17\x03\x03\x00\x40", 5);
		snprintf(what, sizeof(what), "%s record cut short by end of stream", name);
		expect(what, v, wire, 5 + 20, true, 0, false);
	}

	/* RFC 8446 §5.4: an inner plaintext of only zeros has no content type. */
	memset(inner, 0, sizeof(inner));
	n = seal13(inner, 32, wire);
	expect("TLS1.3 inner plaintext all padding", TLS_1_3_VERSION, wire, n, false,
	       EBADMSG, true);

	/*
	 * RFC 793 urgent data in the middle of a record: TCP takes that byte
	 * out of the stream, so what is left cannot authenticate. The reader
	 * must get EBADMSG, not wait forever for a record TCP will never
	 * complete, as a reader that counts on tcp_inq() would.
	 */
	memcpy(inner, "urgent\x17", 7);
	n = seal13(inner, 7, wire);
	{
		struct timeval tv = { .tv_sec = 10 };
		int attacker, victim;
		char buf[16];
		ssize_t r;

		pair(TLS_1_3_VERSION, &attacker, &victim);
		setsockopt(victim, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		send(attacker, wire, 8, 0);
		send(attacker, wire + 8, 1, MSG_OOB);
		send(attacker, wire + 9, n - 9, 0);
		/* More records follow, as they would on a live connection. */
		send(attacker, wire, n, 0);
		errno = 0;
		r = recv(victim, buf, sizeof(buf), 0);
		CHECK(r == -1 && errno == EBADMSG,
		      "TLS1.3 urgent byte inside a record: EBADMSG (got %zd, %s)", r,
		      strerror(errno));
		r = recv(victim, buf, sizeof(buf), MSG_DONTWAIT);
		CHECK(r == -1 && errno == EBADMSG,
		      "TLS1.3 urgent byte inside a record: and again on the next read");
		close(attacker);
		close(victim);
	}

	/* The same crafting gives a good record: the checks above are real. */
	memcpy(inner, "genuine\x17\0\0", 10);
	n = seal13(inner, 10, wire);
	{
		int attacker, victim;
		char buf[16] = { 0 };

		pair(TLS_1_3_VERSION, &attacker, &victim);
		send(attacker, wire, n, 0);
		CHECK(recv(victim, buf, sizeof(buf), 0) == 7 && !memcmp(buf, "genuine", 7),
		      "TLS1.3 a well-formed padded record from the same crafting decrypts");
		wire[n - 1] ^= 1;
		send(attacker, wire, n, 0);
		close(attacker);
		close(victim);
	}
	control_records_leave_the_buffer_alone();
	header_error_after_data_is_kept();
	return check_summary();
}
