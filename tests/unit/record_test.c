// SPDX-License-Identifier: MIT
/*
 * userspace/lib/record/record.c against what we did not write:
 *  - RFC 8448 §3 "Simple 1-RTT Handshake" (TLS_AES_128_GCM_SHA256): the
 *    plaintext hello records framed and rebuilt; the server's encrypted
 *    flight sealed byte for byte; the client's Finished, the
 *    NewSessionTicket, both sides' application data and close_notify
 *    opened, and the server's sealed again byte for byte. Hex as printed
 *    in the RFC (here as transcribed in Botan's
 *    src/tests/data/tls_13_rfc8448/transcripts.vec); keys from §3.
 *  - libssl, in process over a BIO pair, with a certificate made here:
 *    every TLS 1.2 suite we protect (AES-GCM, ChaCha20-Poly1305, AES-CBC
 *    with HMAC-SHA1/SHA256/SHA384, MAC-then-encrypt and encrypt-then-MAC;
 *    the CBC records' hostile cases are record_cbc_test.c's) and the three
 *    TLS 1.3 AEADs. Keys come from libssl's master secret and randoms
 *    through crypto/tls12_prf.h, or its key log through crypto/tls13_keysched.h. We open
 *    what libssl sends and libssl reads what we seal.
 *  - hostile records built directly with libcrypto: bit flips, oversize,
 *    truncation, TLS 1.3 inner plaintexts no peer should
 *    send, sequence numbers running out.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "../lib/hex.h"
#include "crypto/tls12_prf.h"
#include "crypto/tls13_keysched.h"
#include "../lib/record_dir.h"
#include "record/record.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* RFC 8448 §3 */
static const char rfc_client_hello_record[] =
	"16030100c4010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7000006130113031302010000910000000b0009000006736572766572ff01000100000a00140012001d0017001800190100010101020103010400230000003300260024001d002099381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c002b0003020304000d0020001e040305030603020308040805080604010501060102010402050206020202002d00020101001c00024001";
static const char rfc_server_hello_record[] =
	"160303005a020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e2692800130100002e00330024001d0020c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f002b00020304";
/* {server} send handshake record: payload (657 octets), in four messages */
static const char rfc_encrypted_extensions[] =
	"080000240022000a00140012001d00170018001901000101010201030104001c0002400100000000";
static const char rfc_certificate[] =
	"0b0001b9000001b50001b0308201ac30820115a003020102020102300d06092a864886f70d01010b0500300e310c300a06035504031303727361301e170d3136303733303031323335395a170d3236303733303031323335395a300e310c300a0603550403130372736130819f300d06092a864886f70d010101050003818d0030818902818100b4bb498f8279303d980836399b36c6988c0c68de55e1bdb826d3901a2461eafd2de49a91d015abbc9a95137ace6c1af19eaa6af98c7ced43120998e187a80ee0ccb0524b1b018c3e0b63264d449a6d38e22a5fda430846748030530ef0461c8ca9d9efbfae8ea6d1d03e2bd193eff0ab9a8002c47428a6d35a8d88d79f7f1e3f0203010001a31a301830090603551d1304023000300b0603551d0f0404030205a0300d06092a864886f70d01010b05000381810085aad2a0e5b9276b908c65f73a7267170618a54c5f8a7b337d2df7a594365417f2eae8f8a58c8f8172f9319cf36b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102702e608ccae6bec1fc63a42a99be5c3eb7107c3c54e9b9eb2bd5203b1c3b84e0a8b2f759409ba3eac9d91d402dcc0cc8f8961229ac9187b42b4de10000";
static const char rfc_certificate_verify[] =
	"0f000084080400805a747c5d88fa9bd2e55ab085a61015b7211f824cd484145ab3ff52f1fda8477b0b7abc90db78e2d33a5c141a078653fa6bef780c5ea248eeaaa785c4f394cab6d30bbe8d4859ee511f602957b15411ac027671459e46445c9ea58c181e818e95b8c3fb0bf3278409d3be152a3da5043e063dda65cdf5aea20d53dfacd42f74f3";
static const char rfc_server_finished[] =
	"140000209b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718";
/* {server} send handshake record: complete record (679 octets) */
static const char rfc_server_flight_record[] =
	"17030302a2d1ff334a56f5bff6594a07cc87b580233f500f45e489e7f33af35edf7869fcf40aa40aa2b8ea73f848a7ca07612ef9f945cb960b4068905123ea78b111b429ba9191cd05d2a389280f526134aadc7fc78c4b729df828b5ecf7b13bd9aefb0e57f271585b8ea9bb355c7c79020716cfb9b1183ef3ab20e37d57a6b9d7477609aee6e122a4cf51427325250c7d0e509289444c9b3a648f1d71035d2ed65b0e3cdd0cbae8bf2d0b227812cbb360987255cc744110c453baa4fcd610928d809810e4b7ed1a8fd991f06aa6248204797e36a6a73b70a2559c09ead686945ba246ab66e5edd8044b4c6de3fcf2a89441ac66272fd8fb330ef8190579b3684596c960bd596eea520a56a8d650f563aad27409960dca63d3e688611ea5e22f4415cf9538d51a200c27034272968a264ed6540c84838d89f72c24461aad6d26f59ecaba9acbbb317b66d902f4f292a36ac1b639c637ce343117b659622245317b49eeda0c6258f100d7d961ffb138647e92ea330faeea6dfa31c7a84dc3bd7e1b7a6c7178af36879018e3f252107f243d243dc7339d5684c8b0378bf30244da8c87c843f5e56eb4c5e8280a2b48052cf93b16499a66db7cca71e4599426f7d461e66f99882bd89fc50800becca62d6c74116dbd2972fda1fa80f85df881edbe5a37668936b335583b599186dc5c6918a396fa48a181d6b6fa4f9d62d513afbb992f2b992f67f8afe67f76913fa388cb5630c8ca01e0c65d11c66a1e2ac4c85977b7c7a6999bbf10dc35ae69f5515614636c0b9b68c19ed2e31c0b3b66763038ebba42f3b38edc0399f3a9f23faa63978c317fc9fa66a73f60f0504de93b5b845e275592c12335ee340bbc4fddd502784016e4b3be7ef04dda49f4b440a30cb5d2af939828fd4ae3794e44f94df5a631ede42c1719bfdabf0253fe5175be898e750edc53370d2b";
static const char rfc_client_finished[] =
	"14 00 00 20 a8 ec 43 6d 67 76 34 ae 52 5a c1 fc eb e1 1a 03 9e c1 76 94 fa c6 e9 85 27 b6 42 f2 ed d5 ce 61";
static const char rfc_client_finished_record[] =
	"170303003575ec4dc238cce60b298044a71e219c56cc77b0517fe9b93c7a4bfc44d87f38f80338ac98fc46deb384bd1caeacab6867d726c40546";
