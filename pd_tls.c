/*-------------------------------------------------------------------------
 *
 * pd_tls.c
 *	  The ClientHello of the TLS handshakes PostgreSQL itself performs, for
 *	  the JA4 of a failed handshake or login over TLS (14+).
 *
 * After an SSLRequest (and with 17's direct TLS once OpenSSL has read the
 * bytes) the ClientHello is consumed inside OpenSSL: the log hook sees only
 * OpenSSL's reason.  openssl_tls_init_hook (14+) is called on each SSL_CTX
 * that be_tls_init() builds, in the postmaster at start and at every reload;
 * children inherit the context through fork.  We set OpenSSL's message
 * callback on it.  In the connection's child, OpenSSL calls it for each
 * record header and handshake message it reads or writes; at the first
 * handshake message from the client (the ClientHello) we copy its bytes to
 * a static buffer and unset the callback on that SSL, so the rest of the
 * handshake and the session cost nothing.  Capture (pd_capture.c) parses
 * the copy only when it records an event.
 *
 * Why the message callback, not SSL_CTX_set_client_hello_cb(): OpenSSL
 * keeps one client-hello callback per context and has no getter for it,
 * and PostgreSQL 19 sets its own (SNI, ssl_sni): we would replace it, or
 * it us.  No PostgreSQL release sets a message callback.  Nor can one fail
 * the handshake: it returns nothing and OpenSSL ignores it but for calling
 * it.  Ours takes no lock, allocates nothing, raises nothing and reads
 * nothing past the length OpenSSL gives it.
 *
 * The hook itself sets ours first and then calls the hook it replaced
 * (PostgreSQL's default sets the passphrase callback), so that a module
 * loaded before us that sets a message callback of its own keeps it: there
 * is one slot, no way to chain two, and ours is the one that can go.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "libpq/libpq-be.h"
#include "pd_compat.h"
#include "pd_tls.h"
#include "utils/guc.h"

#include "classify/ja4.h"

#ifdef PD_HAVE_TLS_INIT_HOOK
#include <openssl/ssl.h>
#endif

/* probe_detect.tls_fingerprints: read in the child, per handshake */
static bool pd_tls_enabled = true;

/*
 * The connection's ClientHello message, as OpenSSL read it.  Process-local:
 * each connection's child starts with an empty one (the postmaster never
 * performs a handshake).  4 kB holds any real ClientHello (Chrome's with a
 * post-quantum key share is under 2 kB); a longer one keeps its first 4 kB
 * and gets no JA4 (ja4.c calls it incomplete).
 */
#define PD_TLS_HELLO_MAX	4096
static uint8 pd_tls_hello[PD_TLS_HELLO_MAX];
static size_t pd_tls_hello_len = 0;

#ifdef PD_HAVE_TLS_INIT_HOOK
static openssl_tls_init_hook_typ pd_prev_tls_init_hook = NULL;

static void
pd_tls_msg(int write_p, int version, int content_type, const void *buf,
		   size_t len, SSL *ssl, void *arg)
{
	(void) version;
	(void) arg;

	/* the header of a record we read comes before the message in it */
	if (!write_p && content_type == SSL3_RT_HEADER)
		return;
	if (!write_p && content_type == SSL3_RT_HANDSHAKE && pd_tls_enabled &&
		buf != NULL && len > 0 &&
		((const uint8 *) buf)[0] == SSL3_MT_CLIENT_HELLO &&
		pd_tls_hello_len == 0)
	{
		pd_tls_hello_len = Min(len, sizeof(pd_tls_hello));
		memcpy(pd_tls_hello, buf, pd_tls_hello_len);
	}

	/*
	 * The client's first message is all we want, whatever it was (an
	 * SSLv2-format hello comes with content type 0): unset, so the rest of
	 * the session's records are not reported to us.
	 */
	SSL_set_msg_callback(ssl, NULL);
}

static void
pd_tls_init(SSL_CTX *context, bool isServerStart)
{
	SSL_CTX_set_msg_callback(context, pd_tls_msg);
	if (pd_prev_tls_init_hook)
		pd_prev_tls_init_hook(context, isServerStart);
}
#endif

void
pd_tls_define_setting(void)
{
	DefineCustomBoolVariable("probe_detect.tls_fingerprints",
							 "Records the JA4 fingerprint, SNI and ALPN of the TLS handshakes the server performs.",
							 NULL,
							 &pd_tls_enabled,
							 true,
							 PGC_SIGHUP,
							 0,
							 NULL, NULL, NULL);
}

void
pd_tls_install(void)
{
#ifdef PD_HAVE_TLS_INIT_HOOK
	pd_prev_tls_init_hook = openssl_tls_init_hook;
	openssl_tls_init_hook = pd_tls_init;
#endif
}

bool
pd_hello_facts(const uint8 *msg, size_t len, char *facts, size_t size)
{
	PdHello		h;
	PdClass		c;
	size_t		n = strlen(facts);

	if (len == 0 || !pd_hello_parse(msg, len, &h))
		return false;
	c.protocol[0] = c.tool[0] = c.detail[0] = '\0';
	pd_hello_describe(&h, &c);
	if (c.detail[0] == '\0')
		return false;
	/* " ja4=..." after nothing: drop the space */
	strlcat(facts, c.detail + (n == 0 && c.detail[0] == ' '), size);
	return true;
}

bool
pd_tls_facts(char *facts, size_t size)
{
	return pd_hello_facts(pd_tls_hello, pd_tls_hello_len, facts, size);
}
