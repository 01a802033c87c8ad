/*-------------------------------------------------------------------------
 *
 * pd_port.h
 *	  What a connection's Port says about its client: address and transport.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_PORT_H
#define PD_PORT_H

#include "libpq/libpq-be.h"

/*
 * The client's address: AF_INET or AF_INET6 with its bytes in addr (16,
 * zero-padded) and its port, or 0 for a Unix-domain socket.
 */
extern uint8 pd_port_addr(const Port *port, uint8 *addr, uint16 *client_port);

/* How the connection came (PD_TRANSPORT_*, pd_tally.h). */
extern int	pd_port_transport(Port *port);

#endif							/* PD_PORT_H */
