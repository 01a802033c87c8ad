/*-------------------------------------------------------------------------
 *
 * pd_capture.h
 *	  The hooks that turn rejected connections into ring events.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_CAPTURE_H
#define PD_CAPTURE_H

#include "pd_ring.h"
#include "utils/elog.h"

/* Set by probe_detect.c: the ring (NULL until attached) and the settings. */
extern PdRing *pd_ring;
extern bool pd_enabled;
extern int	pd_capture_bytes;

extern void pd_install_hooks(void);

/* ERROR unless the module was preloaded (defined in probe_detect.c). */
extern void pd_check_loaded(void);

#endif							/* PD_CAPTURE_H */
