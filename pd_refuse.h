/*-------------------------------------------------------------------------
 *
 * pd_refuse.h
 *	  Refusing addresses that probe or guess too much.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_REFUSE_H
#define PD_REFUSE_H

#include "datatype/timestamp.h"
#include "pd_text.h"

#define PD_REFUSED_MAX	1024	/* networks refused at once, at most */

typedef struct PdRefusal
{
	PdNet		net;			/* family 0: a free entry */
	TimestampTz since;
	TimestampTz until;
	int32		events;			/* the attempts that crossed the threshold */
	int32		window;			/* ... within this many seconds */
} PdRefusal;

/* At _PG_init: refuse_after, refuse_for, trusted_networks. */
extern void pd_refuse_define_settings(void);

extern Size pd_refuse_shmem_size(void);
extern void pd_refuse_shmem_request(void);
extern void pd_refuse_shmem_init(void *mem, bool found);

/*
 * In ClientAuthentication_hook: is this client to be refused?  If so, out
 * says why, for pd_refuse_report(), which raises the FATAL.
 */
extern bool pd_refuse_decide(uint8 family, const uint8 *addr, int transport,
							 PdRefusal *out);
extern void pd_refuse_report(const PdRefusal *r, uint8 family, const uint8 *addr);

/* For the SQL functions: the entries in use, and a pardon. */
extern int	pd_refuse_snapshot(PdRefusal *out, int max);
extern bool pd_refuse_lift(uint8 family, const uint8 *addr);

/* Saving and restoring the table (the postmaster, pd_persist.c). */
extern int	pd_refuse_export(PdRefusal *out, int max);
extern void pd_refuse_import(const PdRefusal *in, int n);

#endif							/* PD_REFUSE_H */
