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
 * If this process's TLS handshake began with a ClientHello: append its
 * " ja4=... sni=... alpn=..." to c->detail (escaped, as the classifier
 * does; without the leading space if the detail was empty), and name a
 * well-known stack in c->tool if that is empty.  False if there is none.
 * Reads process-local memory only: safe in the pre-PGPROC child.
 */
extern bool pd_tls_describe(PdClass *c);

#endif							/* PD_TLS_H */
