/*-------------------------------------------------------------------------
 *
 * pd_tls.h
 *	  The ClientHello of this connection's TLS handshake (14+).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_TLS_H
#define PD_TLS_H

#include "pd_classify.h"

/* probe_detect.tls_fingerprints, and the hook on PostgreSQL's SSL_CTX. */
extern void pd_tls_define_setting(void);
extern void pd_tls_install(void);

/*
 * Append the ClientHello message msg[0 .. len)'s " ja4=... sni=... alpn=..."
 * (each only if known, escaped as the classifier does; without the leading
 * space if facts was empty) to facts, a string of size bytes.  False if
 * there is nothing to say.  Pure computation: safe in the pre-PGPROC child.
 */
extern bool pd_hello_facts(const uint8 *msg, size_t len, char *facts,
						   size_t size);

/*
 * The same for this process's TLS handshake, if it began with a
 * ClientHello (OpenSSL's copy).  Reads process-local memory only.
 */
extern bool pd_tls_facts(char *facts, size_t size);

#endif							/* PD_TLS_H */
