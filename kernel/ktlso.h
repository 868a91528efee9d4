/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KTLSO_H
#define KTLSO_H

#include <linux/ktlso.h>
#include <linux/mutex.h>
#include <linux/timer.h>
#include <linux/tls.h>
#include <net/inet_connection_sock.h>
#include <net/sock.h>

#include "compat.h"

struct aead_request;
struct scatterlist;

#define KTLSO_REC_SEQ_SIZE 8
#define KTLSO_NONCE_SIZE 12	/* salt || iv: the AEAD nonce of every cipher */
#define KTLSO_AEAD_IV_SIZE 16	/* CCM's counter block needs one more byte */
#define KTLSO_HEADER_SIZE 5	/* RFC 8446 §5.1: type, legacy version, length */
#define KTLSO_MAX_PLAINTEXT (1 << 14)	/* RFC 8446 §5.1 */
#define KTLSO_MAX_TAG 16
#define KTLSO_MAX_EXPLICIT_NONCE 8
#define KTLSO_CBC_BLOCK 16	/* AES */
#define KTLSO_CBC_MAX_PADDING 256	/* RFC 5246 §6.2.3.2: padding, its length */
#define KTLSO_MAX_MAC 48	/* HMAC-SHA384 */
/* The longest record ktlso seals: CBC's, whose padding is less than a
 * block; an AEAD's is shorter.
 */
#define KTLSO_MAX_RECORD (KTLSO_HEADER_SIZE + KTLSO_CBC_BLOCK + KTLSO_MAX_PLAINTEXT + \
			  KTLSO_MAX_MAC + KTLSO_CBC_BLOCK)
/* The longest fragment ktlso accepts: CBC's with the most padding. */
#define KTLSO_MAX_FRAGMENT (KTLSO_CBC_BLOCK + KTLSO_MAX_PLAINTEXT + KTLSO_MAX_MAC + \
			    KTLSO_CBC_MAX_PADDING)
#define KTLSO_AAD12_SIZE 13	/* RFC 5246 §6.2.3.3: seq, type, version, length */
#define KTLSO_RECORD_CHANGE_CIPHER_SPEC 20	/* RFC 8446 §5.1 ContentType */
#define KTLSO_RECORD_ALERT 21
#define KTLSO_RECORD_HANDSHAKE 22
#define KTLSO_RECORD_DATA 23
#define KTLSO_HANDSHAKE_HELLO_REQUEST 0	/* RFC 5246 §7.4 */
#define KTLSO_HANDSHAKE_CLIENT_HELLO 1	/* RFC 8446 §4 HandshakeType */
#define KTLSO_HANDSHAKE_NEW_SESSION_TICKET 4
#define KTLSO_HANDSHAKE_CERTIFICATE_REQUEST 13
#define KTLSO_HANDSHAKE_KEY_UPDATE 24
#define KTLSO_HANDSHAKE_HEADER_SIZE 4	/* msg_type, uint24 length */

/* RFC 8446 §6 AlertLevel and AlertDescription (the ones we use) */
#define KTLSO_ALERT_WARNING 1
#define KTLSO_ALERT_FATAL 2
#define KTLSO_ALERT_CLOSE_NOTIFY 0
#define KTLSO_ALERT_UNEXPECTED_MESSAGE 10
#define KTLSO_ALERT_BAD_RECORD_MAC 20
#define KTLSO_ALERT_RECORD_OVERFLOW 22
#define KTLSO_ALERT_ILLEGAL_PARAMETER 47
#define KTLSO_ALERT_DECODE_ERROR 50
#define KTLSO_ALERT_USER_CANCELED 90
#define KTLSO_ALERT_NO_RENEGOTIATION 100
#define KTLSO_ALERT_NONE (-1)

struct ktlso_crypto;

/*
 * How one kind of cipher protects records: an AEAD (record.c, crypto.c) or
 * CBC with HMAC (record_cbc.c). Lengths are of a record's fragment, the
 * bytes after its header.
 */