static const char rfc_new_session_ticket[] =
	"04 00 00 c9 00 00 00 1e fa d6 aa c5 02 00 00 00 b2 2c 03 5d 82 93 59"
	"ee 5f f7 af 4e c9 00 00 00 00 26 2a 64 94 dc 48 6d 2c 8a 34 cb 33 fa"
	"90 bf 1b 00 70 ad 3c 49 88 83 c9 36 7c 09 a2 be 78 5a bc 55 cd 22 60"
	"97 a3 a9 82 11 72 83 f8 2a 03 a1 43 ef d3 ff 5d d3 6d 64 e8 61 be 7f"
	"d6 1d 28 27 db 27 9c ce 14 50 77 d4 54 a3 66 4d 4e 6d a4 d2 9e e0 37"
	"25 a6 a4 da fc d0 fc 67 d2 ae a7 05 29 51 3e 3d a2 67 7f a5 90 6c 5b"
	"3f 7d 8f 92 f2 28 bd a4 0d da 72 14 70 f9 fb f2 97 b5 ae a6 17 64 6f"
	"ac 5c 03 27 2e 97 07 27 c6 21 a7 91 41 ef 5f 7d e6 50 5e 5b fb c3 88"
	"e9 33 43 69 40 93 93 4a e4 d3 57 00 08 00 2a 00 04 00 00 04 00";
static const char rfc_new_session_ticket_record[] =
	"17030300de3a6b8f90414a97d6959c3487680de5134a2b240e6cffac116e95d41d6af8f6b580dcf3d11d63c758db289a015940252f55713e061dc13e078891a38efbcf5753ad8ef170ad3c7353d16d9da773b9ca7f2b9fa1b6c0d4a3d03f75e09c30ba1e62972ac46f75f7b981be63439b2999ce13064615139891d5e4c5b406f16e3fc181a77ca475840025db2f0a77f81b5ab05b94c01346755f69232c86519d86cbeeac87aac347d143f9605d64f650db4d023e70e952ca49fe5137121c74bc2697687e248746d6df353005f3bce18696129c8153556b3b6c6779b37bf15985684f";
/* both sides send these 50 bytes, then close_notify (01 00) */
static const char rfc_app_data[] =
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031";
static const char rfc_client_app_record[] =
	"1703030043a23f7054b62c94d0affafe8228ba55cbefacea42f914aa66bcab3f2b9819a8a5b46b395bd54a9a20441e2b62974e1f5a6292a2977014bd1e3deae63aeebb21694915e4";
static const char rfc_server_app_record[] =
	"17030300432e937e11ef4ac740e538ad36005fc4a46932fc3225d05f82aa1b36e30efaf97d90e6dffc602dcb501a59a8fcc49c4bf2e5f0a21c0047c2abf332540dd032e167c2955d";
static const char rfc_client_close_record[] =
	"1703030013c9872760655666b74d7ff1153efd6db6d0b0e3";
static const char rfc_server_close_record[] =
	"1703030013b58fd67166ebf599d24720cfbe7efa7a8864a9";
static const char rfc_close_notify[] = "01 00";

/* write keys and IVs (RFC 8448 §3, also checked by tls13_keysched_test) */
static const char rfc_s_hs_key[] = "3f ce 51 60 09 c2 17 27 d0 f2 e4 e8 6e e4 03 bc";
static const char rfc_s_hs_iv[] = "5d 31 3e b2 67 12 76 ee 13 00 0b 30";
static const char rfc_c_hs_key[] = "db fa a6 93 d1 76 2c 5b 66 6a f5 d9 50 25 8d 01";
static const char rfc_c_hs_iv[] = "5b d3 c7 1b 83 6e 0b 76 bb 73 26 5f";
static const char rfc_s_ap_key[] = "9f 02 28 3b 6c 9c 07 ef c2 6b b9 f2 ac 92 e3 56";
static const char rfc_s_ap_iv[] = "cf 78 2b 88 dd 83 54 9a ad f1 e9 84";
static const char rfc_c_ap_key[] = "17 42 2d da 59 6e d5 d9 ac d8 90 e3 c6 3f 50 51";
static const char rfc_c_ap_iv[] = "5b 78 92 3d ee 08 57 90 33 e5 23 d9";

static uint8_t buf[RECORD_MAX_LEN], pt[RECORD_MAX_LEN];

/* A keyed direction from raw bytes; the test fails loudly if it is not. */
static int set_keys(struct record_dir *d, enum tls_version v,
		    enum record_cipher c, const void *key, size_t key_len,
		    const void *iv, size_t iv_len, const void *mac,
		    size_t mac_len, bool etm, uint64_t seq, enum record_op op)
{
	return record_dir_from_bytes(d, v, c, key, key_len, iv, iv_len, mac,
				     mac_len, etm, seq, op);
}

static int rfc_keys(struct record_dir *d, const char *key_hex,
		    const char *iv_hex, uint64_t seq, enum record_op op)
{
	struct hexbuf key = unhex(key_hex), iv = unhex(iv_hex);

	return set_keys(d, TLS_VERSION_1_3, RECORD_AES_128_GCM, key.b, key.len,
			iv.b, iv.len, NULL, 0, false, seq, op);
}

