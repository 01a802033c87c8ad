/*
 * feed_syscalls.c
 *	  What the ban feed's system calls cost per record, alone: N times an
 *	  open(O_WRONLY | O_APPEND | O_CREAT), one write() of a record-sized
 *	  line and a close(), as pd_feed_write() does them, on PATH (a file in
 *	  the data directory's file system, removed afterwards).  Prints
 *	  microseconds per record.
 *
 *	  feed_syscalls PATH N
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	static const char line[] =
		"2026-11-29T07:12:00.123456Z probe_detect[4242]: probe 203.0.113.7 kind=unsupported_protocol protocol=smb1\n";
	struct timespec a,
				b;
	int			n,
				i;

	if (argc != 3 || (n = atoi(argv[2])) <= 0)
	{
		fprintf(stderr, "usage: feed_syscalls PATH N\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++)
	{
		int			fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

		if (fd < 0 || write(fd, line, sizeof(line) - 1) != (ssize_t) (sizeof(line) - 1))
		{
			perror(argv[1]);
			return 1;
		}
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.2f\n", ((b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3) / n);
	unlink(argv[1]);
	return 0;
}
