/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

#include <errno.h>
#include <string.h>

#include "vfio_user_json.h"

struct json_scan {
	const char *p;
	const char *end;
	vfio_user_json_cb cb;
	void *arg;
	struct vfio_user_json_path path;
	/* decoded member names, one per level */
	char keys[VFIO_USER_JSON_MAX_DEPTH][VFIO_USER_JSON_KEY_MAX + 1];
};

static void
skip_ws(struct json_scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
			*s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int
match_word(struct json_scan *s, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n) != 0)
		return -EINVAL;
	s->p += n;
	return 0;
}

static int
hex4(const char *h, unsigned int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		char c = h[i];

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

/* Append one decoded byte to a bounded name; overflow marks it long. */
static void
put(char *out, size_t *n, bool *too_long, char c)
{
	if (out == NULL)
		return;
	if (*n < VFIO_USER_JSON_KEY_MAX)
		out[(*n)++] = c;
	else
		*too_long = true;
}

/*
 * Scan a string at s->p (a '"'). With out, its decoded form (UTF-8) is
 * kept when it has at most VFIO_USER_JSON_KEY_MAX bytes; *too_long
 * otherwise.
 */
static int
scan_string(struct json_scan *s, char *out, bool *too_long)
{
	const char *c = s->p + 1;
	size_t n = 0;

	if (s->p >= s->end || *s->p != '"')
		return -EINVAL;
	while (c < s->end && *c != '"') {
		unsigned char b = (unsigned char)*c;
		unsigned int cp;

		if (b < 0x20)
			return -EINVAL;
		if (b != '\\') {
			put(out, &n, too_long, (char)b);
			c++;
			continue;
		}
		if (s->end - c < 2)
			return -EINVAL;
		c++;
		switch (*c) {
		case '"':
			put(out, &n, too_long, '"');
			break;
		case '\\':
			put(out, &n, too_long, '\\');
			break;
		case '/':
			put(out, &n, too_long, '/');
			break;
		case 'b':
			put(out, &n, too_long, '\b');
			break;
		case 'f':
			put(out, &n, too_long, '\f');
			break;
		case 'n':
			put(out, &n, too_long, '\n');
			break;
		case 'r':
			put(out, &n, too_long, '\r');
			break;
		case 't':
			put(out, &n, too_long, '\t');
			break;
		case 'u':
			if (s->end - c < 5 || hex4(c + 1, &cp) < 0 || cp == 0)
				return -EINVAL;
			c += 4;
			if (cp < 0x80) {
				put(out, &n, too_long, (char)cp);
			} else if (cp < 0x800) {
				put(out, &n, too_long, (char)(0xc0 | (cp >> 6)));
				put(out, &n, too_long,
					(char)(0x80 | (cp & 0x3f)));
			} else {
				put(out, &n, too_long, (char)(0xe0 | (cp >> 12)));
				put(out, &n, too_long,
					(char)(0x80 | ((cp >> 6) & 0x3f)));
				put(out, &n, too_long,
					(char)(0x80 | (cp & 0x3f)));
			}
			break;
		default:
			return -EINVAL;
		}
		c++;
	}
	if (c >= s->end)
		return -EINVAL;
	if (out != NULL)
		out[n] = '\0';
	s->p = c + 1;
	return 0;
}

static int
scan_number(struct json_scan *s, struct vfio_user_json_val *v)
{
	const char *c = s->p;
	bool neg = false, integer = true, overflow = false;
	uint64_t val = 0;

	if (c < s->end && *c == '-') {
		neg = true;
		c++;
	}
	if (c >= s->end || *c < '0' || *c > '9')
		return -EINVAL;
	if (*c == '0') {
		c++;
	} else {
		while (c < s->end && *c >= '0' && *c <= '9') {
			unsigned int d = *c - '0';

			if (val > (UINT64_MAX - d) / 10)
				overflow = true;
			else
				val = val * 10 + d;
			c++;
		}
	}
	if (c < s->end && *c == '.') {
		integer = false;
		c++;
		if (c >= s->end || *c < '0' || *c > '9')
			return -EINVAL;
		while (c < s->end && *c >= '0' && *c <= '9')
			c++;
	}
	if (c < s->end && (*c == 'e' || *c == 'E')) {
		integer = false;
		c++;
		if (c < s->end && (*c == '+' || *c == '-'))
			c++;
		if (c >= s->end || *c < '0' || *c > '9')
			return -EINVAL;
		while (c < s->end && *c >= '0' && *c <= '9')
			c++;
	}
	v->type = VFIO_USER_JSON_NUMBER;
	v->is_uint = integer && !overflow && (!neg || val == 0);
	v->uint = v->is_uint ? val : 0;
	s->p = c;
	return 0;
}

static int scan_value(struct json_scan *s);

/* Members of an object or elements of an array, s->p at '{' or '['. */
static int
scan_members(struct json_scan *s, bool object)
{
	uint32_t level = s->path.depth;
	char close = object ? '}' : ']';
	int r;

	s->p++;
	skip_ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		return 0;
	}
	for (;;) {
		s->path.key[level] = NULL;
		if (object) {
			bool too_long = false;

			skip_ws(s);
			r = scan_string(s, s->keys[level], &too_long);
			if (r < 0)
				return r;
			if (!too_long)
				s->path.key[level] = s->keys[level];
			skip_ws(s);
			if (s->p >= s->end || *s->p != ':')
				return -EINVAL;
			s->p++;
		}
		s->path.depth = level + 1;
		r = scan_value(s);
		s->path.depth = level;
		if (r < 0)
			return r;
		skip_ws(s);
		if (s->p >= s->end)
			return -EINVAL;
		if (*s->p == close) {
			s->p++;
			return 0;
		}
		if (*s->p != ',')
			return -EINVAL;
		s->p++;
	}
}