/* Parse one whole record from bytes and open it. */
static int parse_open(struct record_dir *d, const uint8_t *rec, size_t len,
		      uint8_t *type, size_t *pt_len)
{
	return record_open_bytes(d, rec, len, type, pt, sizeof(pt), pt_len);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void test_rfc8448_plaintext(void)
{
	struct hexbuf ch = unhex(rfc_client_hello_record);
	struct hexbuf sh = unhex(rfc_server_hello_record);
	struct hexbuf flight = unhex(rfc_server_flight_record);
	struct record_dir d = { 0 };
	struct record_frame f;
	struct reader r;
	uint8_t stream[HEX_MAX], type;
	size_t n, len, bad = 0;

	record_dir_plain(&d, TLS_VERSION_1_0);
	reader_init(&r, ch.b, ch.len);
	CHECK(record_parse(&d, &r, &f) == 0 && f.type == TLS_CT_HANDSHAKE &&
		      f.version == TLS_VERSION_1_0 && f.body_len == 0xc4 &&
		      f.body == ch.b + 5 && reader_done(&r),
	      "RFC 8448 ClientHello record: handshake, 0x0301, 196 bytes");
	CHECK(record_open(&d, &f, &type, pt, sizeof(pt), &len) == 0 &&
		      type == TLS_CT_HANDSHAKE && len == 0xc4 &&
		      !memcmp(pt, ch.b + 5, len),
	      "plaintext open hands the ClientHello out unchanged");
	CHECK(record_seal(&d, TLS_CT_HANDSHAKE, ch.b + 5, 0xc4, 0, buf,
			  sizeof(buf), &n) == 0,
	      "plaintext seal of the ClientHello");
	CHECK_HEX(buf, n, rfc_client_hello_record,
		  "RFC 8448 ClientHello record rebuilt byte for byte");

	/* The ServerHello and the first bytes of the encrypted flight arrive
	 * together: the parser takes the ServerHello and not one byte more.
	 */
	record_dir_plain(&d, TLS_VERSION_1_2);
	memcpy(stream, sh.b, sh.len);
	memcpy(stream + sh.len, flight.b, 100);
	reader_init(&r, stream, sh.len + 100);
	CHECK(record_parse(&d, &r, &f) == 0 && f.size == sh.len &&
		      r.pos == sh.len && f.body_len == sh.len - 5 &&
		      f.version == TLS_VERSION_1_2,
	      "ServerHello framed; the cursor stops at its last byte (%zu)",
	      sh.len);
	CHECK(record_parse(&d, &r, &f) == -EAGAIN && f.size == flight.len &&
		      r.pos == sh.len,
	      "the partial next record: EAGAIN, needs %zu bytes, cursor kept",
	      flight.len);

	for (size_t i = 0; i < sh.len; i++) {
		reader_init(&r, sh.b, i);
		if (record_parse(&d, &r, &f) != -EAGAIN || r.pos != 0 ||
		    f.size != (i < 5 ? 5 : sh.len))
			bad++;
	}
	CHECK(bad == 0, "every truncation of the ServerHello: EAGAIN, %s",
	      "cursor kept, bytes needed told");
	record_dir_wipe(&d);
}

static void test_rfc8448_server_flight(void)
{
	struct hexbuf ee = unhex(rfc_encrypted_extensions);
	struct hexbuf cert = unhex(rfc_certificate);
	struct hexbuf cv = unhex(rfc_certificate_verify);
	struct hexbuf fin = unhex(rfc_server_finished);
	struct hexbuf rec = unhex(rfc_server_flight_record);
	struct record_dir d = { 0 };
	uint8_t flight[HEX_MAX], type = 0;
	size_t len = 0, n = 0;

	memcpy(flight, ee.b, ee.len);
	len += ee.len;
	memcpy(flight + len, cert.b, cert.len);
	len += cert.len;
	memcpy(flight + len, cv.b, cv.len);
	len += cv.len;
	memcpy(flight + len, fin.b, fin.len);
	len += fin.len;
	CHECK(len == 657, "RFC 8448 server flight payload is 657 octets");

	CHECK(rfc_keys(&d, rfc_s_hs_key, rfc_s_hs_iv, 0, RECORD_SEAL) == 0,
	      "server handshake write key, sealing");
	CHECK(record_sealed_len(&d, len, 0) == rec.len,
	      "sealed length is the RFC's 679");
	CHECK(record_seal(&d, TLS_CT_HANDSHAKE, flight, len, 0, buf,
			  sizeof(buf), &n) == 0 && d.seq == 1,
	      "seal EncryptedExtensions..Finished, inner type handshake");
	CHECK_HEX(buf, n, rfc_server_flight_record,
		  "RFC 8448 §3 server flight record byte for byte");

	CHECK(rfc_keys(&d, rfc_s_hs_key, rfc_s_hs_iv, 0, RECORD_OPEN) == 0,
	      "server handshake key, opening");
	CHECK(parse_open(&d, rec.b, rec.len, &type, &n) == 0 &&
		      type == TLS_CT_HANDSHAKE && n == len &&
		      !memcmp(pt, flight, len),
	      "the RFC's record opens to the 657-byte flight");
	record_dir_wipe(&d);
}

/* Open an RFC record with the next number of d; compare type and content. */
static void check_rfc_open(struct record_dir *d, const char *rec_hex,
			   uint8_t want_type, const char *want_hex,
			   const char *what)
{
	struct hexbuf rec = unhex(rec_hex);
	uint64_t seq = d->seq;
	uint8_t type = 0;
	size_t n = 0;

	CHECK(parse_open(d, rec.b, rec.len, &type, &n) == 0 &&
		      type == want_type && d->seq == seq + 1,
	      "RFC 8448 %s opens (seq %llu), type %u", what,
	      (unsigned long long)seq, want_type);
	CHECK_HEX(pt, n, want_hex, "RFC 8448 %s content", what);
}

static void check_rfc_seal(struct record_dir *d, uint8_t type,
			   const char *content_hex, const char *rec_hex,
			   const char *what)
{
	struct hexbuf content = unhex(content_hex);
	size_t n = 0;

	CHECK(record_seal(d, type, content.b, content.len, 0, buf, sizeof(buf),
			  &n) == 0,
	      "seal %s", what);
	CHECK_HEX(buf, n, rec_hex, "RFC 8448 %s record byte for byte", what);
}

static void test_rfc8448_client_and_application(void)
{
	struct record_dir c = { 0 }, s = { 0 };

	CHECK(rfc_keys(&c, rfc_c_hs_key, rfc_c_hs_iv, 0, RECORD_OPEN) == 0,
	      "client handshake key");
	check_rfc_open(&c, rfc_client_finished_record, TLS_CT_HANDSHAKE,
		       rfc_client_finished, "client Finished");

	CHECK(rfc_keys(&c, rfc_c_ap_key, rfc_c_ap_iv, 0, RECORD_OPEN) == 0,
	      "client application key");
	check_rfc_open(&c, rfc_client_app_record, TLS_CT_APPLICATION_DATA,
		       rfc_app_data, "client application data");
	check_rfc_open(&c, rfc_client_close_record, TLS_CT_ALERT,
		       rfc_close_notify, "client close_notify");
	CHECK(rfc_keys(&c, rfc_c_ap_key, rfc_c_ap_iv, 0, RECORD_SEAL) == 0,
	      "client application key, sealing");
	check_rfc_seal(&c, TLS_CT_APPLICATION_DATA, rfc_app_data,
		       rfc_client_app_record, "client application data");

	CHECK(rfc_keys(&s, rfc_s_ap_key, rfc_s_ap_iv, 0, RECORD_OPEN) == 0,
	      "server application key");
	check_rfc_open(&s, rfc_new_session_ticket_record, TLS_CT_HANDSHAKE,
		       rfc_new_session_ticket, "NewSessionTicket");
	check_rfc_open(&s, rfc_server_app_record, TLS_CT_APPLICATION_DATA,
		       rfc_app_data, "server application data");
	/* After the ticket (seq 0), the server's data is record 1. */
	CHECK(rfc_keys(&s, rfc_s_ap_key, rfc_s_ap_iv, 1, RECORD_SEAL) == 0,
	      "server application key, sealing from seq 1");
	check_rfc_seal(&s, TLS_CT_APPLICATION_DATA, rfc_app_data,
		       rfc_server_app_record, "server application data");
	check_rfc_seal(&s, TLS_CT_ALERT, rfc_close_notify,
		       rfc_server_close_record, "server close_notify");
	record_dir_wipe(&c);
	record_dir_wipe(&s);
}

/* Every tampering with a real record is bad_record_mac, and leaks nothing. */
static void test_rfc8448_tampering(void)
{
	struct hexbuf rec = unhex(rfc_client_app_record);
	struct record_dir d = { 0 };
	size_t n, bad = 0, leaked = 0;
	uint8_t type;

	/* every bit of the body (ciphertext and tag), and the version */
	for (size_t bit = 0; bit < (rec.len - 5) * 8 + 16; bit++) {
		size_t byte = bit < 16 ? 1 + bit / 8 : 5 + (bit - 16) / 8;

		if (rfc_keys(&d, rfc_c_ap_key, rfc_c_ap_iv, 0, RECORD_OPEN))
			break;
		memset(pt, 0xaa, sizeof(pt));
		rec.b[byte] ^= (uint8_t)(1 << bit % 8);
		if (parse_open(&d, rec.b, rec.len, &type, &n) != -EBADMSG ||
		    d.seq != 0)
			bad++;
		if (!all_zero(pt, rec.len - 5))
			leaked++;
		rec.b[byte] ^= (uint8_t)(1 << bit % 8);
	}
	CHECK(bad == 0, "each of %zu single-bit flips: EBADMSG, seq kept",
	      (rec.len - 5) * 8 + 16);
	CHECK(leaked == 0, "a rejected record leaves no plaintext in out");

	CHECK(rfc_keys(&d, rfc_c_ap_key, rfc_c_ap_iv, 1, RECORD_OPEN) == 0 &&
		      parse_open(&d, rec.b, rec.len, &type, &n) == -EBADMSG,
	      "the right record at the wrong sequence number: EBADMSG");
	CHECK(rfc_keys(&d, rfc_s_ap_key, rfc_s_ap_iv, 0, RECORD_OPEN) == 0 &&
		      parse_open(&d, rec.b, rec.len, &type, &n) == -EBADMSG,
	      "the client's record under the server's key: EBADMSG");
	record_dir_wipe(&d);
}

/* libcrypto AEAD directly, for records our own seal refuses to build. */
static size_t evp_seal(const char *cipher, const uint8_t *key,
		       const uint8_t nonce[12], const uint8_t *aad,
		       size_t aad_len, const uint8_t *in, size_t len,
		       uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, cipher, NULL);
	int n, ok = ctx && c &&
		    EVP_EncryptInit_ex2(ctx, c, key, nonce, NULL) == 1 &&
		    EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)aad_len) == 1 &&
		    EVP_EncryptUpdate(ctx, out, &n, in, (int)len) == 1 &&
		    EVP_EncryptFinal_ex(ctx, out + len, &n) == 1 &&
		    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16,
					out + len) == 1;

	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(c);
	return ok ? len + 16 : 0;
}

