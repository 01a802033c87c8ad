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
#include "libpq/libpq-be.h"
#include "pd_text.h"
#include "utils/guc.h"

#define PD_REFUSED_MAX	1024	/* networks refused at once, at most */

typedef struct PdRefusal
{
	PdNet		net;			/* family 0: a free entry */
	TimestampTz since;
	TimestampTz until;
	int32		events;			/* the attempts that crossed the threshold */
	int32		window;			/* ... within this many seconds */
} PdRefusal;

extern int	pd_refuse_after;
extern int	pd_refuse_window;
extern int	pd_refuse_for;
extern char *pd_trusted_networks;

extern Size pd_refuse_shmem_size(void);
extern void pd_refuse_shmem_request(void);
extern void pd_refuse_shmem_init(void *mem, bool found);

/* In ClientAuthentication_hook: FATAL if this client is to be refused. */
extern void pd_refuse_check(Port *port);

/* Saving and restoring the table (the postmaster, pd_persist.c). */
extern int	pd_refuse_export(PdRefusal *out, int max);
extern void pd_refuse_import(const PdRefusal *in, int n);

/* GUC hooks for probe_detect.trusted_networks. */
extern bool pd_trusted_check(char **newval, void **extra, GucSource source);
extern void pd_trusted_assign(const char *newval, void *extra);

#endif							/* PD_REFUSE_H */