static int
scan_value(struct json_scan *s)
{
	struct vfio_user_json_val v;
	int r;

	memset(&v, 0, sizeof(v));
	skip_ws(s);
	if (s->p >= s->end)
		return -EINVAL;
	switch (*s->p) {
	case '{':
	case '[':
		/* depth counts the containers around the next value */
		if (s->path.depth >= VFIO_USER_JSON_MAX_DEPTH)
			return -EINVAL;
		v.type = *s->p == '{' ? VFIO_USER_JSON_OBJECT :
			VFIO_USER_JSON_ARRAY;
		r = s->cb(s->arg, &s->path, &v);
		if (r < 0)
			return r;
		return scan_members(s, v.type == VFIO_USER_JSON_OBJECT);
	case '"':
		v.type = VFIO_USER_JSON_STRING;
		r = scan_string(s, NULL, NULL);
		break;
	case 't':
		v.type = VFIO_USER_JSON_BOOL;
		v.boolean = true;
		r = match_word(s, "true");
		break;
	case 'f':
		v.type = VFIO_USER_JSON_BOOL;
		r = match_word(s, "false");
		break;
	case 'n':
		v.type = VFIO_USER_JSON_NULL;
		r = match_word(s, "null");
		break;
	default:
		r = scan_number(s, &v);
		break;
	}
	if (r < 0)
		return r;
	return s->cb(s->arg, &s->path, &v);
}

int
vfio_user_json_scan(const char *text, size_t len, vfio_user_json_cb cb,
		void *arg)
{
	struct json_scan s;
	int r;

	if (memchr(text, '\0', len) != NULL)
		return -EINVAL;
	memset(&s.path, 0, sizeof(s.path));
	s.p = text;
	s.end = text + len;
	s.cb = cb;
	s.arg = arg;
	r = scan_value(&s);
	if (r < 0)
		return r;
	skip_ws(&s);
	return s.p == s.end ? 0 : -EINVAL;	/* trailing garbage */
}