/* A TLS 1.3 record around an arbitrary inner plaintext, RFC 8446 §5.2. */
static size_t tls13_record(const char *key_hex, const char *iv_hex,
			   const uint8_t *inner, size_t len, uint8_t *out)
{
	struct hexbuf key = unhex(key_hex), iv = unhex(iv_hex);
	size_t body = len + 16;

	out[0] = TLS_CT_APPLICATION_DATA;
	out[1] = 3;
	out[2] = 3;
	out[3] = (uint8_t)(body >> 8);
	out[4] = (uint8_t)body;
	/* seq 0: the nonce is the IV itself */
	return evp_seal("AES-128-GCM", key.b, iv.b, out, 5, inner, len,
			out + 5) ?
		       5 + body :
		       0;
}

static void test_tls13_inner_plaintext(void)
{
	static uint8_t inner[TLS_MAX_PLAINTEXT + 2];
	static const struct {
		const char *what;
		size_t len;
		uint8_t type;	   /* at inner[len - 1 - zeros] unless 0 */
		size_t zeros;
		int err;
		size_t content;
	} cases[] = {
		{ "all-zero inner plaintext", 40, 0, 40, -EPROTO, 0 },
		{ "empty inner plaintext", 0, 0, 0, -EPROTO, 0 },
		{ "inner type change_cipher_spec", 2, 20, 0, -EPROTO, 0 },
		{ "unknown inner type 0x42", 3, 0x42, 0, -EPROTO, 0 },
		{ "empty handshake", 1, 22, 0, -EPROTO, 0 },
		{ "empty alert behind padding", 9, 21, 8, -EPROTO, 0 },
		{ "empty application data", 1, 23, 0, 0, 0 },
		{ "content, type and 1000 zeros", 1050, 22, 1000, 0, 49 },
		{ "2^14 bytes of content and the type", TLS_MAX_PLAINTEXT + 1,
		  23, 0, 0, TLS_MAX_PLAINTEXT },
		{ "2^14 + 1 bytes of content", TLS_MAX_PLAINTEXT + 2, 23, 0,
		  -EMSGSIZE, 0 },
		{ "2^14 content and a byte of padding", TLS_MAX_PLAINTEXT + 2,
		  23, 1, -EMSGSIZE, 0 },
	};
	struct record_dir d = { 0 };
	size_t n, got;
	uint8_t type;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t len = cases[i].len;
		int err;

		got = 0;
		type = 0;
		memset(inner, 0x5a, len);
		if (cases[i].type)
			inner[len - 1 - cases[i].zeros] = cases[i].type;
		memset(inner + len - cases[i].zeros, 0, cases[i].zeros);
		n = tls13_record(rfc_s_hs_key, rfc_s_hs_iv, inner, len, buf);
		if (rfc_keys(&d, rfc_s_hs_key, rfc_s_hs_iv, 0, RECORD_OPEN) ||
		    !n)
			break;
		err = parse_open(&d, buf, n, &type, &got);
		CHECK(err == cases[i].err &&
			      (err || (type == cases[i].type &&
				       got == cases[i].content)),
		      "TLS 1.3 %s: %s", cases[i].what,
		      cases[i].err ? strerror(-cases[i].err) : "opens");
	}

	/* §5.2: the outer type is always application_data */
	n = tls13_record(rfc_s_hs_key, rfc_s_hs_iv,
			 (const uint8_t *)"\x01\x16", 2, buf);
	buf[0] = TLS_CT_HANDSHAKE;
	CHECK(rfc_keys(&d, rfc_s_hs_key, rfc_s_hs_iv, 0, RECORD_OPEN) == 0 &&
		      parse_open(&d, buf, n, &type, &got) == -EPROTO,
	      "TLS 1.3 outer type handshake under keys: EPROTO");
	record_dir_wipe(&d);
}

static void test_framing_bounds(void)
{
	static const struct {
		const char *what;
		const char *bytes;
		int keyed; /* 0 plaintext, 12 or 13 for TLS 1.x keys */
		int err;
		size_t need;
	} cases[] = {
		{ "plaintext 2^14", "16 03 03 40 00", 0, -EAGAIN, 16389 },
		{ "plaintext 2^14 + 1", "16 03 03 40 01", 0, -EMSGSIZE, 5 },
		{ "TLS 1.3 2^14 + 256", "17 03 03 41 00", 13, -EAGAIN, 16645 },
		{ "TLS 1.3 2^14 + 257", "17 03 03 41 01", 13, -EMSGSIZE, 5 },
		{ "TLS 1.2 2^14 + 2048", "17 03 03 48 00", 12, -EAGAIN, 18437 },
		{ "TLS 1.2 2^14 + 2049", "17 03 03 48 01", 12, -EMSGSIZE, 5 },
		{ "content type 24 (heartbeat)", "18", 0, -EPROTO, 5 },
		{ "content type 0", "00 03 03 00 01 00", 13, -EPROTO, 5 },
		{ "an HTTP request", "47 45 54 20 2f 20", 0, -EPROTO, 5 },
		{ "a header alone", "17 03 03 00 13", 13, -EAGAIN, 24 },
		{ "no bytes at all", "", 0, -EAGAIN, 5 },
	};
	uint8_t key[32] = { 0 }, iv[12] = { 0 };
	struct record_dir d = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct hexbuf h = unhex(cases[i].bytes);
		struct record_frame f = { 0 };
		struct reader r;
		int err;

		if (!cases[i].keyed)
			record_dir_plain(&d, TLS_VERSION_1_2);
		else if (set_keys(&d, cases[i].keyed == 13 ? TLS_VERSION_1_3 :
							     TLS_VERSION_1_2,
				  RECORD_AES_256_GCM, key, 32, iv,
				  cases[i].keyed == 13 ? 12 : 4, NULL, 0,
				  false, 0, RECORD_OPEN))
			break;
		reader_init(&r, h.b, h.len);
		err = record_parse(&d, &r, &f);
		CHECK(err == cases[i].err && r.pos == 0 &&
			      (err != -EAGAIN || f.size == cases[i].need),
		      "framing %s: %s%s", cases[i].what,
		      strerror(-cases[i].err),
		      cases[i].err == -EAGAIN ? ", needed bytes told" : "");
	}

	/* record_open checks the bound too, for frames built by hand */
	{
		struct record_frame f = {
			.type = TLS_CT_APPLICATION_DATA,
			.version = TLS_VERSION_1_2,
			.body = buf,
			.body_len = TLS13_MAX_CIPHERTEXT + 1,
		};
		uint8_t type;
		size_t n;

		CHECK(set_keys(&d, TLS_VERSION_1_3, RECORD_AES_256_GCM, key,
			       32, iv, 12, NULL, 0, false, 0,
			       RECORD_OPEN) == 0 &&
			      record_open(&d, &f, &type, pt, sizeof(pt), &n) ==
				      -EMSGSIZE,
		      "TLS 1.3 open of a 2^14 + 257 byte body: EMSGSIZE");
		f.type = TLS_CT_HANDSHAKE;
		f.body_len = 0;
		record_dir_plain(&d, TLS_VERSION_1_2);
		CHECK(record_open(&d, &f, &type, pt, sizeof(pt), &n) == -EPROTO,
		      "empty plaintext handshake record: EPROTO");
		f.type = TLS_CT_APPLICATION_DATA;
		CHECK(record_open(&d, &f, &type, pt, sizeof(pt), &n) == 0 &&
			      n == 0,
		      "empty application data record is allowed");
		f.type = TLS_CT_HANDSHAKE;
		f.body_len = TLS_MAX_PLAINTEXT + 1;
		CHECK(record_open(&d, &f, &type, pt, sizeof(pt), &n) ==
			      -EMSGSIZE,
		      "plaintext open of 2^14 + 1 bytes: EMSGSIZE");
	}
	record_dir_wipe(&d);
}