struct ktlso_record_ops {
	int (*init)(struct ktlso_crypto *c);	/* keys from c->info */
	void (*uninit)(struct ktlso_crypto *c);
	unsigned int (*fragment_len)(const struct ktlso_crypto *c,
				     unsigned int plaintext_len);
	int (*check_len)(const struct ktlso_crypto *c, unsigned int fragment_len);
	unsigned int (*inner_len)(const struct ktlso_crypto *c,
				  unsigned int fragment_len);
	int (*seal)(struct ktlso_crypto *c, u8 type, unsigned int len, u8 *head,
		    struct scatterlist *src, struct scatterlist *dst);
	int (*open)(struct ktlso_crypto *c, const u8 *head,
		    struct scatterlist *src, struct scatterlist *dst);
	int (*content)(const struct ktlso_crypto *c, u8 outer_type,
		       const u8 *inner, unsigned int *len, u8 *type);
	/* TLS 1.2 plaintext is the content alone: it may be decrypted
	 * straight into the application's memory.
	 */
	bool plaintext_is_content;
};

extern const struct ktlso_record_ops ktlso_aead_ops;
extern const struct ktlso_record_ops ktlso_cbc_ops;

struct ktlso_cipher {
	const struct ktlso_record_ops *ops;
	u16 type;		/* TLS_CIPHER_*, KTLSO_CIPHER_* */
	u16 info_size;		/* sizeof its crypto_info struct: the exact optlen */
	u8 iv, key, salt, tag;	/* field sizes; CBC: tag is the MAC's */
	u8 mac_key;		/* CBC: the HMAC key's size */
	/* Where the fields are in the crypto_info struct. */
	u8 iv_at, key_at, salt_at, mac_key_at, rec_seq_at;
	u8 prefix;		/* TLS 1.2: bytes of IV ahead of the ciphertext */
	u8 ccm_b0;		/* CCM's first counter-block byte, else 0 */
	bool explicit_nonce;	/* TLS 1.2 AEAD nonce's last 8 bytes on the wire */
	/* Sealing reads the plaintext twice (CCM, CBC-HMAC: MAC, then
	 * encryption), so not from memory the application may change meanwhile.
	 */
	bool reads_twice;
	bool tls12_only;
	const char *alg;	/* crypto API: the AEAD, or the CBC skcipher */
	const char *mac;	/* CBC: the HMAC shash */
};

/* Room for any cipher's crypto_info struct. */
union ktlso_crypto_info {
	struct tls_crypto_info info;
	struct tls12_crypto_info_aes_gcm_256 largest_gcm;
	struct tls12_crypto_info_chacha20_poly1305 chacha;
	struct ktlso_crypto_info_aes_256_cbc_sha384 largest_cbc;
};

const struct ktlso_cipher *ktlso_cipher_find(u16 type, u16 version);
u8 *ktlso_cipher_iv(const struct ktlso_cipher *c, union ktlso_crypto_info *info);
u8 *ktlso_cipher_key(const struct ktlso_cipher *c, union ktlso_crypto_info *info);
u8 *ktlso_cipher_salt(const struct ktlso_cipher *c, union ktlso_crypto_info *info);
u8 *ktlso_cipher_mac_key(const struct ktlso_cipher *c, union ktlso_crypto_info *info);
u8 *ktlso_cipher_rec_seq(const struct ktlso_cipher *c, union ktlso_crypto_info *info);
void ktlso_cipher_hide_keys(const struct ktlso_cipher *c, union ktlso_crypto_info *info);

