/*
 * Exit codes of every ulogin program.  They are an interface: scripts test
 * them, so once shipped a code never changes meaning.  The values are the
 * BSD sysexits(3) ones, plus 1 for "partly done".
 */
#ifndef ULOGIN_EXITCODES_H
#define ULOGIN_EXITCODES_H

enum ulogin_exit {
	ULOGIN_EX_OK = 0,		/* everything done */
	ULOGIN_EX_PARTIAL = 1,		/* some items failed, all reported */
	ULOGIN_EX_USAGE = 64,		/* bad command line */
	ULOGIN_EX_DATAERR = 65,		/* bad input data */
	ULOGIN_EX_NOINPUT = 66,		/* input file missing or unreadable */
	ULOGIN_EX_NOUSER = 67,		/* no such user, class, policy or source */
	ULOGIN_EX_UNAVAILABLE = 69,	/* directory server unavailable */
	ULOGIN_EX_SOFTWARE = 70,	/* internal error */
	ULOGIN_EX_CANTCREAT = 73,	/* cannot write output */
	ULOGIN_EX_TEMPFAIL = 75,	/* temporary: lock held, server busy */
	ULOGIN_EX_NOPERM = 77,		/* bad credentials, insufficient access */
	ULOGIN_EX_CONFIG = 78,		/* configuration error */
};

#endif
