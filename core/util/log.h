/* log: one-line diagnostics to stderr, the only way ragdeck reports one.
 *
 * Messages are for people: name the file, the value and what to do. Never
 * pass a secret (API key, Authorization header) to these functions. The
 * text is passed through utf8_sanitize, so untrusted parts (file names,
 * server messages) can be given as they are. */
#ifndef RAGDECK_LOG_H
#define RAGDECK_LOG_H

/* Print "ragdeck: error: <msg>" to stderr. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "ragdeck: warning: <msg>" to stderr. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "ragdeck: <msg>" to stderr unless quiet mode is on. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Silence log_info (errors and warnings still print). */
void log_set_quiet(int quiet);

#endif
