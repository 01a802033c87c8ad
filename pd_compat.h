/*-------------------------------------------------------------------------
 *
 * pd_compat.h
 *	  Every PostgreSQL version difference probe_detect cares about (13-19).
 *
 * Keep version tests out of function bodies: add a shim here instead.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_COMPAT_H
#define PD_COMPAT_H

#include "access/htup_details.h"	/* heap_form_tuple: funcapi.h stops
										 * including it in 19 */
#include "funcapi.h"
#include "libpq/hba.h"
#include "libpq/libpq.h"
#include "libpq/libpq-be.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/tuplestore.h"	/* nor this one, in 19 */

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

/*
 * The name of the pg_hba.conf method that was tried: hba_authname() from 14
 * on; 13 has only a static table in hba.c (UserAuthName[]), so its names,
 * in the order of 13's UserAuth, are repeated here.
 */
#if PG_VERSION_NUM >= 140000
#define pd_hba_authname(port) hba_authname((port)->hba->auth_method)
#else
static inline const char *
pd_hba_authname(Port *port)
{
	static const char *const names[] = {
		"reject", "implicit reject", "trust", "ident", "password", "md5",
		"scram-sha-256", "gss", "sspi", "pam", "bsd", "ldap", "cert",
		"radius", "peer"
	};
	int			m = (int) port->hba->auth_method;

	StaticAssertStmt(lengthof(names) == USER_AUTH_LAST + 1,
					 "hba.c's method names changed");
	return m >= 0 && m < (int) lengthof(names) ? names[m] : "unknown";
}
#endif

/*
 * A GUC check hook's *extra is freed by the GUC machinery: with guc_free()
 * from 16 on (which pfree()s, so malloc'd memory crashes the server), with
 * free() before.  Allocate it the way this version frees it.
 */
#if PG_VERSION_NUM >= 160000
#define pd_guc_extra_alloc(size) guc_malloc(LOG, (size))
#define pd_guc_extra_free(ptr) guc_free(ptr)
#else
#define pd_guc_extra_alloc(size) malloc(size)
#define pd_guc_extra_free(ptr) free(ptr)
#endif

/*
 * 17+: a connection whose first byte is 0x16 takes the direct-TLS path
 * (backend_startup.c, ProcessSSLStartup).  With the server's TLS in use,
 * secure_open_server() hands what was buffered to OpenSSL through
 * Port.raw_buf, which is still allocated while be_tls_open_server() reports
 * a failed handshake.  Without TLS the connection is closed, and the only
 * message is trace_connection_negotiation's, raised while the ClientHello
 * is still unread in the receive buffer.
 */
#if PG_VERSION_NUM >= 170000
#define PD_HAVE_DIRECT_TLS 1
#endif

/*
 * 14+: openssl_tls_init_hook, called on every SSL_CTX PostgreSQL builds (at
 * start and at each reload), lets pd_tls.c see the ClientHello of every TLS
 * handshake the server performs.  13 has no such hook.
 */
#if PG_VERSION_NUM >= 140000 && defined(USE_OPENSSL)
#define PD_HAVE_TLS_INIT_HOOK 1
#endif

/* Is the connection GSS-encrypted?  Only a build with GSSAPI can say. */
#ifdef ENABLE_GSS
#define pd_port_gss_enc(port) be_gssapi_get_enc(port)
#else
#define pd_port_gss_enc(port) false
#endif

/* Materialize-mode set-returning functions: three spellings. */
#if PG_VERSION_NUM >= 160000
#define pd_init_srf(fcinfo) InitMaterializedSRF((fcinfo), 0)
#elif PG_VERSION_NUM >= 150000
#define pd_init_srf(fcinfo) SetSingleFuncCall((fcinfo), 0)
#else
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

/*
 * The start-up child's path (the hook, the rule match, the capture, the ring
 * write): functions so marked are placed together (.text.hot), so that a
 * forked child, which faults in every code page it runs, needs one window
 * of our code, apart from the rest of the module (docs/design.md, "Page
 * faults").
 */
#if defined(__GNUC__)
#define pd_hot __attribute__((hot))
#else
#define pd_hot
#endif

#endif							/* PD_COMPAT_H */
