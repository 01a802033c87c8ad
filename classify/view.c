/*-------------------------------------------------------------------------
 *
 * view.c
 *	  Searches, text lines and the output string builder shared by the
 *	  classifier's rules.
 *
 * Every loop is bounded by the input length and a small constant; nothing
 * allocates.
 *
 *-------------------------------------------------------------------------
 */
#include "classify/view.h"

#include <stdarg.h>
#include <stdio.h>

#include "pd_text.h"

long
pd_find(const PdView *v, size_t from, int c, size_t max)
{
	size_t		i;
	size_t		end = pd_end(v);

	if (from < v->off)
		return -1;
	if (end > from + max)
		end = from + max;
	for (i = from; i < end; i++)
		if (v->b[i - v->off] == c)
			return (long) i;
	return -1;
}

long
pd_find_str(const PdView *v, size_t from, const char *s, size_t max)
{
	size_t		n = strlen(s);
	size_t		i;
	size_t		end = pd_end(v);

	if (from < v->off || n == 0)
		return -1;
	if (end > from + max)
		end = from + max;
	for (i = from; i + n <= end; i++)
		if (memcmp(v->b + (i - v->off), s, n) == 0)
			return (long) i;
	return -1;
}

/* ----- lines of text ---------------------------------------------------- */

bool
pd_line(const PdView *v, size_t i, size_t *n, size_t *next)
{
	long		nl = pd_find(v, i, '\n', PD_SCAN_MAX);
	size_t		k;
	size_t		e;

	if (nl < 0)
		return false;
	e = (size_t) nl;
	if (e > i && pd_at(v, e - 1) == '\r')
		e--;
	for (k = i; k < e; k++)
	{
		int			c = pd_at(v, k);

		if (c < 0x20 && c != '\t')
			return false;
		if (c >= 0x7f)
			return false;
	}
	*n = e - i;
	*next = (size_t) nl + 1;
	return true;
}

void
pd_view_init(PdView *v, const uint8_t *b, size_t len, size_t off)
{
	v->b = b;
	v->len = len;
	v->off = off;
	v->line_n = v->line_next = 0;
	v->line = pd_line(v, off, &v->line_n, &v->line_next);
}

bool
pd_ends_with(const PdView *v, size_t i, size_t n, const char *suffix)
{
	size_t		sn = strlen(suffix);

	return n >= sn && pd_is(v, i + n - sn, suffix, sn);
}

bool
pd_header(const PdView *v, size_t i, size_t n, const char *name, size_t *val)
{
	size_t		k;
	size_t		nn = strlen(name);

	if (n <= nn || pd_at(v, i + nn) != ':')
		return false;
	for (k = 0; k < nn; k++)
	{
		int			c = pd_at(v, i + k);

		if (c < 0 || (c | 0x20) != (name[k] | 0x20))
			return false;
	}
	k = i + nn + 1;
	while (k < i + n && pd_at(v, k) == ' ')
		k++;
	*val = k;
	return true;
}

/* ----- bounded output strings ------------------------------------------ */

void
pd_str_init(PdStr *s, char *buf, size_t cap)
{
	s->buf = buf;
	s->cap = cap;
	s->len = strlen(buf);
}

/*
 * Escaped like raw_ascii, by the one escaper: it stops before an escape that
 * would not fit and always leaves a NUL, so len stays below cap.
 */
void
pd_str_addn(PdStr *s, const uint8_t *p, size_t n)
{
	pd_escape_bytes(p, n, s->buf + s->len, s->cap - s->len);
	s->len += strlen(s->buf + s->len);
}

/* One word, spaces escaped too (pd_escape_token). */
void
pd_str_addn_token(PdStr *s, const uint8_t *p, size_t n)
{
	pd_escape_token(p, n, s->buf + s->len, s->cap - s->len);
	s->len += strlen(s->buf + s->len);
}

void
pd_str_add(PdStr *s, const char *txt)
{
	pd_str_addn(s, (const uint8_t *) txt, strlen(txt));
}

void
pd_str_addv(PdStr *s, const PdView *v, size_t i, size_t n)
{
	if (i < v->off || i >= pd_end(v))
		return;
	if (i + n > pd_end(v))
		n = pd_end(v) - i;
	pd_str_addn(s, v->b + (i - v->off), n);
}

void
pd_str_addf(PdStr *s, const char *fmt,...)
{
	char		tmp[128];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	pd_str_add(s, tmp);
}

void
pd_set(char *dst, size_t cap, const char *src)
{
	PdStr		s;

	dst[0] = '\0';
	pd_str_init(&s, dst, cap);
	pd_str_add(&s, src);
}

bool
pd_found(PdClass *c, const char *protocol, const char *detail)
{
	PD_SET(c->protocol, protocol);
	PD_SET(c->detail, detail);
	return true;
}