/* A TLS 1.2 AES-GCM record of any length, built with libcrypto (RFC 5288). */
static void test_tls12_overflow(void)
{
	static uint8_t big[TLS_MAX_PLAINTEXT + 1];
	uint8_t key[16] = { 7 }, salt[4] = { 1, 2, 3, 4 }, nonce[12] = { 0 };
	uint8_t aad[13] = { 0 }, type;
	struct record_dir d = { 0 };
	size_t n, len;

	for (len = TLS_MAX_PLAINTEXT; len <= TLS_MAX_PLAINTEXT + 1; len++) {
		size_t body = 8 + len + 16;

		memcpy(nonce, salt, 4); /* explicit part: seq 0 */
		aad[8] = TLS_CT_APPLICATION_DATA;
		aad[9] = 3;
		aad[10] = 3;
		aad[11] = (uint8_t)(len >> 8);
		aad[12] = (uint8_t)len;
		buf[0] = TLS_CT_APPLICATION_DATA;
		buf[1] = 3;
		buf[2] = 3;
		buf[3] = (uint8_t)(body >> 8);
		buf[4] = (uint8_t)body;
		memset(buf + 5, 0, 8);
		if (!evp_seal("AES-128-GCM", key, nonce, aad, sizeof(aad), big,
			      len, buf + 13) ||
		    set_keys(&d, TLS_VERSION_1_2, RECORD_AES_128_GCM, key, 16,
			     salt, 4, NULL, 0, false, 0, RECORD_OPEN))
			break;
		CHECK(parse_open(&d, buf, 5 + body, &type, &n) ==
			      (len > TLS_MAX_PLAINTEXT ? -EMSGSIZE : 0),
		      "TLS 1.2 GCM record decrypting to %zu bytes: %s", len,
		      len > TLS_MAX_PLAINTEXT ? "EMSGSIZE" : "opens");
	}
	/* RFC 5246 §6.2.1: the negotiated version on every record */
	buf[2] = 1;
	CHECK(set_keys(&d, TLS_VERSION_1_2, RECORD_AES_128_GCM, key, 16, salt,
		       4, NULL, 0, false, 0, RECORD_OPEN) == 0 &&
		      parse_open(&d, buf, 5 + 8 + len - 1 + 16, &type, &n) ==
			      -EPROTONOSUPPORT,
	      "TLS 1.2 record with version 0x0301 under keys: EPROTONOSUPPORT");
	record_dir_wipe(&d);
}

static void test_misuse(void)
{
	uint8_t key[32] = { 0 }, iv[12] = { 0 }, type;
	struct record_dir d = { 0 }, o = { 0 };
	struct record_frame f = { 0 };
	struct reader r;
	size_t n;

	reader_init(&r, "\x16\x03\x03\x00\x01\x01", 6);
	CHECK(record_seal(&d, TLS_CT_HANDSHAKE, "x", 1, 0, buf, sizeof(buf),
			  &n) == -EINVAL &&
		      record_parse(&d, &r, &f) == -EINVAL,
	      "a zeroed direction refuses to seal or parse: EINVAL");
	CHECK(set_keys(&d, TLS_VERSION_1_3, RECORD_AES_128_GCM, key, 15, iv,
		       12, NULL, 0, false, 0, RECORD_SEAL) == -EINVAL &&
		      d.cipher == 0 &&
		      record_seal(&d, TLS_CT_HANDSHAKE, "x", 1, 0, buf,
				  sizeof(buf), &n) == -EINVAL,
	      "a 15-byte AES-128 key: EINVAL, and the dir does not fall back "
	      "to plaintext");
	CHECK(set_keys(&d, TLS_VERSION_1_3, RECORD_AES_128_CBC_SHA256, key,
		       16, NULL, 0, key, 32, false, 0, RECORD_SEAL) == -EINVAL,
	      "CBC under TLS 1.3: EINVAL");
	CHECK(set_keys(&d, TLS_VERSION_1_2, RECORD_AES_128_GCM, key, 16, iv, 4,
		       NULL, 0, true, 0, RECORD_SEAL) == -EINVAL,
	      "encrypt_then_mac with an AEAD: EINVAL");
	CHECK(set_keys(&d, TLS_VERSION_1_2, RECORD_AES_128_GCM, key, 16, iv,
		       12, NULL, 0, false, 0, RECORD_SEAL) == -EINVAL,
	      "a 12-byte IV for TLS 1.2 GCM (a 4-byte salt): EINVAL");
	CHECK(set_keys(&d, TLS_VERSION_1_2, RECORD_AES_256_CBC_SHA256, key,
		       32, NULL, 0, key, 20, false, 0, RECORD_SEAL) == -EINVAL,
	      "a 20-byte MAC key for HMAC-SHA256: EINVAL");

	CHECK(set_keys(&d, TLS_VERSION_1_3, RECORD_AES_128_GCM, key, 16, iv,
		       12, NULL, 0, false, 0, RECORD_SEAL) == 0 &&
		      set_keys(&o, TLS_VERSION_1_3, RECORD_AES_128_GCM, key,
			       16, iv, 12, NULL, 0, false, 0, RECORD_OPEN) == 0,
	      "TLS 1.3 AES-128-GCM sealing and opening dirs");
	CHECK(record_seal(&o, TLS_CT_HANDSHAKE, "x", 1, 0, buf, sizeof(buf),
			  &n) == -EINVAL,
	      "sealing with an opening dir: EINVAL");
	CHECK(record_seal(&d, TLS_CT_HANDSHAKE, "x", 1, 0, buf, 22, &n) ==
			      -ENOBUFS &&
		      d.seq == 0,
	      "22 bytes of room for a 23-byte record: ENOBUFS, seq kept");
	CHECK(record_seal(&d, TLS_CT_HANDSHAKE, "", 0, 0, buf, sizeof(buf),
			  &n) == -EINVAL,
	      "an empty handshake fragment: EINVAL (RFC 8446 §5.1)");
	CHECK(record_seal(&d, TLS_CT_CHANGE_CIPHER_SPEC, "\x01", 1, 0, buf,
			  sizeof(buf), &n) == -EINVAL,
	      "change_cipher_spec under TLS 1.3 keys: EINVAL");
	CHECK(record_seal(&d, TLS_CT_APPLICATION_DATA, pt,
			  TLS_MAX_PLAINTEXT + 1, 0, buf, sizeof(buf),
			  &n) == -EMSGSIZE,
	      "2^14 + 1 bytes of content: EMSGSIZE");
	CHECK(record_seal(&d, TLS_CT_APPLICATION_DATA, pt, 100,
			  TLS_MAX_PLAINTEXT - 99, buf, sizeof(buf),
			  &n) == -EMSGSIZE,
	      "content and padding over 2^14: EMSGSIZE");
	memset(pt, 0x33, TLS_MAX_PLAINTEXT);
	CHECK(record_seal(&d, TLS_CT_APPLICATION_DATA, pt, TLS_MAX_PLAINTEXT,
			  0, buf, sizeof(buf), &n) == 0 &&
		      n == 5 + TLS_MAX_PLAINTEXT + 17 &&
		      parse_open(&o, buf, n, &type, &n) == 0 &&
		      n == TLS_MAX_PLAINTEXT && pt[n - 1] == 0x33,
	      "exactly 2^14 bytes seal and open back");
	CHECK(record_open(&o, &(struct record_frame){ .type = 23,
						       .version = 0x0303,
						       .body = buf,
						       .body_len = 100 },
			  &type, pt, 99, &n) == -ENOBUFS,
	      "opening into less room than the body: ENOBUFS");

	CHECK(set_keys(&d, TLS_VERSION_1_2, RECORD_AES_128_GCM, key, 16, iv, 4,
		       NULL, 0, false, 0, RECORD_SEAL) == 0 &&
		      record_sealed_len(&d, 10, 1) == 0 &&
		      record_seal(&d, TLS_CT_HANDSHAKE, "x", 1, 1, buf,
				  sizeof(buf), &n) == -EINVAL,
	      "padding asked of TLS 1.2: EINVAL");
	record_dir_wipe(&d);
	CHECK(d.cipher == 0 && d.cipher_ctx == NULL && all_zero((void *)&d,
								sizeof(d)),
	      "record_dir_wipe leaves nothing but zeros");
	record_dir_wipe(&o);
}

