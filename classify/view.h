/*-------------------------------------------------------------------------
 *
 * view.h
 *	  What every rule of the classifier reads and writes with: a view of
 *	  the known stream bytes, and bounded, escaped output strings.
 *
 * The input is what is known of the start of a client's byte stream: all of
 * it (offset 0, from probe_detect_classify), or everything after the first
 * four bytes, which PostgreSQL consumed as a length word (offset 4).  Every
 * rule reads stream bytes through pd_at(), which answers -1 for a byte that
 * is unknown, so one rule serves both cases and simply fails when the bytes
 * it needs are gone.
 *
 * The byte accessors are inline: every rule calls them, most often to be
 * told no.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_CLASSIFY_VIEW_H
#define PD_CLASSIFY_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pd_classify.h"

#define Min_(a, b) ((a) < (b) ? (a) : (b))
#define lengthof_(a) (sizeof(a) / sizeof((a)[0]))

/* Work caps: nothing looks further than this into the payload. */
#define PD_SCAN_MAX		2048
#define PD_LINES_MAX	32

typedef struct PdView
{
	const uint8_t *b;
	size_t		len;
	size_t		off;			/* stream offset of b[0] */

	/*
	 * The first line of text, as pd_line() finds it at off: looked for once
	 * per call, not by each of the many rules that want it.
	 */
	bool		line;			/* a complete printable line starts at off */
	size_t		line_n;			/* its length without the line end */
	size_t		line_next;		/* stream offset of the line after it */
} PdView;

/* Stream byte i, or -1 if it is not known. */
static inline int
pd_at(const PdView *v, size_t i)
{
	if (i < v->off || i - v->off >= v->len)
		return -1;
	return v->b[i - v->off];
}

/* Stream offset just past the last known byte. */
static inline size_t
pd_end(const PdView *v)
{
	return v->off + v->len;
}

/* Are stream bytes [i, i + n) known and equal to s? */
static inline bool
pd_is(const PdView *v, size_t i, const char *s, size_t n)
{
	if (i < v->off || i + n > pd_end(v))
		return false;
	return memcmp(v->b + (i - v->off), s, n) == 0;
}

#define PD_IS(v, i, lit) pd_is((v), (i), (lit), sizeof(lit) - 1)

static inline long
pd_be16(const PdView *v, size_t i)
{
	int			a = pd_at(v, i),
				b = pd_at(v, i + 1);

	return (a < 0 || b < 0) ? -1 : (a << 8) | b;
}

static inline long
pd_le16(const PdView *v, size_t i)
{
	int			a = pd_at(v, i),
				b = pd_at(v, i + 1);

	return (a < 0 || b < 0) ? -1 : (b << 8) | a;
}

static inline long long
pd_be32(const PdView *v, size_t i)
{
	long		hi = pd_be16(v, i),
				lo = pd_be16(v, i + 2);

	return (hi < 0 || lo < 0) ? -1 : ((long long) hi << 16) | lo;
}

static inline long long
pd_le32(const PdView *v, size_t i)
{
	long		lo = pd_le16(v, i),
				hi = pd_le16(v, i + 2);

	return (hi < 0 || lo < 0) ? -1 : ((long long) hi << 16) | lo;
}

/* Byte c, or string s, in stream [from, from + max): offset or -1. */
extern long pd_find(const PdView *v, size_t from, int c, size_t max);
extern long pd_find_str(const PdView *v, size_t from, const char *s,
						size_t max);

/*
 * The text line that starts at stream offset i: sets *n to its length
 * without the line end and *next to the start of the next line.  False if
 * there is no complete line of printable text there.
 */
extern bool pd_line(const PdView *v, size_t i, size_t *n, size_t *next);
extern void pd_view_init(PdView *v, const uint8_t *b, size_t len, size_t off);
extern bool pd_ends_with(const PdView *v, size_t i, size_t n,
						 const char *suffix);

/* Case-insensitive "Name:" at the start of a header line; value offset. */
extern bool pd_header(const PdView *v, size_t i, size_t n, const char *name,
					  size_t *val);

/*
 * An output string being built in a fixed buffer: everything appended is
 * escaped as pd_escape_bytes() does, and what does not fit is dropped.
 */
typedef struct PdStr
{
	char	   *buf;
	size_t		cap;
	size_t		len;
} PdStr;

extern void pd_str_init(PdStr *s, char *buf, size_t cap);
extern void pd_str_addn(PdStr *s, const uint8_t *p, size_t n);
extern void pd_str_addn_token(PdStr *s, const uint8_t *p, size_t n);
extern void pd_str_add(PdStr *s, const char *txt);

/* Append stream bytes [i, i + n), clipped to what is known. */
extern void pd_str_addv(PdStr *s, const PdView *v, size_t i, size_t n);

#if defined(__GNUC__)
extern void pd_str_addf(PdStr *s, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));
#else
extern void pd_str_addf(PdStr *s, const char *fmt,...);
#endif

/* Replace a field with src, escaped. */
extern void pd_set(char *dst, size_t cap, const char *src);

#define PD_SET(field, src) pd_set((field), sizeof(field), (src))

/* A rule's answer when its detail is a fixed text: true, to be returned. */
extern bool pd_found(PdClass *c, const char *protocol, const char *detail);

#endif							/* PD_CLASSIFY_VIEW_H */