/* One direction's record protection state. */
struct ktlso_crypto {
	const struct ktlso_cipher *cipher;
	struct crypto_aead *aead;
	struct aead_request *req;	/* one at a time: crypto is waited for */
	u16 version;
	/* salt || iv. For TLS 1.2 explicit-nonce ciphers the last 8 bytes are
	 * the explicit nonce and advance with every record, as kTLS does; for
	 * the others this is the static IV the sequence number is XORed into.
	 */
	u8 iv[KTLSO_NONCE_SIZE];
	u64 seq;
	/* What the application installed, for getsockopt (key included). */
	union ktlso_crypto_info info;
	/* Read by the AEAD while it works on a record: never on the stack,
	 * which may be vmalloc'ed.
	 */
	u8 aad[KTLSO_AAD12_SIZE];
	u8 nonce[KTLSO_AEAD_IV_SIZE];
	struct ktlso_cbc *cbc;	/* CBC ciphers' state (record_cbc.c) */
};

int ktlso_crypto_init(struct ktlso_crypto *c, const union ktlso_crypto_info *info);
void ktlso_crypto_uninit(struct ktlso_crypto *c);
int ktlso_aead_init(struct ktlso_crypto *c);
void ktlso_aead_uninit(struct ktlso_crypto *c);
int ktlso_rekey(struct ktlso_crypto *c, const union ktlso_crypto_info *info);
int ktlso_crypto_run(struct ktlso_crypto *c, bool encrypt, struct scatterlist *src,
		     struct scatterlist *dst, unsigned int aad_len,
		     unsigned int len, u8 *iv);
void ktlso_crypto_current(const struct ktlso_crypto *c, union ktlso_crypto_info *out);

/* record.c: framing and record protection, free of sockets. */
void ktlso_record_nonce(const struct ktlso_crypto *c, u8 nonce[KTLSO_AEAD_IV_SIZE]);
unsigned int ktlso_record_aad(const struct ktlso_crypto *c, u8 type,
			      unsigned int plaintext_len, u8 *aad);
unsigned int ktlso_record_prefix(const struct ktlso_crypto *c);
unsigned int ktlso_record_size(const struct ktlso_crypto *c, unsigned int plaintext_len);
int ktlso_record_check_header(const struct ktlso_crypto *c, const u8 *header);
unsigned int ktlso_record_inner_len(const struct ktlso_crypto *c, const u8 *header);
void ktlso_record_header(const struct ktlso_crypto *c, u8 type,
			 unsigned int plaintext_len, u8 *header);
int ktlso_record_advance(struct ktlso_crypto *c);
int ktlso_record_seal(struct ktlso_crypto *c, u8 type, unsigned int len,
		      u8 *head, struct scatterlist *src, struct scatterlist *dst);
int ktlso_record_open(struct ktlso_crypto *c, const u8 *head,
		      struct scatterlist *src, struct scatterlist *dst);
int ktlso_record_content(const struct ktlso_crypto *c, u8 outer_type,
			 const u8 *inner, unsigned int *len, u8 *type);
int ktlso_cbc_seal_iv(struct ktlso_crypto *c, u8 type, unsigned int len, u8 *head,
		      struct scatterlist *sg);

struct ktlso_tx;
struct ktlso_rx;
struct ktlso_ku;

/* A handshake an application asked ktlsod for (handshake.c). */
struct ktlso_handshake {
	struct sock *sk;
	struct ktlso_handshake_req req;
	u32 state;			/* KTLSO_HS_*, PENDING/ACCEPTED below */
	int error;			/* positive errno once FAILED */
	int alert;
	struct ktlso_handshake_status result;	/* what DONE reported */
	struct file *file;		/* held while PENDING, then the daemon's */
	u32 daemon_portid;
	pid_t daemon_tgid;
	struct list_head link;		/* pending or accepted list */
	struct timer_list timer;	/* the request's timeout */
};

/* Internal states before the UAPI's DONE/FAILED (never reported as such). */
#define KTLSO_HS_PENDING 0x100
#define KTLSO_HS_ACCEPTED 0x101