static void test_sequence_exhaustion(void)
{
	uint8_t key[16] = { 9 }, iv[12] = { 8 }, salt[4] = { 7 }, type;
	struct record_dir s = { 0 }, o = { 0 };
	size_t n, m;

	CHECK(set_keys(&s, TLS_VERSION_1_3, RECORD_AES_128_GCM, key, 16, iv,
		       12, NULL, 0, false, UINT64_MAX, RECORD_SEAL) == 0 &&
		      set_keys(&o, TLS_VERSION_1_3, RECORD_AES_128_GCM, key,
			       16, iv, 12, NULL, 0, false, UINT64_MAX,
			       RECORD_OPEN) == 0,
	      "TLS 1.3 dirs at sequence number 2^64 - 1");
	CHECK(record_seal(&s, TLS_CT_HANDSHAKE, "last", 4, 0, buf, sizeof(buf),
			  &n) == 0 &&
		      parse_open(&o, buf, n, &type, &m) == 0 && m == 4,
	      "record 2^64 - 1 seals and opens");
	CHECK(record_seal(&s, TLS_CT_HANDSHAKE, "more", 4, 0, buf, sizeof(buf),
			  &m) == -EKEYEXPIRED,
	      "one more seal would wrap the sequence: EKEYEXPIRED");
	CHECK(parse_open(&o, buf, n, &type, &m) == -EKEYEXPIRED,
	      "one more open would wrap the sequence: EKEYEXPIRED");

	CHECK(set_keys(&s, TLS_VERSION_1_2, RECORD_AES_128_GCM, key, 16, salt,
		       4, NULL, 0, false, UINT64_MAX, RECORD_SEAL) == 0 &&
		      record_seal(&s, TLS_CT_HANDSHAKE, "last", 4, 0, buf,
				  sizeof(buf), &n) == 0,
	      "TLS 1.2 GCM seals record 2^64 - 1");
	CHECK_HEX(buf + 5, 8, "ff ff ff ff ff ff ff ff",
		  "its nonce_explicit is the sequence number (RFC 5288 §3)");
	CHECK(record_seal(&s, TLS_CT_HANDSHAKE, "more", 4, 0, buf, sizeof(buf),
			  &n) == -EKEYEXPIRED,
	      "TLS 1.2 refuses to wrap too: EKEYEXPIRED");
	record_dir_wipe(&s);
	record_dir_wipe(&o);
}

/* libssl on both ends of a BIO pair; we read and write the wire between. */
struct conn {
	SSL_CTX *cctx, *sctx;
	SSL *client, *server;
	BIO *cbio, *sbio; /* the client's and the server's end */
	struct secret c_ap, s_ap; /* TLS 1.3, from the key log */
};

static EVP_PKEY *server_key;
static X509 *server_cert;

/* A self-signed RSA certificate, made fresh: no keys in the repository. */
static int make_certificate(void)
{
	static const unsigned char cn[] = "ktlso test";
	X509_NAME *name;
	int ok;

	server_key = EVP_RSA_gen(2048);
	server_cert = X509_new();
	if (!server_key || !server_cert)
		return -1;
	name = X509_get_subject_name(server_cert);
	ok = X509_set_version(server_cert, 2) == 1;
	ok &= ASN1_INTEGER_set(X509_get_serialNumber(server_cert), 1) == 1;
	ok &= X509_gmtime_adj(X509_getm_notBefore(server_cert), -60) != NULL;
	ok &= X509_gmtime_adj(X509_getm_notAfter(server_cert), 3600) != NULL;
	ok &= X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, cn, -1, -1,
					 0) == 1;
	ok &= X509_set_issuer_name(server_cert, name) == 1;
	ok &= X509_set_pubkey(server_cert, server_key) == 1;
	ok &= X509_sign(server_cert, server_key, EVP_sha256()) > 0;
	return ok ? 0 : -1;
}

static void on_keylog(const SSL *ssl, const char *line)
{
	struct conn *c = SSL_get_app_data(ssl);
	char label[64], hex[2 * SECRET_MAX + 1];
	struct secret *s = NULL;
	struct hexbuf h;

	/* "LABEL <client_random> <secret>", NSS key log format */
	if (sscanf(line, "%63s %*s %128s", label, hex) != 2)
		return;
	if (!strcmp(label, "CLIENT_TRAFFIC_SECRET_0"))
		s = &c->c_ap;
	else if (!strcmp(label, "SERVER_TRAFFIC_SECRET_0"))
		s = &c->s_ap;
	if (!s)
		return;
	h = unhex(hex);
	if (secret_set(s, h.b, h.len))
		secret_wipe(s);
	OPENSSL_cleanse(&h, sizeof(h));
	OPENSSL_cleanse(hex, sizeof(hex));
}

static void conn_close(struct conn *c)
{
	SSL_free(c->client);
	SSL_free(c->server);
	SSL_CTX_free(c->cctx);
	SSL_CTX_free(c->sctx);
	secret_wipe(&c->c_ap);
	secret_wipe(&c->s_ap);
	memset(c, 0, sizeof(*c));
}

struct suite_case {
	const char *name; /* libssl's */
	int version;
	enum record_cipher cipher;
	enum tls_hash hash;
	size_t key_len;
	enum tls12_aead aead; /* TLS 1.2 AEAD suites only */
	size_t mac_len;	      /* TLS 1.2 CBC suites only */
	bool etm;
};

