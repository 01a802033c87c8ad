/*-------------------------------------------------------------------------
 *
 * pd_refuse.h
 *	  Refusing addresses that probe or guess too much.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_REFUSE_H
#define PD_REFUSE_H

#include "libpq/libpq-be.h"
#include "pd_ring.h"

#define PD_REFUSED_MAX	1024	/* addresses refused at once, at most */

extern int	pd_refuse_after;
extern int	pd_refuse_window;
extern int	pd_refuse_for;
extern char *pd_trusted_networks;

extern Size pd_refuse_shmem_size(void);
extern void pd_refuse_shmem_request(void);
extern void pd_refuse_shmem_init(void *mem, bool found);

/* In ClientAuthentication_hook: FATAL if this client is to be refused. */
extern void pd_refuse_check(Port *port);

/* GUC hooks for probe_detect.trusted_networks. */
extern bool pd_trusted_check(char **newval, void **extra, GucSource source);
extern void pd_trusted_assign(const char *newval, void *extra);

#endif							/* PD_REFUSE_H */
