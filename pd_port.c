/*-------------------------------------------------------------------------
 *
 * pd_port.c
 *	  What a connection's Port says about its client.
 *
 * Reads process-local state only: safe in the pre-PGPROC child.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "pd_compat.h"
#include "pd_port.h"
#include "pd_tally.h"

pd_hot uint8
pd_port_addr(const Port *port, uint8 *addr, uint16 *client_port)
{
	const struct sockaddr *sa = (const struct sockaddr *) &port->raddr.addr;

	memset(addr, 0, 16);
	*client_port = 0;
	if (sa->sa_family == AF_INET)
	{
		const struct sockaddr_in *sin = (const struct sockaddr_in *) sa;

		memcpy(addr, &sin->sin_addr, 4);
		*client_port = ntohs(sin->sin_port);
		return AF_INET;
	}
	if (sa->sa_family == AF_INET6)
	{
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *) sa;

		memcpy(addr, &sin6->sin6_addr, 16);
		*client_port = ntohs(sin6->sin6_port);
		return AF_INET6;
	}
	return 0;
}

/* How the connection came, as libpq's fallbacks go (pd_tally.c). */
pd_hot int
pd_port_transport(Port *port)
{
	if (port->ssl_in_use)
		return PD_TRANSPORT_TLS;
	if (pd_port_gss_enc(port))
		return PD_TRANSPORT_GSS;
	return PD_TRANSPORT_PLAIN;
}
