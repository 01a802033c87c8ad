/*
 * flood.c
 *	  A compiled probe sender for make bench, so that the client is not the
 *	  bottleneck: P processes, each connecting to 127.0.0.1:PORT for S
 *	  seconds, sending one of a few real probes per connection and reading
 *	  until the server closes.  Prints the number of probes sent (completed:
 *	  written whole and the connection closed by the server).
 *
 *	  flood [-k KINDS] [-a ADDRESSES] [-t SLICE_MS] PORT[,PORT2] PROCESSES SECONDS [BYTES]
 *
 *	  With BYTES, every probe is an HTTP request padded to BYTES bytes (at
 *	  most 8192, PostgreSQL's receive buffer): events with large payloads.
 *	  -k uses the first KINDS probes of the table (default 6, the set the
 *	  side-by-side figures have always used; up to all of them).  -a sends
 *	  from ADDRESSES loopback source addresses (127.1.0.1 and up) instead of
 *	  127.0.0.1, so that a ring filled by the flood holds many sources.
 *
 *	  With two ports, every process sends to PORT for SLICE_MS milliseconds
 *	  (default 250), then to PORT2 for as long, and so on, all processes
 *	  switching at the same moments (one clock, read by all): the two servers
 *	  are loaded in turn, never at once, each with the whole machine, and a
 *	  change of the machine's speed slower than a slice reaches both alike.
 *	  Prints the two counts, "N1 N2"; a probe counts for the port it went to.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const struct
{
	const char *bytes;
	size_t		len;
}			probes[] = {
#define P(s) {s, sizeof(s) - 1}
	P("GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"),
	P("\0\0\0\x08\xffSMB"),	/* the SMB version word, a complete packet */
	P("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u6\r\n"),
	P("\x16\x03\x01\x00\x2f\x01\x00\x00\x2b\x03\x03random1random2random3random4\0\0\x02\0/\x01\0"),
	P("*1\r\n$4\r\nPING\r\n"),
	P("\0\0\0\x08\0\x02\0\0"),
	/* beyond the first six: only with -k, for a ring of varied events */
	P("\x03\0\0\x13\x0e\xe0\0\0\0\0\0\x01\0\x08\0\x03\0\0\0"),	/* RDP */
	P("GET /.env HTTP/1.1\r\nHost: 127.0.0.1:5432\r\nUser-Agent: Mozilla/5.0 zgrab/0.x\r\nAccept: */*\r\nAccept-Encoding: gzip\r\n\r\n"),
	P("JDWP-Handshake"),
	P("\r\n\r\n"),
	P("stats\r\n"),
	P("GET / HTTP/1.0\r\n\r\n"),
	P("OPTIONS / RTSP/1.0\r\n\r\n"),
};

#define NPROBES (int) (sizeof(probes) / sizeof(probes[0]))

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
	fprintf(stderr, "usage: flood [-k KINDS] [-a ADDRESSES] [-t SLICE_MS] PORT[,PORT2] PROCESSES SECONDS [BYTES]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	int			ports[2];
	int			nports;
	int			procs;
	int			kinds = 6;
	long		addresses = 0;
	double		slice = 0.25;
	double		seconds;
	double		start;
	int			fds[64][2];
	long		total[2] = {0, 0};
	static char big[8192];
	size_t		bytes = 0;
	char	   *comma;
	int			opt;

	while ((opt = getopt(argc, argv, "k:a:t:")) != -1)
	{
		switch (opt)
		{
			case 'k':
				kinds = atoi(optarg);
				break;
			case 'a':
				addresses = atol(optarg);
				break;
			case 't':
				slice = atof(optarg) / 1000.0;
				break;
			default:
				usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 3 && argc != 4)
		usage();
	ports[0] = atoi(argv[0]);
	comma = strchr(argv[0], ',');
	ports[1] = comma ? atoi(comma + 1) : ports[0];
	nports = comma ? 2 : 1;
	procs = atoi(argv[1]);
	seconds = atof(argv[2]);
	if (argc == 4)
		bytes = (size_t) atol(argv[3]);
	if (procs < 1 || procs > 64 || bytes > sizeof(big) || kinds < 1 ||
		kinds > NPROBES || addresses < 0 || addresses > 65000 ||
		slice < 0.01 || seconds <= 0)
		usage();
	if (bytes > 0)
	{
		memset(big, 'x', bytes);
		memcpy(big, "GET /", bytes < 5 ? bytes : 5);
	}

	start = now();
	for (int p = 0; p < procs; p++)
	{
		if (pipe(fds[p]) != 0)
			return 1;
		if (fork() == 0)
		{
			struct sockaddr_in sa;
			double		end = start + seconds;
			double		t;
			long		n[2] = {0, 0};
			long		sent = 0;
			char		buf[4096];

			memset(&sa, 0, sizeof(sa));
			sa.sin_family = AF_INET;
			sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			while ((t = now()) < end)
			{
				int			s = socket(AF_INET, SOCK_STREAM, 0);
				int			k = (int) ((sent + p) % kinds);
				int			which = nports == 2 ? (int) ((long) ((t - start) / slice) % 2) : 0;
				struct timeval tv = {5, 0};
				const char *out = bytes ? big : probes[k].bytes;
				size_t		len = bytes ? bytes : probes[k].len;

				if (s < 0)
					continue;
				sent++;
				/* never wait on a server that waits for more */
				setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
				if (addresses > 0)
				{
					struct sockaddr_in from;

					/* a stride prime to the kinds: sources and kinds mix */
					memset(&from, 0, sizeof(from));
					from.sin_family = AF_INET;
					from.sin_addr.s_addr =
						htonl(0x7f010001 + (uint32_t) ((sent * 7 + p) % addresses));
					if (bind(s, (struct sockaddr *) &from, sizeof(from)) != 0)
					{
						close(s);
						continue;
					}
				}
				sa.sin_port = htons(ports[which]);
				if (connect(s, (struct sockaddr *) &sa, sizeof(sa)) == 0 &&
					write(s, out, len) == (ssize_t) len)
				{
					while (read(s, buf, sizeof(buf)) > 0)
						;
					n[which]++;
				}
				close(s);
			}
			if (write(fds[p][1], n, sizeof(n)) != sizeof(n))
				_exit(1);
			_exit(0);
		}
	}
	for (int p = 0; p < procs; p++)
	{
		long		n[2] = {0, 0};

		if (read(fds[p][0], n, sizeof(n)) == sizeof(n))
		{
			total[0] += n[0];
			total[1] += n[1];
		}
		wait(NULL);
	}
	if (nports == 2)
		printf("%ld %ld\n", total[0], total[1]);
	else
		printf("%ld\n", total[0]);
	return 0;
}
