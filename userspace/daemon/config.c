// SPDX-License-Identifier: MIT
/*
 * The ktlsod.conf parser: INI lines into profiles (config.h). Every
 * mistake is reported as "FILE:LINE: reason" at the line that made it, and
 * the whole file is refused: a daemon that starts on half a configuration
 * would serve connections with settings nobody wrote.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "engine/engine.h"
#include "resume.h"
#include "resume/session_cache.h"
#include "resume/ticket.h"
#include "tls_suite.h"
#include "wire/proto.h"

#define LINE_LEN_MAX 4096
#define CRLS_MAX 16

enum key_id {
	K_CERT, K_KEY, K_CA, K_CRL, K_OCSP, K_MIN_VERSION, K_MAX_VERSION,
	K_SUITES, K_GROUPS, K_CLIENT_AUTH, K_VERIFY, K_ALPN, K_LEGACY,
	K_ALLOW_USERS, K_ALLOW_GROUPS, K_ALLOW_CGROUPS, K_REKEY_AFTER,
	K_TICKETS, K_TICKET_KEY_FILE, K_TICKET_LIFETIME, K_SESSION_CACHE,
	K_SESSION_CACHE_SIZE,
	N_KEYS,
};


static const char *const key_names[N_KEYS] = {
	[K_CERT] = "cert",
	[K_KEY] = "key",
	[K_CA] = "ca",
	[K_CRL] = "crl",
	[K_OCSP] = "ocsp_staple",
	[K_MIN_VERSION] = "min_version",
	[K_MAX_VERSION] = "max_version",
	[K_SUITES] = "suites",
	[K_GROUPS] = "groups",
	[K_CLIENT_AUTH] = "client_auth",
	[K_VERIFY] = "verify",
	[K_ALPN] = "alpn",
	[K_LEGACY] = "legacy",
	[K_ALLOW_USERS] = "allow_users",
	[K_ALLOW_GROUPS] = "allow_groups",
	[K_ALLOW_CGROUPS] = "allow_cgroups",
	[K_REKEY_AFTER] = "rekey_after",
	[K_TICKETS] = "tickets",
	[K_TICKET_KEY_FILE] = "ticket_key_file",
	[K_TICKET_LIFETIME] = "ticket_lifetime",
	[K_SESSION_CACHE] = "session_cache",
	[K_SESSION_CACHE_SIZE] = "session_cache_size",
};

/* Keys of the file itself, before the first section. */
enum global_key_id {
	G_USER,
	G_MAX_HANDSHAKES,
	G_HANDSHAKE_MEMORY,
	N_GLOBAL_KEYS,
};

static const char *const global_key_names[N_GLOBAL_KEYS] = {
	[G_USER] = "user",
	[G_MAX_HANDSHAKES] = "max_handshakes",
	[G_HANDSHAKE_MEMORY] = "handshake_memory",
};

struct parser {
	const char *path;
	char dir[PATH_MAX];	/* of path: relative file names start here */
	const struct config_options *o;
	struct config *c;
	char *err;
	size_t errlen;
	/* The section being read; NULL before the first one. */
	struct profile *p;
	unsigned int global_seen[N_GLOBAL_KEYS];
	unsigned int seen[N_KEYS];	/* line of each key, 0: not given */
	char *value[N_KEYS];		/* deferred values, as given */
	char *crls[CRLS_MAX];
	unsigned int crl_lines[CRLS_MAX];
	size_t n_crls;
};