/* Per-socket state, hung off icsk_ulp_data while the ULP is attached. */
struct ktlso_context {
	/* The socket's TCP proto from before we attached; everything not at
	 * the record layer is delegated to it.
	 */
	struct proto *sk_proto;
	unsigned int base;	/* which proto table family (proto.c) */
	/* Serialises senders: TCP may drop the socket lock while it waits
	 * for memory in the middle of one of our records. Let go of it with
	 * ktlso_tx_unlock() (tx.c).
	 */
	struct mutex tx_lock;
	struct ktlso_tx *tx;	/* NULL until TLS_TX is installed */
	void (*sk_write_space)(struct sock *sk);	/* TCP's, while TX is ours */
	/* Serialises readers, who may sleep in TCP mid-record. */
	struct mutex rx_lock;
	struct ktlso_rx *rx;	/* NULL until TLS_RX is installed */
	/* The handshake request, if one was made; lives until close. */
	struct ktlso_handshake *hs;
	/* An alert a reader asked for while a sender held tx_lock (alert.c):
	 * ALERT_WANTED | level << 8 | description, or 0.
	 */
	unsigned int alert_wanted;
	/* Kernel-owned TLS 1.3 key updates (keyupdate.c), from DONE on. */
	struct ktlso_ku *ku;
	/* kTLS hints (sockopt.c): accepted and reported, never needed. */
	u8 tx_zerocopy_ro;
	u8 rx_no_pad;
	struct rcu_head rcu;
};

static inline struct ktlso_context *ktlso_ctx(const struct sock *sk)
{
	return (__force struct ktlso_context *)inet_csk(sk)->icsk_ulp_data;
}

/* main.c */
bool ktlso_is_ours(struct sock *sk);

/* proto.c */
int ktlso_proto_base(struct sock *sk);
void ktlso_proto_update(struct sock *sk, struct ktlso_context *ctx);
const struct proto *ktlso_proto_ungated(const struct ktlso_context *ctx);
const struct proto_ops *ktlso_proto_base_ops(const struct sock *sk);

/* handshake.c */
int ktlso_hs_init(void);
void ktlso_hs_uninit(void);
int ktlso_hs_request(struct sock *sk, sockptr_t optval, unsigned int optlen);
int ktlso_hs_status(struct sock *sk, char __user *optval, int __user *optlen);
int ktlso_hs_fail(struct ktlso_handshake *hs, int error);
struct ktlso_handshake *ktlso_hs_take(struct net *net, u32 portid,
				      struct file **file);
int ktlso_hs_done(struct sock *sk, struct net *net, u32 portid,
		  const struct ktlso_handshake_status *result, int error,
		  int alert, struct ktlso_ku *ku);
void ktlso_hs_daemon_gone(struct net *net, u32 portid);
int ktlso_hs_gate(struct sock *sk, struct ktlso_context *ctx, bool nonblock);
void ktlso_hs_release(struct ktlso_context *ctx);
bool ktlso_hs_keys_hidden(const struct ktlso_context *ctx);
int ktlso_hs_may_install(const struct ktlso_context *ctx);
bool ktlso_hs_established(const struct ktlso_context *ctx);
void ktlso_hs_set_alert(const struct ktlso_context *ctx, int alert);
const struct ktlso_handshake_req *ktlso_hs_request_of(const struct ktlso_context *ctx);
__poll_t ktlso_sock_poll(struct file *file, struct socket *sock,
			 poll_table *wait);
ssize_t ktlso_sock_splice_read(struct socket *sock, loff_t *ppos,
			       struct pipe_inode_info *pipe, size_t len,
			       unsigned int flags);
int ktlso_gated_sendmsg(struct sock *sk, struct msghdr *msg, size_t size);
int ktlso_gated_recvmsg(struct sock *sk, struct msghdr *msg, size_t len,
			int flags, int *addr_len);
#ifdef KTLSO_HAVE_PROTO_SENDPAGE
int ktlso_gated_sendpage(struct sock *sk, struct page *page, int offset,
			 size_t size, int flags);
#endif

/* upcall.c */
int ktlso_upcall_init(void);
void ktlso_upcall_exit(void);
bool ktlso_upcall_has_daemon(struct net *net);
void ktlso_upcall_notify(struct net *net);
int ktlso_upcall_ticket(struct sock *sk, const struct ktlso_handshake_req *req,
			const u8 *msg, unsigned int len);

