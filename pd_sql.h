/*-------------------------------------------------------------------------
 *
 * pd_sql.h
 *	  What the SQL-callable functions share.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_SQL_H
#define PD_SQL_H

#include "fmgr.h"
#include "pd_text.h"

/* ERROR unless the module was preloaded (the ring is attached). */
extern void pd_check_loaded(void);

/* Bytes as text: printable ASCII as is, everything else escaped. */
extern text *pd_ascii_text(const uint8 *bytes, size_t len);

/* A client-supplied string as text: valid in the database encoding and
 * printable. */
extern Datum pd_clean_text(const char *s, int max);

/* A client address, or a network, as an inet datum. */
extern Datum pd_inet_datum(uint8 family, const uint8 *addr);
extern Datum pd_net_datum(const PdNet *net);

#endif							/* PD_SQL_H */
