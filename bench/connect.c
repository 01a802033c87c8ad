/*
 * connect.c
 *	  New connections for make bench, what "pgbench -n -C -S" does (connect,
 *	  one select-only transaction on pgbench_accounts, disconnect), but able
 *	  to load two servers in turn: C processes, each connecting to
 *	  127.0.0.1:PORT for SLICE_MS milliseconds (default 250), then to PORT2
 *	  for as long, and so on, all switching at the same moments, for SECONDS
 *	  seconds.  Prints the connections completed per port, "N1 N2" (one
 *	  count with one port); a failed connection or query counts for neither
 *	  and is reported on stderr.
 *
 *	  connect [-t SLICE_MS] PORT[,PORT2] CLIENTS SECONDS
 *
 *	  Needs pgbench -i -s 1 on both servers (aid 1 to 100,000), user and
 *	  database postgres, trust.  The libpq defaults are pgbench's.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libpq-fe.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
usage(void)
{
	fprintf(stderr, "usage: connect [-t SLICE_MS] PORT[,PORT2] CLIENTS SECONDS\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	int			ports[2];
	int			nports;
	int			procs;
	double		slice = 0.25;
	double		seconds;
	double		start;
	int			fds[64][2];
	long		total[2] = {0, 0};
	long		failed = 0;
	char	   *comma;
	int			opt;

	while ((opt = getopt(argc, argv, "t:")) != -1)
	{
		if (opt == 't')
			slice = atof(optarg) / 1000.0;
		else
			usage();
	}
	argc -= optind;
	argv += optind;
	if (argc != 3)
		usage();
	ports[0] = atoi(argv[0]);
	comma = strchr(argv[0], ',');
	ports[1] = comma ? atoi(comma + 1) : ports[0];
	nports = comma ? 2 : 1;
	procs = atoi(argv[1]);
	seconds = atof(argv[2]);
	if (procs < 1 || procs > 64 || slice < 0.01 || seconds <= 0)
		usage();

	start = now();
	for (int p = 0; p < procs; p++)
	{
		if (pipe(fds[p]) != 0)
			return 1;
		if (fork() == 0)
		{
			double		end = start + seconds;
			double		t;
			long		n[3] = {0, 0, 0};	/* per port, then failures */
			unsigned int seed = (unsigned int) getpid();

			while ((t = now()) < end)
			{
				int			which = nports == 2 ? (int) ((long) ((t - start) / slice) % 2) : 0;
				char		conninfo[128];
				char		query[96];
				PGconn	   *conn;
				PGresult   *res;

				snprintf(conninfo, sizeof(conninfo),
						 "host=127.0.0.1 port=%d user=postgres dbname=postgres",
						 ports[which]);
				snprintf(query, sizeof(query),
						 "SELECT abalance FROM pgbench_accounts WHERE aid = %d",
						 1 + rand_r(&seed) % 100000);
				conn = PQconnectdb(conninfo);
				if (PQstatus(conn) != CONNECTION_OK)
				{
					n[2]++;
					PQfinish(conn);
					continue;
				}
				res = PQexec(conn, query);
				if (PQresultStatus(res) == PGRES_TUPLES_OK)
					n[which]++;
				else
					n[2]++;
				PQclear(res);
				PQfinish(conn);
			}
			if (write(fds[p][1], n, sizeof(n)) != sizeof(n))
				_exit(1);
			_exit(0);
		}
	}
	for (int p = 0; p < procs; p++)
	{
		long		n[3] = {0, 0, 0};

		if (read(fds[p][0], n, sizeof(n)) == sizeof(n))
		{
			total[0] += n[0];
			total[1] += n[1];
			failed += n[2];
		}
		wait(NULL);
	}
	if (failed > 0)
		fprintf(stderr, "connect: %ld connections or queries failed\n", failed);
	if (nports == 2)
		printf("%ld %ld\n", total[0], total[1]);
	else
		printf("%ld\n", total[0]);
	return 0;
}
