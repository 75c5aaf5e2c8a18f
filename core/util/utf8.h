/* utf8: strict decoding, repair, display width and the terminal sanitizer.
 *
 * Nothing here depends on the process locale. utf8_sanitize is the one place
 * untrusted text (documents, model output, server errors) is made safe before
 * it reaches the terminal. */
#ifndef RAGDECK_UTF8_H
#define RAGDECK_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The replacement character U+FFFD in UTF-8. */
#define UTF8_REPLACEMENT "\xEF\xBF\xBD"

/* Decode one code point at s (len bytes available). Returns the bytes
 * consumed (1..4) and sets *cp; returns 0 on an invalid or truncated sequence
 * or when len is 0 (strict: no overlongs, no surrogates, max U+10FFFF). */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Encode cp into out (at least 4 bytes); returns the bytes written. A
 * surrogate or a value over U+10FFFF is written as U+FFFD. */
size_t utf8_encode(uint32_t cp, char *out);

/* True when s[0..len) is valid UTF-8. */
bool utf8_valid(const char *s, size_t len);

/* Copy of s[0..len) with every invalid sequence replaced by U+FFFD, one per
 * maximal subpart (the Unicode / WHATWG rule); *n_invalid (may be NULL)
 * counts the replacements. The copy is NUL-terminated and *out_len (may be
 * NULL) excludes the NUL. Never NULL; caller frees. */
char *utf8_repair(const char *s, size_t len, size_t *out_len, size_t *n_invalid);

/* Largest index <= pos (pos is clamped to len) that does not fall inside a
 * multi-byte sequence; s is assumed valid. */
size_t utf8_floor_boundary(const char *s, size_t len, size_t pos);

/* Terminal columns of cp on its own: 0 for combining marks and other
 * zero-width characters, 2 for East Asian wide and emoji, 1 otherwise, -1
 * for controls (C0, DEL, C1). From libutf8proc's tables, except where the C
 * library's wcwidth (what curses and most terminals lay out by) differs:
 * spacing vowel signs (Mc) and prepended concatenation marks take 1, Hangul
 * medial vowel and final consonant jamo 0. */
int utf8_cp_width(uint32_t cp);

/* Width of s[0..len) counted code point by code point (what
 * reStructuredText measures an underline against): controls count 0, an
 * invalid sequence 1. The columns the screen gives text are
 * grapheme_width's (core/util/grapheme.h). */
size_t utf8_display_width(const char *s, size_t len);

/* Make untrusted bytes safe to draw on a terminal. Removed: ESC with its
 * whole sequence (CSI up to the final byte; OSC, DCS, SOS, PM, APC up to BEL,
 * ST, CAN, SUB or the end of input; ESC plus intermediates plus final), C0
 * controls other than tab and newline, DEL, C1 controls U+0080..U+009F (as
 * code points or raw bytes; 8-bit CSI/OSC/DCS start a sequence like their ESC
 * forms), bidirectional controls (U+061C, U+200E, U+200F, U+202A..U+202E,
 * U+2066..U+2069) and invalid UTF-8. Each maximal run of removed material is
 * replaced by one U+FFFD, so "a\x1b[31mb" gives "a\xEF\xBF\xBDb". Carriage
 * returns and form feeds (a paged document's page breaks) are dropped
 * without a placeholder. s may contain NUL bytes. The
 * result is valid UTF-8, NUL-terminated, *out_len (may be NULL) excludes the
 * NUL, and sanitizing it again changes nothing. Never NULL; caller frees. */
char *utf8_sanitize(const char *s, size_t len, size_t *out_len);

/* utf8_sanitize, telling where a longer text may resume: *stable_in is the
 * end of the last kept character of s[0..len) (no byte after it can change
 * what comes before) and *stable_out the length of the result up to there,
 * so that for any text t that starts with s[0..len), utf8_sanitize(t) is
 * the result's first *stable_out bytes followed by utf8_sanitize of t from
 * *stable_in on. Text streamed in is then sanitized once, not once per
 * piece that arrives. */
char *utf8_sanitize_resumable(const char *s, size_t len, size_t *out_len, size_t *stable_in,
                              size_t *stable_out);

/* A growing text kept sanitized: buf is utf8_sanitize of the text so far
 * (NUL-terminated, len bytes). Zero-initialise; free buf when done. */
struct utf8_clean {
	char *buf;
	size_t len;
	size_t of;                      /* the text's length buf was made from */
	size_t stable_in, stable_out;   /* where the next update resumes */
};

/* Bring c up to s[0..len), which extends the text c was last brought up
 * to: only what follows its last whole character is sanitized again, and
 * nothing when len is what it was. */
void utf8_clean_update(struct utf8_clean *c, const char *s, size_t len);

/* Copy of the printed JSON text json with the code points a terminal may act
 * on or reorder by (C1 controls, the bidirectional controls above, U+2028
 * and U+2029) written as \uXXXX escapes, so machine output printed to a
 * terminal is as inert as sanitized text yet decodes to the exact strings.
 * ASCII controls are already escaped by any JSON printer. Only valid inside
 * JSON text: such code points can only occur in strings. Caller frees. */
char *utf8_json_escape_invisible(const char *json);

#endif