static int setup_ctx(SSL_CTX *ctx, const struct suite_case *sc)
{
	ENSURE(SSL_CTX_set_min_proto_version(ctx, sc->version) == 1 &&
		       SSL_CTX_set_max_proto_version(ctx, sc->version) == 1,
	       -EIO);
	if (sc->version == TLS1_3_VERSION)
		ENSURE(SSL_CTX_set_ciphersuites(ctx, sc->name) == 1, -EIO);
	else
		ENSURE(SSL_CTX_set_cipher_list(ctx, sc->name) == 1, -EIO);
	/* MAC-then-encrypt is what RFC 5246 describes; libssl would
	 * otherwise negotiate RFC 7366 for CBC suites.
	 */
	if (!sc->etm)
		SSL_CTX_set_options(ctx, SSL_OP_NO_ENCRYPT_THEN_MAC);
	return 0;
}

static int conn_open(struct conn *c, const struct suite_case *sc)
{
	memset(c, 0, sizeof(*c));
	c->cctx = SSL_CTX_new(TLS_client_method());
	c->sctx = SSL_CTX_new(TLS_server_method());
	ENSURE(c->cctx && c->sctx, -ENOMEM);
	TRY(setup_ctx(c->cctx, sc));
	TRY(setup_ctx(c->sctx, sc));
	ENSURE(SSL_CTX_use_certificate(c->sctx, server_cert) == 1 &&
		       SSL_CTX_use_PrivateKey(c->sctx, server_key) == 1,
	       -EIO);
	/* no tickets: the first application record is number 0 in TLS 1.3 */
	SSL_CTX_set_num_tickets(c->sctx, 0);
	SSL_CTX_set_keylog_callback(c->cctx, on_keylog);
	/* libssl's client pads its TLS 1.3 records: we must strip that */
	ENSURE(SSL_CTX_set_block_padding(c->cctx, 64) == 1, -EIO);
	c->client = SSL_new(c->cctx);
	c->server = SSL_new(c->sctx);
	ENSURE(c->client && c->server, -ENOMEM);
	SSL_set_app_data(c->client, c);
	ENSURE(BIO_new_bio_pair(&c->cbio, 0, &c->sbio, 0) == 1, -ENOMEM);
	SSL_set_bio(c->client, c->cbio, c->cbio);
	SSL_set_bio(c->server, c->sbio, c->sbio);
	SSL_set_connect_state(c->client);
	SSL_set_accept_state(c->server);
	for (int i = 0; i < 20; i++) {
		int rc = SSL_do_handshake(c->client);
		int rs = SSL_do_handshake(c->server);

		if (rc == 1 && rs == 1)
			return BIO_ctrl_pending(c->cbio) ||
					       BIO_ctrl_pending(c->sbio) ?
				       -EPROTO :
				       0;
		ENSURE(rc == 1 ||
			       SSL_get_error(c->client, rc) ==
				       SSL_ERROR_WANT_READ,
		       -EPROTO);
		ENSURE(rs == 1 ||
			       SSL_get_error(c->server, rs) ==
				       SSL_ERROR_WANT_READ,
		       -EPROTO);
	}
	return -ETIMEDOUT;
}

enum { C_OPEN, C_SEAL, S_OPEN, S_SEAL };

/*
 * The four directions from libssl's TLS 1.2 secrets: the master secret and
 * randoms through our PRF, split per RFC 5246 §6.3. The Finished records
 * were number 0: application data starts at 1.
 */
static int tls12_dirs(struct conn *c, const struct suite_case *sc,
		      struct record_dir d[4])
{
	struct secret master SECRET_SCOPED = { 0 };
	uint8_t ms[TLS12_MASTER_SECRET_LEN], cr[32], sr[32], kb[2 * (48 + 32)];
	size_t k = sc->key_len, m = sc->mac_len;
	int err;

	ENSURE(SSL_SESSION_get_master_key(SSL_get_session(c->client), ms,
					  sizeof(ms)) == sizeof(ms) &&
		       SSL_get_client_random(c->client, cr, 32) == 32 &&
		       SSL_get_server_random(c->client, sr, 32) == 32,
	       -EIO);
	err = secret_set(&master, ms, sizeof(ms));
	OPENSSL_cleanse(ms, sizeof(ms));
	TRY(err);
	if (sc->aead) {
		struct tls12_aead_keys keys = { 0 };

		err = tls12_aead_keys(sc->hash, sc->aead, &master, cr, sr,
				      &keys);
		for (int i = 0; i < 4 && !err; i++) {
			const struct secret *key = i < 2 ? &keys.client_key :
							   &keys.server_key;
			const struct secret *iv = i < 2 ? &keys.client_iv :
							  &keys.server_iv;

			err = set_keys(&d[i], TLS_VERSION_1_2, sc->cipher,
				       key->bytes, key->len, iv->bytes,
				       iv->len, NULL, 0, false, 1,
				       i % 2 ? RECORD_SEAL : RECORD_OPEN);
		}
		tls12_aead_keys_wipe(&keys);
		return err;
	}
	/* client MAC, server MAC, client key, server key (IVs unused) */
	err = tls12_key_block(sc->hash, &master, sr, cr, kb, 2 * (m + k));
	for (int i = 0; i < 4 && !err; i++)
		err = set_keys(&d[i], TLS_VERSION_1_2, sc->cipher,
			       kb + 2 * m + (i < 2 ? 0 : k), k, NULL, 0,
			       kb + (i < 2 ? 0 : m), m, sc->etm, 1,
			       i % 2 ? RECORD_SEAL : RECORD_OPEN);
	OPENSSL_cleanse(kb, sizeof(kb));
	return err;
}

/* TLS 1.3: the key log's traffic secrets through our key schedule (§7.3). */
static int tls13_dirs(struct conn *c, const struct suite_case *sc,
		      struct record_dir d[4])
{
	int err = 0;

	ENSURE(c->c_ap.len && c->s_ap.len, -ENOKEY);
	for (int i = 0; i < 4 && !err; i++) {
		const struct secret *traffic = i < 2 ? &c->c_ap : &c->s_ap;
		struct secret key SECRET_SCOPED = { 0 };
		struct secret iv SECRET_SCOPED = { 0 };

		err = tls13_traffic_key_iv(sc->hash, traffic, sc->key_len, 12,
					   &key, &iv);
		if (!err)
			err = set_keys(&d[i], TLS_VERSION_1_3, sc->cipher,
				       key.bytes, key.len, iv.bytes, iv.len,
				       NULL, 0, false, 0,
				       i % 2 ? RECORD_SEAL : RECORD_OPEN);
	}
	return err;
}

/* libssl writes; we take the record off the wire and open it. */
static int from_libssl(SSL *writer, BIO *wire, struct record_dir *d,
		       const uint8_t *msg, size_t len)
{
	static uint8_t rec[2 * RECORD_MAX_LEN];
	uint8_t type;
	size_t got;
	int n;

	ENSURE(SSL_write(writer, msg, (int)len) == (int)len, -EIO);
	n = BIO_read(wire, rec, sizeof(rec));
	ENSURE(n > 0, -EIO);
	TRY(parse_open(d, rec, (size_t)n, &type, &got));
	ENSURE(type == TLS_CT_APPLICATION_DATA && got == len &&
		       !memcmp(pt, msg, len),
	       -EINVAL);
	return 0;
}

