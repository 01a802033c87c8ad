/*-------------------------------------------------------------------------
 *
 * input.c
 *	  Read a server log, plain or gzip-compressed, as records.
 *
 * zlib reads both (gzread passes a file without gzip's magic through), so
 * a rotated "postgresql-Mon.log.gz" and the current log go the same way.
 * Records are found with memchr in a 1 MB buffer: the cost per byte is
 * about what grep's is.
 *
 *-------------------------------------------------------------------------
 */
#include "logscan/input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* the fuzzer builds it smaller, to reach the refills more often */
#ifndef LS_BUF_SIZE
#define LS_BUF_SIZE (1024 * 1024)
#endif

struct LsInput
{
	gzFile		gz;
	char	   *buf;			/* LS_BUF_SIZE + 1 */
	size_t		start;			/* next record */
	size_t		end;			/* bytes held */
	bool		eof;
	bool		error;
	bool		csv;
	bool		skipping;		/* dropping the rest of a cut record */
	bool		skip_quoted;	/* ... inside a quoted csv field */
	size_t		hist[LS_INPUT_HISTORY];	/* starts: [0] the current record */
	int			nhist;
	size_t		cur_end;		/* the current record's end */
	LsInputStats stats;
};

LsInput *
ls_input_open(const char *path)
{
	LsInput    *in;
	int			fd;

	fd = strcmp(path, "-") == 0 ? dup(0) : open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	in = calloc(1, sizeof(LsInput));
	if (in == NULL || (in->buf = malloc(LS_BUF_SIZE + 1)) == NULL)
	{
		free(in);
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	in->gz = gzdopen(fd, "rb");
	if (in->gz == NULL)
	{
		free(in->buf);
		free(in);
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	gzbuffer(in->gz, 256 * 1024);
	return in;
}

void
ls_input_csv(LsInput *in, bool csv)
{
	in->csv = csv;
}

/* Read more after what is held; false if nothing more came. */
static bool
ls_fill(LsInput *in)
{
	int			n;

	if (in->eof || in->error)
		return false;
	/* a history that would crowd out the next record is dropped */
	if (in->nhist > 0 && in->end - in->hist[in->nhist - 1] > LS_BUF_SIZE / 2)
		in->nhist = 0;
	if (in->start > 0)
	{
		/* keep the records of the history */
		size_t		keep = in->nhist > 0 ? in->hist[in->nhist - 1] : in->start;
		int			k;

		if (keep > in->start)
			keep = in->start;
		memmove(in->buf, in->buf + keep, in->end - keep);
		in->end -= keep;
		in->start -= keep;
		in->cur_end -= in->nhist > 0 ? keep : 0;
		for (k = 0; k < in->nhist; k++)
			in->hist[k] -= keep;
	}
	if (in->end >= LS_BUF_SIZE)
		return false;
	n = gzread(in->gz, in->buf + in->end, (unsigned) (LS_BUF_SIZE - in->end));
	if (n < 0)
	{
		in->error = true;
		return false;
	}
	if (n == 0)
	{
		in->eof = true;
		return false;
	}
	in->end += n;
	in->stats.bytes += n;
	return true;
}

size_t
ls_input_peek(LsInput *in, const char **buf)
{
	while (in->end - in->start < 64 * 1024 && ls_fill(in))
		;
	*buf = in->buf + in->start;
	return in->end - in->start;
}

/*
 * The end of the record starting at from (the index of its newline), or
 * -1 if the buffer holds no end yet.  *quoted carries a csv record's quote
 * state from one look to the next.
 */
static long
ls_record_end(LsInput *in, size_t from, bool *quoted)
{
	const char *b = in->buf;
	size_t		i = from;

	if (!in->csv)
	{
		const char *nl = memchr(b + i, '\n', in->end - i);

		return nl ? (long) (nl - b) : -1;
	}
	while (i < in->end)
	{
		const char *nl = memchr(b + i, '\n', in->end - i);
		size_t		stop = nl ? (size_t) (nl - b) : in->end;
		const char *q;

		/* quotes flip the state; a newline outside them ends the record */
		while ((q = memchr(b + i, '"', stop - i)) != NULL)
		{
			*quoted = !*quoted;
			i = (size_t) (q - b) + 1;
		}
		if (nl == NULL)
			return -1;
		if (!*quoted)
			return (long) stop;
		i = stop + 1;
	}
	return -1;
}

int
ls_input_next(LsInput *in, const char **rec, size_t *len)
{
	for (;;)
	{
		bool		quoted = in->skipping && in->skip_quoted;
		long		e = ls_record_end(in, in->start, &quoted);

		if (e >= 0)
		{
			size_t		s = in->start;
			size_t		n = (size_t) e - s;

			in->start = (size_t) e + 1;
			if (in->skipping)
			{
				/* the end of a record that was cut: drop it */
				in->skipping = false;
				continue;
			}
			if (n > 0 && in->buf[s + n - 1] == '\r')
				n--;
			if (n > LS_LINE_MAX)
			{
				n = LS_LINE_MAX;
				in->stats.cut++;
				in->nhist = 0;
			}
			else
			{
				memmove(in->hist + 1, in->hist, sizeof(in->hist[0]) * (LS_INPUT_HISTORY - 1));
				in->hist[0] = s;
				in->cur_end = s + n;
				if (in->nhist < LS_INPUT_HISTORY)
					in->nhist++;
			}
			in->stats.records++;
			*rec = in->buf + s;
			*len = n;
			return 1;
		}
		if (in->skipping)
		{
			/* drop what is held, keeping the quote state, and read on */
			in->skip_quoted = quoted;
			in->start = in->end;
			if (!ls_fill(in))
			{
				in->skipping = false;
				return in->error ? -1 : 0;
			}
			continue;
		}
		if (in->end - in->start >= LS_LINE_MAX)
		{
			/* too long: its first LS_LINE_MAX bytes, then skip the rest */
			size_t		s = in->start;
			bool		q = false;
			const char *p = in->buf + s;

			while (in->csv && (p = memchr(p, '"', in->buf + s + LS_LINE_MAX - p)) != NULL)
			{
				q = !q;
				p++;
			}
			in->start += LS_LINE_MAX;
			in->nhist = 0;
			in->skipping = true;
			in->skip_quoted = q;
			in->stats.records++;
			in->stats.cut++;
			*rec = in->buf + s;
			*len = LS_LINE_MAX;
			return 1;
		}
		if (ls_fill(in))
			continue;
		if (in->error)
			return -1;
		/* the end: a last record without its newline */
		if (in->end > in->start)
		{
			size_t		s = in->start;

			in->nhist = 0;

			in->start = in->end;
			in->stats.records++;
			*rec = in->buf + s;
			*len = in->end - s;
			return 1;
		}
		return 0;
	}
}

size_t
ls_input_join(LsInput *in, int back, const char **rec)
{
	if (back < 0 || back >= in->nhist)
		return 0;
	*rec = in->buf + in->hist[back];
	return in->cur_end - in->hist[back];
}

void
ls_input_close(LsInput *in, LsInputStats *stats)
{
	if (stats)
	{
		stats->bytes += in->stats.bytes;
		stats->records += in->stats.records;
		stats->cut += in->stats.cut;
	}
	gzclose(in->gz);
	free(in->buf);
	free(in);
}