/* alert.c */
void ktlso_send_alert(struct sock *sk, u8 level, u8 desc);
void ktlso_alert_flush(struct sock *sk, struct ktlso_context *ctx);

/* posths.c: handshake messages after the handshake, daemon sockets only */
struct ktlso_posths;
enum ktlso_posths_verdict {
	KTLSO_POSTHS_DELIVER,	/* to the application, as kTLS would */
	KTLSO_POSTHS_DROP,	/* handled here */
	KTLSO_POSTHS_EOF,	/* close_notify: the stream ends cleanly */
	KTLSO_POSTHS_KEY_UPDATE, /* a TLS 1.3 KeyUpdate at ktlso_posths_ku_at() */
};
int ktlso_posths_record(struct sock *sk, struct ktlso_posths **ph, u16 version,
			u8 type, const u8 *data, unsigned int len, int *alert);
bool ktlso_posths_busy(const struct ktlso_posths *ph);
unsigned int ktlso_posths_ku_at(const struct ktlso_posths *ph);
void ktlso_posths_free(struct ktlso_posths *ph);

/* sockopt.c */
int ktlso_setsockopt(struct sock *sk, int level, int optname,
		     sockptr_t optval, unsigned int optlen);
int ktlso_getsockopt(struct sock *sk, int level, int optname,
		     char __user *optval, int __user *optlen);

/* tx.c */
int ktlso_tx_install(struct sock *sk, const union ktlso_crypto_info *info);
void ktlso_tx_release(struct sock *sk, struct ktlso_context *ctx);
int ktlso_sendmsg(struct sock *sk, struct msghdr *msg, size_t size);
#ifdef KTLSO_HAVE_PROTO_SENDPAGE
int ktlso_sendpage(struct sock *sk, struct page *page, int offset, size_t size,
		   int flags);
#endif
void ktlso_splice_eof(struct socket *sock);
int ktlso_tx_shutdown(struct socket *sock);
int ktlso_tx_record(struct sock *sk, struct ktlso_context *ctx, u8 type,
		    const void *data, unsigned int len, bool last);
void ktlso_tx_unlock(struct ktlso_context *ctx);
struct ktlso_crypto *ktlso_tx_crypto(struct ktlso_context *ctx);
void ktlso_tx_kick(struct ktlso_context *ctx);

/* rx.c */
int ktlso_rx_install(struct sock *sk, const union ktlso_crypto_info *info);
void ktlso_rx_release(struct sock *sk, struct ktlso_context *ctx);
int ktlso_recvmsg(struct sock *sk, struct msghdr *msg, size_t len, int flags,
		  int *addr_len);
ssize_t ktlso_splice_read(struct socket *sock, loff_t *ppos,
			  struct pipe_inode_info *pipe, size_t len,
			  unsigned int flags);
__poll_t ktlso_poll(struct file *file, struct socket *sock, poll_table *wait);
int ktlso_read_sock(struct sock *sk, read_descriptor_t *desc,
		    sk_read_actor_t recv_actor);
struct ktlso_crypto *ktlso_rx_crypto(struct ktlso_context *ctx);

/* hkdf.c, keyupdate.c: TLS 1.3 KeyUpdate on daemon-established sockets */
#define KTLSO_HASH_MAX 48	/* SHA-384 */
#define KTLSO_KU_MSG_LEN 5	/* RFC 8446 §4.6.3: header and one byte */
#define KTLSO_KU_EXPIRED 1	/* ktlso_ku_received(): kTLS's EKEYEXPIRED */
#define KTLSO_KU_APPLIED 2	/* ...: drop the record, then switch keys */

int ktlso_hkdf_expand_label(const char *hmac, const u8 *secret,
			    unsigned int secret_len, const char *label,
			    const u8 *context, unsigned int context_len,
			    u8 *out, unsigned int out_len);