/* We seal; libssl reads it off the wire and must get the message back. */
static int to_libssl(SSL *reader, BIO *wire, struct record_dir *d,
		     const uint8_t *msg, size_t len, size_t pad)
{
	static uint8_t got[TLS_MAX_PLAINTEXT];
	size_t n;
	int r;

	TRY(record_seal(d, TLS_CT_APPLICATION_DATA, msg, len, pad, buf,
			sizeof(buf), &n));
	ENSURE(BIO_write(wire, buf, (int)n) == (int)n, -EIO);
	r = SSL_read(reader, got, sizeof(got));
	if (r <= 0)
		ERR_print_errors_fp(stdout);
	ENSURE(r == (int)len && !memcmp(got, msg, len), -EBADMSG);
	return 0;
}

static void test_libssl(const struct suite_case *sc)
{
	static uint8_t msg[TLS_MAX_PLAINTEXT];
	static const size_t sizes[] = { 1, 1000, TLS_MAX_PLAINTEXT };
	struct record_dir d[4] = { 0 };
	const char *v = sc->version == TLS1_3_VERSION ? "TLS 1.3" : "TLS 1.2";
	const char *mode = sc->aead || sc->version == TLS1_3_VERSION ? "" :
			   sc->etm ? ", encrypt-then-MAC" :
				     ", MAC-then-encrypt";
	int ok[4] = { 1, 1, 1, 1 };
	struct conn c;
	int err;

	err = conn_open(&c, sc);
	CHECK(err == 0, "%s %s%s: libssl handshake in process", v, sc->name,
	      mode);
	if (err) {
		ERR_print_errors_fp(stdout);
		conn_close(&c);
		return;
	}
	err = sc->version == TLS1_3_VERSION ? tls13_dirs(&c, sc, d) :
					      tls12_dirs(&c, sc, d);
	CHECK(err == 0, "%s %s%s: keys derived from libssl's secrets", v,
	      sc->name, mode);
	for (size_t i = 0; !err && i < ARRAY_SIZE(sizes); i++) {
		size_t len = sizes[i];
		size_t pad = sc->version == TLS1_3_VERSION && i == 0 ? 100 : 0;

		for (size_t j = 0; j < len; j++)
			msg[j] = (uint8_t)(j * 7 + i);
		ok[0] &= from_libssl(c.client, c.sbio, &d[C_OPEN], msg, len) ==
			 0;
		ok[1] &= to_libssl(c.server, c.cbio, &d[C_SEAL], msg, len,
				   pad) == 0;
		ok[2] &= from_libssl(c.server, c.cbio, &d[S_OPEN], msg, len) ==
			 0;
		ok[3] &= to_libssl(c.client, c.sbio, &d[S_SEAL], msg, len,
				   pad) == 0;
	}
	if (!err) {
		CHECK(ok[0], "%s %s%s: we open libssl client's records "
			     "(1, 1000, 16384 bytes)", v, sc->name, mode);
		CHECK(ok[1], "%s %s%s: libssl server reads the records we "
			     "seal as the client", v, sc->name, mode);
		CHECK(ok[2], "%s %s%s: we open libssl server's records", v,
		      sc->name, mode);
		CHECK(ok[3], "%s %s%s: libssl client reads the records we "
			     "seal as the server", v, sc->name, mode);
	}
	for (int i = 0; i < 4; i++)
		record_dir_wipe(&d[i]);
	conn_close(&c);
}

static const struct suite_case suites[] = {
	{ "ECDHE-RSA-AES128-GCM-SHA256", TLS1_2_VERSION, RECORD_AES_128_GCM,
	  TLS_HASH_SHA256, 16, TLS12_AES_128_GCM, 0, false },
	{ "ECDHE-RSA-AES256-GCM-SHA384", TLS1_2_VERSION, RECORD_AES_256_GCM,
	  TLS_HASH_SHA384, 32, TLS12_AES_256_GCM, 0, false },
	{ "ECDHE-RSA-CHACHA20-POLY1305", TLS1_2_VERSION,
	  RECORD_CHACHA20_POLY1305, TLS_HASH_SHA256, 32,
	  TLS12_CHACHA20_POLY1305, 0, false },
	/* CBC: each HMAC, and each with and without encrypt_then_mac */
	{ "ECDHE-RSA-AES128-SHA", TLS1_2_VERSION, RECORD_AES_128_CBC_SHA,
	  TLS_HASH_SHA256, 16, 0, 20, false },
	{ "ECDHE-RSA-AES128-SHA", TLS1_2_VERSION, RECORD_AES_128_CBC_SHA,
	  TLS_HASH_SHA256, 16, 0, 20, true },
	{ "ECDHE-RSA-AES256-SHA", TLS1_2_VERSION, RECORD_AES_256_CBC_SHA,
	  TLS_HASH_SHA256, 32, 0, 20, false },
	{ "ECDHE-RSA-AES256-SHA", TLS1_2_VERSION, RECORD_AES_256_CBC_SHA,
	  TLS_HASH_SHA256, 32, 0, 20, true },
	{ "ECDHE-RSA-AES128-SHA256", TLS1_2_VERSION, RECORD_AES_128_CBC_SHA256,
	  TLS_HASH_SHA256, 16, 0, 32, false },
	{ "ECDHE-RSA-AES128-SHA256", TLS1_2_VERSION, RECORD_AES_128_CBC_SHA256,
	  TLS_HASH_SHA256, 16, 0, 32, true },
	{ "AES256-SHA256", TLS1_2_VERSION, RECORD_AES_256_CBC_SHA256,
	  TLS_HASH_SHA256, 32, 0, 32, false },
	{ "AES256-SHA256", TLS1_2_VERSION, RECORD_AES_256_CBC_SHA256,
	  TLS_HASH_SHA256, 32, 0, 32, true },
	/* RFC 5289 §3.2: the SHA-384 suites' PRF is SHA-384 */
	{ "ECDHE-RSA-AES256-SHA384", TLS1_2_VERSION, RECORD_AES_256_CBC_SHA384,
	  TLS_HASH_SHA384, 32, 0, 48, false },
	{ "ECDHE-RSA-AES256-SHA384", TLS1_2_VERSION, RECORD_AES_256_CBC_SHA384,
	  TLS_HASH_SHA384, 32, 0, 48, true },
	{ "TLS_AES_128_GCM_SHA256", TLS1_3_VERSION, RECORD_AES_128_GCM,
	  TLS_HASH_SHA256, 16, 0, 0, false },
	{ "TLS_AES_256_GCM_SHA384", TLS1_3_VERSION, RECORD_AES_256_GCM,
	  TLS_HASH_SHA384, 32, 0, 0, false },
	{ "TLS_CHACHA20_POLY1305_SHA256", TLS1_3_VERSION,
	  RECORD_CHACHA20_POLY1305, TLS_HASH_SHA256, 32, 0, 0, false },
};

int main(void)
{
	test_rfc8448_plaintext();
	test_rfc8448_server_flight();
	test_rfc8448_client_and_application();
	test_rfc8448_tampering();
	test_tls13_inner_plaintext();
	test_framing_bounds();
	test_tls12_overflow();
	test_misuse();
	test_sequence_exhaustion();

	CHECK(make_certificate() == 0, "RSA-2048 test certificate made");
	for (size_t i = 0; server_cert && i < ARRAY_SIZE(suites); i++)
		test_libssl(&suites[i]);
	X509_free(server_cert);
	EVP_PKEY_free(server_key);
	return check_summary();
}
