/*-------------------------------------------------------------------------
 *
 * pd_reasons.c
 *	  Classify OpenSSL's reason for a failed server handshake.
 *
 * The reasons are OpenSSL's own strings (ERR_reason_error_string), which
 * be_tls_open_server() appends to its message, in English whatever
 * lc_messages says.  A handshake that failed over a certificate: the client
 * did not accept ours (alerts it sent: libpq and OpenSSL clients send
 * "unknown ca" for a wrong root, Go and Python "bad certificate" for a wrong
 * host name, Java "certificate unknown"), or we did not accept its own
 * ("certificate verify failed").  A scanner accepts any certificate; a
 * client that checks one is somebody's application with the wrong root CA.
 * "http request" and "wrong version number" mean the client's first bytes
 * were no TLS record of any version.
 *
 *-------------------------------------------------------------------------
 */
#include "pd_reasons.h"

#include <stddef.h>
#include <string.h>

static const char *const pd_cert_reasons[] = {
	"alert unknown ca", "alert bad certificate", "alert certificate expired",
	"alert certificate revoked", "alert certificate unknown",
	"alert unsupported certificate", "certificate verify failed",
	"certificate unobtainable", "bad certificate status response",
	"bad certificate hash value",
};

static const char *const pd_not_tls_reasons[] = {
	"http request", "https proxy request", "wrong version number",
};

static int
pd_reason_in(const char *message, const char *const *reasons, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
		if (strstr(message, reasons[i]) != NULL)
			return 1;
	return 0;
}

PdTlsReason
pd_tls_reason(const char *message)
{
	if (message == NULL)
		return PD_TLS_REASON_OTHER;
	if (pd_reason_in(message, pd_cert_reasons,
					 sizeof(pd_cert_reasons) / sizeof(pd_cert_reasons[0])))
		return PD_TLS_REASON_CERT;
	if (pd_reason_in(message, pd_not_tls_reasons,
					 sizeof(pd_not_tls_reasons) / sizeof(pd_not_tls_reasons[0])))
		return PD_TLS_REASON_NOT_TLS;
	return PD_TLS_REASON_OTHER;
}
