/*-------------------------------------------------------------------------
 *
 * pd_kind.h
 *	  Event kinds, shared by the capture path and the pure classifier.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_KIND_H
#define PD_KIND_H

/* Stored in the ring: append only, never renumber. */
typedef enum PdKind
{
	PD_KIND_NONE = 0,			/* bytes of unknown origin (SQL classify) */
	PD_KIND_UNSUPPORTED_PROTOCOL,
	PD_KIND_INVALID_LENGTH,
	PD_KIND_INCOMPLETE_PACKET,
	PD_KIND_INVALID_LAYOUT,
	PD_KIND_MISSING_USER,
	PD_KIND_UNENCRYPTED_AFTER_REQUEST,
	PD_KIND_TLS_FAILURE,
	PD_KIND_AUTH_FAILED,		/* ClientAuthentication_hook, STATUS_ERROR */
	PD_KIND_AUTH_ABANDONED,		/* ClientAuthentication_hook, STATUS_EOF */
	PD_KIND_HBA_REJECTED,		/* pg_hba.conf: no entry, or reject */
	PD_KIND_CERT_REJECTED,		/* a client certificate was required */
	PD_KIND_UNKNOWN_ROLE,		/* authenticated, but no such role */
	PD_KIND_UNKNOWN_DATABASE,	/* authenticated, but no such database */
	PD_KIND_REFUSED,			/* refused by probe_detect.refuse_after */
	PD_KIND_TLS_REJECTED,		/* 17+: direct TLS where the server has none */
	PD_KIND_MAX
} PdKind;

/*
 * Events of a client that spoke PostgreSQL's protocol well enough to reach
 * authentication, as opposed to start-up rejections.  Ask this, never the
 * enum order: kinds are appended.
 */
static inline int
pd_kind_is_auth(int kind)
{
	return kind >= PD_KIND_AUTH_FAILED && kind <= PD_KIND_REFUSED;
}

#endif							/* PD_KIND_H */
