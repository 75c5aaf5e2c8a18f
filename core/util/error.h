/* error: one set of error codes for every fallible function, as curl has
 * CURLcode: a function returns RD_OK (0) or the code of what went wrong,
 * and writes the words a person reads into an err buffer of ERR_LEN bytes
 * (or the errlen it was given). Callers branch on the code, never on the
 * text. Codes are positive, so "rc != 0" still means "failed". */
#ifndef RAGDECK_ERROR_H
#define RAGDECK_ERROR_H

/* Room for any message: a path, the library's words and the advice. */
#define ERR_LEN 1024

enum rd_err {
	RD_OK = 0,
	RD_ERR_NOT_FOUND,   /* a file, document, collection or key that is not there */
	RD_ERR_AMBIGUOUS,   /* a name that matches more than one thing */
	RD_ERR_TOO_BIG,     /* past a size limit */
	RD_ERR_INVALID,     /* input that breaks a rule: a directory for a file, bad syntax */
	RD_ERR_LOCKED,      /* another process holds the database's lock past the busy timeout */
	RD_ERR_CORRUPT,     /* a damaged file, or one that is not ours */
	RD_ERR_READ_ONLY,   /* a file or directory that cannot be written */
	RD_ERR_FULL,        /* the disk is full */
	RD_ERR_VERSION,     /* written by a newer ragdeck */
	RD_ERR_NETWORK,     /* a server that cannot be reached or answers wrongly */
	RD_ERR_CANCELLED,   /* stopped by the user */
	RD_ERR_IO,          /* any other failure of the system or a library */
};

#endif
