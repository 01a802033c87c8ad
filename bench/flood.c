/*
 * flood.c
 *	  A compiled probe sender for make bench, so that the client is not the
 *	  bottleneck: P processes, each connecting to 127.0.0.1:PORT for S
 *	  seconds, sending one of a few real probes per connection and reading
 *	  until the server closes.  Prints the number of probes sent.
 *
 *	  flood PORT PROCESSES SECONDS [BYTES]
 *
 *	  With BYTES, every probe is an HTTP request padded to BYTES bytes (at
 *	  most 8192, PostgreSQL's receive buffer): events with large payloads.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
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
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	int			port,
				procs;
	double		seconds;
	int			fds[64][2];
	long		total = 0;
	static char big[8192];
	size_t		bytes = 0;

	if (argc != 4 && argc != 5)
	{
		fprintf(stderr, "usage: flood PORT PROCESSES SECONDS [BYTES]\n");
		return 2;
	}
	port = atoi(argv[1]);
	procs = atoi(argv[2]);
	seconds = atof(argv[3]);
	if (argc == 5)
		bytes = (size_t) atol(argv[4]);
	if (procs < 1 || procs > 64 || bytes > sizeof(big))
		return 2;
	if (bytes > 0)
	{
		memset(big, 'x', bytes);
		memcpy(big, "GET /", bytes < 5 ? bytes : 5);
	}

	for (int p = 0; p < procs; p++)
	{
		if (pipe(fds[p]) != 0)
			return 1;
		if (fork() == 0)
		{
			struct sockaddr_in sa;
			double		end = now() + seconds;
			long		n = 0;
			char		buf[4096];

			memset(&sa, 0, sizeof(sa));
			sa.sin_family = AF_INET;
			sa.sin_port = htons(port);
			sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			while (now() < end)
			{
				int			s = socket(AF_INET, SOCK_STREAM, 0);
				size_t		k = (size_t) (n + p) % (sizeof(probes) / sizeof(probes[0]));

				struct timeval tv = {5, 0};

				if (s < 0)
					continue;
				/* never wait on a server that waits for more */
				setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
				const char *out = bytes ? big : probes[k].bytes;
				size_t		len = bytes ? bytes : probes[k].len;

				if (connect(s, (struct sockaddr *) &sa, sizeof(sa)) == 0 &&
					write(s, out, len) == (ssize_t) len)
				{
					while (read(s, buf, sizeof(buf)) > 0)
						;
					n++;
				}
				close(s);
			}
			if (write(fds[p][1], &n, sizeof(n)) != sizeof(n))
				_exit(1);
			_exit(0);
		}
	}
	for (int p = 0; p < procs; p++)
	{
		long		n = 0;

		if (read(fds[p][0], &n, sizeof(n)) == sizeof(n))
			total += n;
		wait(NULL);
	}
	printf("%ld\n", total);
	return 0;
}
