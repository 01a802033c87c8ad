/*-------------------------------------------------------------------------
 *
 * pd_reasons.h
 *	  What OpenSSL's reason in "could not accept SSL connection: ..." says
 *	  about the client.
 *
 * Pure C, no PostgreSQL headers: the module reads the reason in the
 * message it intercepts, probe_detect_logscan in a log line.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_REASONS_H
#define PD_REASONS_H

typedef enum PdTlsReason
{
	PD_TLS_REASON_OTHER = 0,	/* a handshake that failed for another reason */
	PD_TLS_REASON_CERT,			/* a certificate was refused, by either side */
	PD_TLS_REASON_NOT_TLS,		/* the bytes were no TLS record of any version */
} PdTlsReason;

/* The reason class of message (NULL: other). */
extern PdTlsReason pd_tls_reason(const char *message);

#endif							/* PD_REASONS_H */
