/*-------------------------------------------------------------------------
 *
 * pd_hooks.h
 *	  The emit_log_hook and ClientAuthentication_hook.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_HOOKS_H
#define PD_HOOKS_H

/* At _PG_init: enabled, server_log, reply; then the hooks themselves. */
extern void pd_hooks_define_settings(void);
extern void pd_hooks_install(void);

#endif							/* PD_HOOKS_H */
