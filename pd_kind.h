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
	PD_KIND_TLS_CLIENT_FAILURE, /* a PostgreSQL client's TLS failed: not a
								 * probe (wrong root CA, TLS versions) */
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

/*
 * A start-up rejection that no PostgreSQL client causes: what the ban feed
 * calls a probe, and what counts toward refusing.
 */
static inline int
pd_kind_is_probe(int kind)
{
	return kind > PD_KIND_NONE && kind < PD_KIND_MAX && !pd_kind_is_auth(kind) &&
		kind != PD_KIND_TLS_CLIENT_FAILURE;
}

/*
 * What the ban feed says of an event (pd_feed.c): a closed set, so that no
 * client byte can choose a word of it.
 */
typedef enum PdVerdict
{
	PD_VERDICT_NONE = 0,		/* not written to the feed */
	PD_VERDICT_PROBE,			/* a probe: ban-worthy */
	PD_VERDICT_GUESSING,		/* a failed login over the guessing threshold */
	PD_VERDICT_FAILURE,			/* a failed login or a client's TLS failure */
	PD_VERDICT_REFUSED,			/* refused by probe_detect.refuse_after */
	PD_VERDICT_MAX
} PdVerdict;

static inline PdVerdict
pd_kind_verdict(int kind, int guessing)
{
	if (pd_kind_is_probe(kind))
		return PD_VERDICT_PROBE;
	switch (kind)
	{
		case PD_KIND_AUTH_FAILED:
			return guessing ? PD_VERDICT_GUESSING : PD_VERDICT_FAILURE;
		case PD_KIND_HBA_REJECTED:
		case PD_KIND_CERT_REJECTED:
		case PD_KIND_UNKNOWN_ROLE:
		case PD_KIND_UNKNOWN_DATABASE:
		case PD_KIND_TLS_CLIENT_FAILURE:
			return PD_VERDICT_FAILURE;
		case PD_KIND_REFUSED:
			return PD_VERDICT_REFUSED;
		default:
			return PD_VERDICT_NONE; /* psql's abandoned first try, each time */
	}
}

#endif							/* PD_KIND_H */
