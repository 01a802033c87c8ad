/*-------------------------------------------------------------------------
 *
 * pd_compat.h
 *	  Every PostgreSQL version difference probe_detect cares about (13-18).
 *
 * Keep version tests out of function bodies: add a shim here instead.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_COMPAT_H
#define PD_COMPAT_H

#include "funcapi.h"
#include "libpq/libpq.h"
#include "miscadmin.h"
#include "utils/guc.h"

/* MarkGUCPrefixReserved() is 15+; EmitWarningsOnPlaceholders() before. */
#if PG_VERSION_NUM < 150000
#define MarkGUCPrefixReserved(prefix) EmitWarningsOnPlaceholders(prefix)
#endif

/* 15+ requests shared memory from shmem_request_hook, older from _PG_init. */
#if PG_VERSION_NUM >= 150000
#define PD_HAVE_SHMEM_REQUEST_HOOK 1
#endif

/*
 * Is there unread data in PostgreSQL's receive buffer?  The check exists from
 * 13.5 and 14.1 and was renamed in 17.  Without it we cannot tell buffered
 * bytes from an empty buffer without a recv(), so payload capture is skipped.
 */
#if PG_VERSION_NUM >= 170000
#define PD_HAVE_BUFFER_CHECK 1
#define pd_buffer_has_data() (pq_buffer_remaining_data() > 0)
#elif PG_VERSION_NUM >= 140001 || (PG_VERSION_NUM >= 130005 && PG_VERSION_NUM < 140000)
#define PD_HAVE_BUFFER_CHECK 1
#define pd_buffer_has_data() pq_buffer_has_data()
#endif

/* hba_authname() took the Port before 14. */
#if PG_VERSION_NUM >= 140000
#define pd_hba_authname(port) hba_authname((port)->hba->auth_method)
#else
#define pd_hba_authname(port) hba_authname(port)
#endif

/* Materialize-mode set-returning functions: three spellings. */
#if PG_VERSION_NUM >= 160000
#define pd_init_srf(fcinfo) InitMaterializedSRF((fcinfo), 0)
#elif PG_VERSION_NUM >= 150000
#define pd_init_srf(fcinfo) SetSingleFuncCall((fcinfo), 0)
#else
#include "utils/tuplestore.h"
static inline void
pd_init_srf(FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TupleDesc	tupdesc;
	MemoryContext oldcontext;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		(rsinfo->allowedModes & SFRM_Materialize) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("materialize mode required, but it is not allowed in this context")));
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	oldcontext = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = tuplestore_begin_heap(true, false, work_mem);
	rsinfo->setDesc = CreateTupleDescCopy(tupdesc);
	MemoryContextSwitchTo(oldcontext);
}
#endif

#endif							/* PD_COMPAT_H */