struct ktlso_ku *ktlso_ku_new(u16 suite, const u8 *tx_secret,
			      const u8 *rx_secret, unsigned int len,
			      u64 rekey_after);
void ktlso_ku_free(struct ktlso_ku *ku);
u64 ktlso_ku_record_limit(u16 cipher_type);
void ktlso_ku_attach(struct ktlso_context *ctx, struct ktlso_ku *ku);
void ktlso_ku_release(struct ktlso_context *ctx);
int ktlso_ku_derive(const char *hmac, const u8 *secret, unsigned int len,
		    const struct ktlso_cipher *cipher, u8 *next,
		    union ktlso_crypto_info *info);
int ktlso_ku_received(struct sock *sk, const struct ktlso_crypto *c, u8 type,
		      const u8 *data, unsigned int len, int *alert);
void ktlso_ku_rx_switch(struct sock *sk, struct ktlso_crypto *c);
bool ktlso_ku_tx_due(struct ktlso_context *ctx, const struct ktlso_crypto *c,
		     u64 bytes);
int ktlso_ku_tx_prepare(struct ktlso_context *ctx, const struct ktlso_crypto *c,
			struct ktlso_crypto *next);
void ktlso_ku_tx_abort(struct ktlso_context *ctx, struct ktlso_crypto *next);
void ktlso_ku_tx_commit(struct sock *sk, struct ktlso_crypto *c,
			struct ktlso_crypto *next);
void ktlso_ku_message(u8 msg[KTLSO_KU_MSG_LEN]);

/* pages.c: user memory for the AEAD. A record's 2^14 bytes, unaligned,
 * span 5 pages; more are allowed for scattered iovecs.
 */
#define KTLSO_PAGES_MAX 8
unsigned int ktlso_pages_get(struct iov_iter *iter, size_t len, struct scatterlist *sg,
			     unsigned int max, size_t *mapped);
void ktlso_pages_put(struct scatterlist *sg, unsigned int n);

/* tcpq.c: records read where TCP queues them (the socket locked) */
int ktlso_tcpq_wait(struct sock *sk, unsigned int len, long *timeo);
int ktlso_tcpq_copy(struct sock *sk, unsigned int off, void *buf, unsigned int len);
int ktlso_tcpq_map(struct sock *sk, unsigned int off, unsigned int len,
		   struct scatterlist *sg, unsigned int max);
int ktlso_tcpq_consume(struct sock *sk, unsigned int len);

/* stats.c */
enum ktlso_stat {
	KTLSO_STAT_CURR_SOCKETS,	/* with the ULP attached */
	KTLSO_STAT_CURR_TX,		/* with TX keys */
	KTLSO_STAT_CURR_RX,		/* with RX keys */
	KTLSO_STAT_TX_RECORDS,
	KTLSO_STAT_TX_BYTES,		/* plaintext */
	KTLSO_STAT_RX_RECORDS,
	KTLSO_STAT_RX_BYTES,		/* plaintext */
	KTLSO_STAT_DECRYPT_ERRORS,	/* records that failed authentication */
	KTLSO_STAT_REKEY_TX,
	KTLSO_STAT_REKEY_RX,
	KTLSO_STAT_KEYUPDATE_TX,	/* KeyUpdates the kernel sent */
	KTLSO_STAT_KEYUPDATE_RX,	/* the peer's, applied by the kernel */
	KTLSO_STAT_KEYUPDATE_REQUESTED,	/* of those, asking for ours */
	KTLSO_STAT_ALERT_TX,		/* alerts the kernel sent itself */
	KTLSO_STAT_ALERT_RX,		/* alerts read on daemon sockets */
	KTLSO_STAT_TICKET_RX,		/* NewSessionTickets read on them */
	KTLSO_NUM_STATS
};

void ktlso_stat_add(const struct sock *sk, enum ktlso_stat item, s64 n);
int ktlso_stats_init(void);
void ktlso_stats_uninit(void);

#endif /* KTLSO_H */
