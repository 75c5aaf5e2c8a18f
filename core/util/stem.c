#include "core/util/stem.h"

#include <string.h>

static int ends(const char *w, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n >= k && memcmp(w + n - k, suffix, k) == 0;
}

static int is_vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

size_t stem_word(char *w, size_t n)
{
	if (n > 4 && ends(w, n, "ies")) {
		w[n - 3] = 'y';
		n -= 2;
	} else if (n > 4 && ends(w, n, "sses")) {
		n -= 2;
	} else if (n > 3 && w[n - 1] == 's' && w[n - 2] != 's' && w[n - 2] != 'u' && w[n - 2] != 'i') {
		n -= 1;
	}
	size_t before = n;
	if (n > 5 && ends(w, n, "ing"))
		n -= 3;
	else if (n > 4 && ends(w, n, "ed"))
		n -= 2;
	else if (n > 4 && ends(w, n, "ly"))
		n -= 2;
	if (n < before && n > 3 && w[n - 1] == w[n - 2] && !is_vowel(w[n - 1]) && w[n - 1] != 'l' &&
	    w[n - 1] != 's' && w[n - 1] != 'z')
		n -= 1;
	if (n > 4 && w[n - 1] == 'e')
		n -= 1;
	return n;
}