static int __attribute__((format(printf, 3, 4)))
fail(struct parser *ps, unsigned int line, const char *fmt, ...)
{
	/* Line 0: the built-in default profile, not a line of the file. */
	int n = line ? snprintf(ps->err, ps->errlen, "%s:%u: ", ps->path,
				line) :
		       snprintf(ps->err, ps->errlen, "%s: ", ps->path);
	va_list ap;

	if (n >= 0 && (size_t)n < ps->errlen) {
		va_start(ap, fmt);
		vsnprintf(ps->err + n, ps->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static char *trim(char *s)
{
	char *end = s + strlen(s);

	while (isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* A file name from the configuration, relative ones from its directory. */
static int resolve(const struct parser *ps, const char *name, char *out,
		   size_t size)
{
	int n = name[0] == '/' ? snprintf(out, size, "%s", name) :
				 snprintf(out, size, "%s/%s", ps->dir, name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static void section_reset(struct parser *ps)
{
	for (int k = 0; k < N_KEYS; k++) {
		free(ps->value[k]);
		ps->value[k] = NULL;
	}
	for (size_t i = 0; i < ps->n_crls; i++)
		free(ps->crls[i]);
	memset(ps->seen, 0, sizeof(ps->seen));
	ps->n_crls = 0;
	ps->p = NULL;
}

static struct profile *find(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->profiles[i].name, name))
			return &c->profiles[i];
	return NULL;
}

static struct profile *profile_add(struct config *c, const char *name,
				   unsigned int line)
{
	struct profile *p = realloc(c->profiles,
				    (c->n + 1) * sizeof(*c->profiles));

	if (!p)
		return NULL;
	c->profiles = p;
	p = &c->profiles[c->n++];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->line = line;
	p->rekey_after = CONFIG_REKEY_AFTER_DEFAULT;
	tls_config_init(&p->tls);
	return p;
}

static bool name_ok(const char *name)
{
	size_t len = strlen(name);

	if (!len || len >= KTLSO_PROFILE_MAX)
		return false;
	for (const char *s = name; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
			return false;
	return true;
}

/* "[profile NAME]" */
static int section_start(struct parser *ps, char *text, unsigned int line)
{
	size_t len = strlen(text);
	struct profile *dup;
	char *name;

	if (len < 2 || text[len - 1] != ']')
		return fail(ps, line, "expected [profile NAME]");
	text[len - 1] = '\0';
	name = trim(text + 1);
	if (!strcmp(name, "profile"))
		return fail(ps, line, "[profile] needs a NAME");
	if (strncmp(name, "profile", 7) || !isspace((unsigned char)name[7]))
		return fail(ps, line,
			    "unknown section [%s] (expected [profile NAME])",
			    name);
	name = trim(name + 7);
	if (!name_ok(name))
		return fail(ps, line, "bad profile name \"%s\" "
			    "(1 to %d of A-Z a-z 0-9 . _ -)",
			    name, KTLSO_PROFILE_MAX - 1);
	dup = find(ps->c, name);
	if (dup)
		return fail(ps, line,
			    "duplicate profile \"%s\" (first at line %u)", name,
			    dup->line);
	ps->p = profile_add(ps->c, name, line);
	if (!ps->p)
		return fail(ps, line, "out of memory");
	return 0;
}

static int yes_no(struct parser *ps, unsigned int line, const char *key,
		  const char *v, bool *out)
{
	if (!strcmp(v, "yes"))
		*out = true;
	else if (!strcmp(v, "no"))
		*out = false;
	else
		return fail(ps, line, "%s: expected yes or no, not \"%s\"",
			    key, v);
	return 0;
}

static int number(struct parser *ps, unsigned int line, const char *key,
		  const char *v, bool bytes, unsigned long long min,
		  unsigned long long max, unsigned long long *out);

static int on_off(struct parser *ps, unsigned int line, const char *key,
		  const char *v)
{
	if (strcmp(v, "on") && strcmp(v, "off"))
		return fail(ps, line, "%s: expected on or off, not \"%s\"",
			    key, v);
	return 0;
}

/* ticket_lifetime and session_cache_size: checked now, applied at the end */
static int resume_number(struct parser *ps, enum key_id k, const char *v,
			 unsigned int line)
{
	unsigned long long n;

	if (k == K_TICKET_LIFETIME) {
		/* RFC 8446 §4.6.1: at most 7 days */
		TRY(number(ps, line, key_names[k], v, false, 1,
			   TICKET_LIFETIME_MAX, &n));
		ps->p->tls.ticket_lifetime = (uint32_t)n;
		return 0;
	}
	TRY(number(ps, line, key_names[k], v, false, 1,
		   SESSION_CACHE_SLOTS_MAX, &n));
	ps->p->session_cache_size = (size_t)n;
	return 0;
}

/* The value of one key, applied at once or kept for the section's end. */
static int apply(struct parser *ps, enum key_id k, const char *v,
		 unsigned int line)
{
	struct tls_config *t = &ps->p->tls;
	char terr[TLS_CONFIG_ERR] = "", path[PATH_MAX];

	switch (k) {
	case K_SUITES:
		ps->p->suites_line = line;
		if (tls_config_set_suites(t, v, terr, sizeof(terr)))
			return fail(ps, line, "%s", terr);
		return 0;
	case K_GROUPS:
		if (tls_config_set_groups(t, v, terr, sizeof(terr)))
			return fail(ps, line, "%s", terr);
		return 0;
	case K_ALPN:
		if (tls_config_set_alpn(t, v, terr, sizeof(terr)))
			return fail(ps, line, "%s", terr);
		return 0;
	case K_OCSP:
		if (resolve(ps, v, path, sizeof(path)))
			return fail(ps, line, "file name too long");
		if (tls_config_load_ocsp(t, path, terr, sizeof(terr)))
			return fail(ps, line, "%s", terr);
		return 0;
	case K_MIN_VERSION:
	case K_MAX_VERSION: {
		/* Each value on its own line; their order at the end. */
		struct tls_config scratch = { 0 };

		if (tls_config_set_versions(&scratch, v, v, terr, sizeof(terr)))
			return fail(ps, line, "%s", terr);
		break;
	}
	case K_CLIENT_AUTH:
		if (!strcmp(v, "none"))
			t->client_auth = TLS_CLIENT_AUTH_NONE;
		else if (!strcmp(v, "optional"))
			t->client_auth = TLS_CLIENT_AUTH_OPTIONAL;
		else if (!strcmp(v, "required"))
			t->client_auth = TLS_CLIENT_AUTH_REQUIRED;
		else
			return fail(ps, line, "client_auth: expected none, "
				    "optional or required, not \"%s\"", v);
		return 0;
	case K_VERIFY:
		return yes_no(ps, line, "verify", v, &t->verify_peer);
	case K_LEGACY:
		return yes_no(ps, line, "legacy", v, &t->legacy);
	case K_CRL:
		if (ps->n_crls == CRLS_MAX)
			return fail(ps, line, "more than %d crl lines",
				    CRLS_MAX);
		if (resolve(ps, v, path, sizeof(path)))
			return fail(ps, line, "file name too long");
		ps->crls[ps->n_crls] = strdup(path);
		if (!ps->crls[ps->n_crls])
			return fail(ps, line, "out of memory");
		ps->crl_lines[ps->n_crls++] = line;
		return 0;
	case K_ALLOW_USERS:
	case K_ALLOW_GROUPS:
	case K_ALLOW_CGROUPS:
		if ((k == K_ALLOW_USERS ?
			     acl_add_users : k == K_ALLOW_GROUPS ?
			     acl_add_groups : acl_add_cgroups)(&ps->p->acl, v,
							       terr,
							       sizeof(terr)))
			return fail(ps, line, "%s", terr);
		return 0;
	case K_REKEY_AFTER:
		return number(ps, line, "rekey_after", v, true,
			      CONFIG_REKEY_AFTER_MIN, CONFIG_REKEY_AFTER_MAX,
			      &ps->p->rekey_after);
	case K_TICKETS:
	case K_SESSION_CACHE:
		TRY(on_off(ps, line, key_names[k], v));
		break;
	case K_TICKET_LIFETIME:
	case K_SESSION_CACHE_SIZE:
		return resume_number(ps, k, v, line);
	case K_TICKET_KEY_FILE:
	case K_CERT:
	case K_KEY:
	case K_CA:
		if (resolve(ps, v, path, sizeof(path)))
			return fail(ps, line, "file name too long");
		v = path;
		break;
	case N_KEYS:
		break;
	}
	ps->value[k] = strdup(v);
	return ps->value[k] ? 0 : fail(ps, line, "out of memory");
}

/* name into *u, from line (0: -u). */
static int user_lookup(struct parser *ps, const char *name, unsigned int line,
		       struct config_user *u)
{
	struct passwd *pw;

	if (strlen(name) >= sizeof(u->name))
		return fail(ps, line, "user: name too long");
	errno = 0;
	pw = getpwnam(name);
	if (!pw)
		return fail(ps, line, "user%s: no such user \"%s\"%s",
			    line ? "" : " (-u)", name,
			    errno ? ": cannot read the user database" : "");
	snprintf(u->name, sizeof(u->name), "%s", name);
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	u->line = line;
	return 0;
}

/* A count in [min, max]; with bytes, "1048576", "1024K", "1M" or "1G". */
static int number(struct parser *ps, unsigned int line, const char *key,
		  const char *v, bool bytes, unsigned long long min,
		  unsigned long long max, unsigned long long *out)
{
	unsigned long long n, unit = 1;
	char *end;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (bytes && *end == 'K')
		unit = 1ULL << 10;
	else if (bytes && *end == 'M')
		unit = 1ULL << 20;
	else if (bytes && *end == 'G')
		unit = 1ULL << 30;
	if (unit > 1)
		end++;
	if (errno || end == v || *end || !isdigit((unsigned char)*v) ||
	    n > max / unit || n * unit < min)
		return fail(ps, line, "%s: expected %llu to %llu%s, not \"%s\"",
			    key, min, max,
			    bytes ? " bytes (or with K, M or G)" : "", v);
	*out = n * unit;
	return 0;
}

static int global_value(struct parser *ps, enum global_key_id k,
			const char *v, unsigned int line)
{
	struct config_user u;
	unsigned long long n;
	const char *key = global_key_names[k];

	switch (k) {
	case G_USER:
		TRY(user_lookup(ps, v, line, &u));
		if (!ps->o->user)	/* -u wins */
			ps->c->user = u;
		return 0;
	case G_MAX_HANDSHAKES:
		TRY(number(ps, line, key, v, false, 1,
			   CONFIG_MAX_HANDSHAKES_MAX, &n));
		ps->c->max_handshakes = n;
		return 0;
	case G_HANDSHAKE_MEMORY:
		TRY(number(ps, line, key, v, true, tls_engine_memory_min(),
			   CONFIG_HANDSHAKE_MEMORY_MAX, &n));
		ps->c->handshake_memory = n;
		return 0;
	case N_GLOBAL_KEYS:
		break;
	}
	return 0;
}

/* "key = value" before the first section; 1: not a global key. */
static int global_key(struct parser *ps, const char *key, const char *v,
		      unsigned int line)
{
	int k;

	for (k = 0; k < N_GLOBAL_KEYS; k++)
		if (!strcmp(key, global_key_names[k]))
			break;
	if (k == N_GLOBAL_KEYS)
		return 1;
	if (ps->p)
		return fail(ps, line, "\"%s\" belongs before the first "
			    "[profile NAME] section", key);
	if (!*v)
		return fail(ps, line, "\"%s\" needs a value", key);
	if (ps->global_seen[k])
		return fail(ps, line, "duplicate key \"%s\" (first at line %u)",
			    key, ps->global_seen[k]);
	ps->global_seen[k] = line;
	return global_value(ps, k, v, line);
}

/* "key = value" */
static int key_value(struct parser *ps, char *text, unsigned int line)
{
	char *eq = strchr(text, '='), *key, *v;
	int k, ret;

	if (!eq)
		return fail(ps, line, "missing '=' in \"%s\"", text);
	*eq = '\0';
	key = trim(text);
	v = trim(eq + 1);
	ret = global_key(ps, key, v, line);
	if (ret <= 0)
		return ret;
	for (k = 0; k < N_KEYS; k++)
		if (!strcmp(key, key_names[k]))
			break;
	if (k == N_KEYS)
		return fail(ps, line, "unknown key \"%s\"", key);
	if (!ps->p)
		return fail(ps, line, "\"%s\" outside a [profile NAME] section",
			    key);
	if (!*v)
		return fail(ps, line, "\"%s\" needs a value", key);
	if (k != K_CRL && ps->seen[k])
		return fail(ps, line, "duplicate key \"%s\" (first at line %u)",
			    key, ps->seen[k]);
	if (!ps->seen[k])
		ps->seen[k] = line;
	return apply(ps, k, v, line);
}

static bool starts_with_path(const char *err, const char *path)
{
	size_t n = strlen(path);

	return !strncmp(err, path, n) && err[n] == ':';
}

/* Who may own a private key besides root: the user we run (or will run) as. */
static uid_t key_owner(const struct parser *ps)
{
	return ps->c->user.name[0] ? ps->c->user.uid : geteuid();
}

/* cert and key: both or neither; the key must be the leaf's. */
static int finish_identity(struct parser *ps)
{
	const char *cert = ps->value[K_CERT], *key = ps->value[K_KEY];
	char terr[TLS_CONFIG_ERR] = "";
	unsigned int line;
	bool key_failed;
	int ret;

	if (!cert && !key)
		return 0;
	if (!key)
		return fail(ps, ps->seen[K_CERT], "cert needs a key line");
	if (!cert)
		return fail(ps, ps->seen[K_KEY], "key needs a cert line");
	ret = tls_config_load_identity_private(&ps->p->tls, cert, key,
					       key_owner(ps), terr,
					       sizeof(terr));
	if (!ret)
		return 0;
	/* Blame the line of the file that failed. */
	key_failed = ret == -EKEYREJECTED || ret == -EPERM ||
		     (strcmp(cert, key) && starts_with_path(terr, key));
	line = key_failed ? ps->seen[K_KEY] : ps->seen[K_CERT];
	return fail(ps, line, "%s", terr);
}

/* ca and crl lines, or the system's anchors for a verifying client. */
static int finish_trust(struct parser *ps)
{
	struct tls_config *t = &ps->p->tls;
	const char *ca = ps->value[K_CA];
	char terr[TLS_CONFIG_ERR] = "";
	unsigned int line;
	struct stat st;

	if (ps->n_crls && !ca)
		return fail(ps, ps->crl_lines[0], "crl needs a ca line");
	if (t->client_auth != TLS_CLIENT_AUTH_NONE && !ca)
		return fail(ps, ps->seen[K_CLIENT_AUTH],
			    "client_auth = %s needs a ca line",
			    t->client_auth == TLS_CLIENT_AUTH_REQUIRED ?
				    "required" : "optional");
	if (!ca) {
		/* Never for client_auth: a public CA vouches for anyone. */
		if (!t->verify_peer || !ps->o->system_ca ||
		    stat(ps->o->system_ca, &st))
			return 0;
		if (tls_config_load_trust(t, ps->o->system_ca, NULL, 0, terr,
					  sizeof(terr)))
			return fail(ps, ps->p->line, "system trust anchors: %s",
				    terr);
		return 0;
	}
	if (!tls_config_load_trust(t, ca, (const char *const *)ps->crls,
				   ps->n_crls, terr, sizeof(terr)))
		return 0;
	line = ps->seen[K_CA];
	for (size_t i = 0; i < ps->n_crls; i++)
		if (starts_with_path(terr, ps->crls[i]))
			line = ps->crl_lines[i];
	return fail(ps, line, "%s", terr);
}

static const char *version_text(uint16_t v)
{
	return v == TLS_VERSION_1_3 ? "1.3" : "1.2";
}

static bool is_on(const char *v)
{
	return v && !strcmp(v, "on");
}

/* tickets, ticket_key_file, ticket_lifetime, session_cache(_size) */
static int finish_resumption(struct parser *ps)
{
	struct resume_options o = {
		.tickets = is_on(ps->value[K_TICKETS]),
		.ticket_key_file = ps->value[K_TICKET_KEY_FILE],
		.session_cache = is_on(ps->value[K_SESSION_CACHE]),
		.session_cache_size = ps->p->session_cache_size,
		.key_owner = key_owner(ps),
	};
	char terr[CONFIG_ERR] = "";
	unsigned int line;

	if (o.ticket_key_file && !o.tickets)
		return fail(ps, ps->seen[K_TICKET_KEY_FILE],
			    "ticket_key_file needs tickets = on");
	/* it sizes the server's session cache and the client's */
	if (ps->seen[K_SESSION_CACHE_SIZE] && !o.session_cache && !o.tickets)
		return fail(ps, ps->seen[K_SESSION_CACHE_SIZE],
			    "session_cache_size needs session_cache = on or "
			    "tickets = on");
	if (ps->seen[K_TICKET_LIFETIME] && !o.tickets && !o.session_cache)
		return fail(ps, ps->seen[K_TICKET_LIFETIME],
			    "ticket_lifetime needs tickets = on or "
			    "session_cache = on");
	ps->p->tickets_generated = o.tickets && !o.ticket_key_file;
	if (!resume_configure(&ps->p->tls, ps->p->name, &o, terr,
			      sizeof(terr)))
		return 0;
	line = o.ticket_key_file ? ps->seen[K_TICKET_KEY_FILE] :
	       o.tickets	 ? ps->seen[K_TICKETS] :
				   ps->seen[K_SESSION_CACHE];
	return fail(ps, line, "%s", terr);
}

/* What can only be judged once the whole section is read. */
static int section_end(struct parser *ps)
{
	struct tls_config *t;
	char terr[TLS_CONFIG_ERR] = "";
	bool usable = false;

	if (!ps->p)
		return 0;
	t = &ps->p->tls;
	if ((ps->value[K_MIN_VERSION] || ps->value[K_MAX_VERSION]) &&
	    tls_config_set_versions(t,
				    ps->value[K_MIN_VERSION] ?
					    ps->value[K_MIN_VERSION] : "1.2",
				    ps->value[K_MAX_VERSION] ?
					    ps->value[K_MAX_VERSION] : "1.3",
				    terr, sizeof(terr)))
		return fail(ps, ps->seen[K_MAX_VERSION] ?
					ps->seen[K_MAX_VERSION] :
					ps->seen[K_MIN_VERSION],
			    "%s", terr);
	for (size_t i = 0; i < t->n_suites && ps->p->suites_line; i++) {
		const struct tls_suite *s = tls_suite_by_id(t->suites[i]);

		/* Documentation/design.rst, decision 7: legacy only if asked */
		if (s->legacy && !t->legacy)
			return fail(ps, ps->p->suites_line,
				    "%s is a legacy suite: it needs "
				    "legacy = yes", s->name);
		if (s->version >= t->min_version &&
		    s->version <= t->max_version)
			usable = true;
	}
	if (ps->p->suites_line && !usable)
		return fail(ps, ps->p->suites_line,
			    "no listed suite is for TLS %s to %s",
			    version_text(t->min_version),
			    version_text(t->max_version));
	if (ps->seen[K_OCSP] && !ps->seen[K_CERT])
		return fail(ps, ps->seen[K_OCSP],
			    "ocsp_staple needs a cert line");
	TRY(finish_identity(ps));
	TRY(finish_trust(ps));
	TRY(finish_resumption(ps));
	acl_finish(&ps->p->acl, ps->p->tls.key);
	section_reset(ps);
	return 0;
}

static int parse_line(struct parser *ps, char *line, unsigned int n)
{
	char *text = trim(line);

	if (!*text || *text == '#' || *text == ';')
		return 0;
	if (*text == '[') {
		TRY(section_end(ps));
		return section_start(ps, text, n);
	}
	return key_value(ps, text, n);
}

static int parse_file(struct parser *ps, FILE *f)
{
	unsigned int n = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int ret = 0;

	while (!ret && (len = getline(&line, &cap, f)) >= 0) {
		n++;
		if (len > LINE_LEN_MAX)
			ret = fail(ps, n, "line longer than %d bytes",
				   LINE_LEN_MAX);
		else if (memchr(line, '\0', len))
			ret = fail(ps, n, "NUL byte in the line");
		else
			ret = parse_line(ps, line, n);
	}
	free(line);
	if (!ret && ferror(f))
		ret = fail(ps, n, "cannot read: %s", strerror(errno));
	return ret ? ret : section_end(ps);
}

static struct config *config_new(const char *path)
{
	struct config *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	atomic_init(&c->refs, 1);
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->max_handshakes = CONFIG_MAX_HANDSHAKES_DEFAULT;
	c->handshake_memory = CONFIG_HANDSHAKE_MEMORY_DEFAULT;
	return c;
}

static int add_builtin_default(struct parser *ps)
{
	ps->p = profile_add(ps->c, CONFIG_DEFAULT_PROFILE, 0);
	if (!ps->p)
		return fail(ps, 0, "out of memory");
	TRY(finish_trust(ps));
	acl_finish(&ps->p->acl, false);
	section_reset(ps);
	return 0;
}

static void parser_init(struct parser *ps, const char *path,
			const struct config_options *o, char *err,
			size_t errlen)
{
	const char *slash = strrchr(path, '/');

	memset(ps, 0, sizeof(*ps));
	ps->path = path;
	ps->o = o;
	ps->err = err;
	ps->errlen = errlen;
	if (!slash)
		snprintf(ps->dir, sizeof(ps->dir), ".");
	else if (slash == path)
		snprintf(ps->dir, sizeof(ps->dir), "/");
	else
		snprintf(ps->dir, sizeof(ps->dir), "%.*s", (int)(slash - path),
			 path);
}

static int load(const char *path, FILE *f, const struct config_options *o,
		struct config **out, char *err, size_t errlen)
{
	struct parser ps;
	int ret;

	*out = NULL;
	parser_init(&ps, path, o, err, errlen);
	ps.c = config_new(path);
	if (!ps.c)
		return -ENOMEM;
	ret = o->user ? user_lookup(&ps, o->user, 0, &ps.c->user) : 0;
	if (!ret && f)
		ret = parse_file(&ps, f);
	if (!ret && !find(ps.c, CONFIG_DEFAULT_PROFILE))
		ret = add_builtin_default(&ps);
	section_reset(&ps);
	if (ret) {
		config_put(ps.c);
		return ret;
	}
	*out = ps.c;
	return 0;
}

int config_load(const char *path, const struct config_options *o,
		struct config **out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	int ret;

	if (!f) {
		ret = -errno;
		*out = NULL;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	ret = load(path, f, o, out, err, errlen);
	fclose(f);
	return ret;
}

int config_builtin(const char *path, const struct config_options *o,
		   struct config **out, char *err, size_t errlen)
{
	return load(path, NULL, o, out, err, errlen);
}

struct config *config_get(struct config *c)
{
	atomic_fetch_add(&c->refs, 1);
	return c;
}

void config_put(struct config *c)
{
	if (!c || atomic_fetch_sub(&c->refs, 1) != 1)
		return;
	for (size_t i = 0; i < c->n; i++) {
		tls_config_free(&c->profiles[i].tls);
		acl_free(&c->profiles[i].acl);
	}
	free(c->profiles);
	free(c);
}

const struct profile *config_profile(const struct config *c,
				     const char *name)
{
	return find(c, name && *name ? name : CONFIG_DEFAULT_PROFILE);
}
