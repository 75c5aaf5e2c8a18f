/* clock: monotonic and wall time helpers. */
#ifndef RAGDECK_CLOCK_H
#define RAGDECK_CLOCK_H

#include <stdint.h>

/* Monotonic time in nanoseconds (CLOCK_MONOTONIC). */
uint64_t clock_now_ns(void);
/* Monotonic time in microseconds. */
uint64_t clock_now_us(void);
/* Wall-clock Unix time in seconds. */
int64_t clock_unix_now(void);
/* Format Unix time t as UTC "YYYY-MM-DDTHH:MM:SSZ" into buf (>= 21 bytes). */
void clock_format_utc(int64_t t, char *buf, unsigned long size);

#endif
