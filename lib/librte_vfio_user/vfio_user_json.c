/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vfio_user_json.h"

#define JSON_MAX_DEPTH 16

struct json_parser {
	const char *p;
	const char *end;
	int depth;
};

static void
skip_ws(struct json_parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
			*ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static int
match_word(struct json_parser *ps, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, w, n) != 0)
		return -EINVAL;
	ps->p += n;
	return 0;
}

static int
hex4(const char *s, unsigned int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		char c = s[i];

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			*v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			*v |= c - 'A' + 10;
		else
			return -EINVAL;
	}
	return 0;
}

/* Parse a string at ps->p (a '"'); the result is NUL-free UTF-8. */
static int
parse_string(struct json_parser *ps, char **out)
{
	const char *s = ps->p + 1;
	char *buf, *o;
	size_t max;

	if (ps->p >= ps->end || *ps->p != '"')
		return -EINVAL;
	/* decoded output is never longer than the input */
	max = ps->end - s;
	buf = malloc(max + 1);
	if (buf == NULL)
		return -ENOMEM;
	o = buf;
	while (s < ps->end && *s != '"') {
		unsigned char c = (unsigned char)*s;
		unsigned int cp;

		if (c < 0x20)
			goto bad;
		if (c != '\\') {
			*o++ = (char)c;
			s++;
			continue;
		}
		if (ps->end - s < 2)
			goto bad;
		s++;
		switch (*s) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (ps->end - s < 5 || hex4(s + 1, &cp) < 0 || cp == 0)
				goto bad;
			s += 4;
			/* encode as UTF-8 (surrogates kept as is: keys only) */
			if (cp < 0x80) {
				*o++ = (char)cp;
			} else if (cp < 0x800) {
				*o++ = (char)(0xc0 | (cp >> 6));
				*o++ = (char)(0x80 | (cp & 0x3f));
			} else {
				*o++ = (char)(0xe0 | (cp >> 12));
				*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
				*o++ = (char)(0x80 | (cp & 0x3f));
			}
			break;
		default:
			goto bad;
		}
		s++;
	}
	if (s >= ps->end)
		goto bad;
	*o = '\0';
	ps->p = s + 1;
	*out = buf;
	return 0;
bad:
	free(buf);
	return -EINVAL;
}

static int
parse_number(struct json_parser *ps, struct vfio_user_json *v)
{
	const char *s = ps->p;
	bool neg = false, integer = true, overflow = false;
	uint64_t val = 0;

	if (s < ps->end && *s == '-') {
		neg = true;
		s++;
	}
	if (s >= ps->end || *s < '0' || *s > '9')
		return -EINVAL;
	if (*s == '0') {
		s++;
	} else {
		while (s < ps->end && *s >= '0' && *s <= '9') {
			unsigned int d = *s - '0';

			if (val > (UINT64_MAX - d) / 10)
				overflow = true;
			else
				val = val * 10 + d;
			s++;
		}
	}
	if (s < ps->end && *s == '.') {
		integer = false;
		s++;
		if (s >= ps->end || *s < '0' || *s > '9')
			return -EINVAL;
		while (s < ps->end && *s >= '0' && *s <= '9')
			s++;
	}
	if (s < ps->end && (*s == 'e' || *s == 'E')) {
		integer = false;
		s++;
		if (s < ps->end && (*s == '+' || *s == '-'))
			s++;
		if (s >= ps->end || *s < '0' || *s > '9')
			return -EINVAL;
		while (s < ps->end && *s >= '0' && *s <= '9')
			s++;
	}
	v->type = VFIO_USER_JSON_NUMBER;
	v->is_uint = integer && !overflow && (!neg || val == 0);
	v->uint = v->is_uint ? val : 0;
	ps->p = s;
	return 0;
}

static int parse_value(struct json_parser *ps, struct vfio_user_json *v);

static int
parse_members(struct json_parser *ps, struct vfio_user_json *v, bool object)
{
	struct vfio_user_json **tail = &v->child;
	char close = object ? '}' : ']';
	int r;

	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return 0;
	}
	for (;;) {
		struct vfio_user_json *m, *it;

		m = calloc(1, sizeof(*m));
		if (m == NULL)
			return -ENOMEM;
		*tail = m;
		tail = &m->next;
		if (object) {
			skip_ws(ps);
			r = parse_string(ps, &m->key);
			if (r < 0)
				return r;
			for (it = v->child; it != m; it = it->next)
				if (strcmp(it->key, m->key) == 0)
					return -EINVAL;	/* duplicate key */
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':')
				return -EINVAL;
			ps->p++;
		}
		r = parse_value(ps, m);
		if (r < 0)
			return r;
		skip_ws(ps);
		if (ps->p >= ps->end)
			return -EINVAL;
		if (*ps->p == close) {
			ps->p++;
			return 0;
		}
		if (*ps->p != ',')
			return -EINVAL;
		ps->p++;
	}
}

static int
parse_value(struct json_parser *ps, struct vfio_user_json *v)
{
	int r;

	skip_ws(ps);
	if (ps->p >= ps->end)
		return -EINVAL;
	switch (*ps->p) {
	case '{':
	case '[':
		if (++ps->depth > JSON_MAX_DEPTH)
			return -EINVAL;
		v->type = *ps->p == '{' ? VFIO_USER_JSON_OBJECT :
			VFIO_USER_JSON_ARRAY;
		r = parse_members(ps, v, *ps->p == '{');
		ps->depth--;
		return r;
	case '"':
		v->type = VFIO_USER_JSON_STRING;
		return parse_string(ps, &v->str);
	case 't':
		v->type = VFIO_USER_JSON_BOOL;
		v->boolean = true;
		return match_word(ps, "true");
	case 'f':
		v->type = VFIO_USER_JSON_BOOL;
		return match_word(ps, "false");
	case 'n':
		v->type = VFIO_USER_JSON_NULL;
		return match_word(ps, "null");
	default:
		return parse_number(ps, v);
	}
}

void
vfio_user_json_free(struct vfio_user_json *v)
{
	while (v != NULL) {
		struct vfio_user_json *next = v->next;

		vfio_user_json_free(v->child);
		free(v->key);
		free(v->str);
		free(v);
		v = next;
	}
}

int
vfio_user_json_parse(const char *text, size_t len, struct vfio_user_json **root)
{
	struct json_parser ps = { .p = text, .end = text + len, .depth = 0 };
	struct vfio_user_json *v;
	int r;

	*root = NULL;
	if (memchr(text, '\0', len) != NULL)
		return -EINVAL;
	v = calloc(1, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	r = parse_value(&ps, v);
	if (r == 0) {
		skip_ws(&ps);
		if (ps.p != ps.end)
			r = -EINVAL;	/* trailing garbage */
	}
	if (r < 0) {
		vfio_user_json_free(v);
		return r;
	}
	*root = v;
	return 0;
}

const struct vfio_user_json *
vfio_user_json_get(const struct vfio_user_json *o, const char *key)
{
	const struct vfio_user_json *m;

	if (o == NULL || o->type != VFIO_USER_JSON_OBJECT)
		return NULL;
	for (m = o->child; m != NULL; m = m->next)
		if (strcmp(m->key, key) == 0)
			return m;
	return NULL;
}
