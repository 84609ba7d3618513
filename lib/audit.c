#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

#include "audit.h"
#include "exitcodes.h"
#include "gtime.h"
#include "inert.h"
#include "mem.h"
#include "msg.h"
#include "outfile.h"
#include "banned.h"

struct ulogin_audit {
	int fd;			/* -1 when no file is configured */
	char *path;
	int use_syslog;
};

int
ulogin_audit_open(const struct ulogin_config *cfg, struct ulogin_audit **out)
{
	struct ulogin_audit *a = xcalloc(1, sizeof(*a));

	a->fd = -1;
	a->use_syslog = cfg->syslog == ULOGIN_YES;
	if (!cfg->audit_log && !a->use_syslog) {
		free(a);
		ulogin_error("no audit trail: 'audit_log' is not set and "
			     "'syslog' is false");
		ulogin_hint("every change must be recorded; set audit_log in "
			    "the config (or ULOGIN_AUDIT_LOG), or syslog: true");
		return ULOGIN_EX_CONFIG;
	}
	if (cfg->audit_log) {
		a->fd = ulogin_outfile_open(cfg->audit_log, ULOGIN_OUT_APPEND,
					    "audit log");
		if (a->fd < 0) {
			ulogin_hint("no change was made; fix the path or "
				    "permissions of 'audit_log' in the config");
			free(a);
			return ULOGIN_EX_CANTCREAT;
		}
		a->path = xstrdup(cfg->audit_log);
	}
	if (a->use_syslog)
		openlog(ulogin_program(), LOG_PID, LOG_AUTHPRIV);
	*out = a;
	return 0;
}

void
ulogin_audit_close(struct ulogin_audit *a)
{
	if (!a)
		return;
	if (a->fd >= 0)
		close(a->fd);
	if (a->use_syslog)
		closelog();
	free(a->path);
	free(a);
}

static void
set_string(json_t *o, const char *key, const char *value)
{
	if (value)
		json_object_set_new(o, key, ulogin_json_text(value));
}

int
ulogin_audit_write(struct ulogin_audit *a, const struct ulogin_audit_record *r)
{
	char stamp[32];
	json_t *o = json_object();
	char *line;
	int rc = 0;

	ulogin_time_iso(time(NULL), stamp, sizeof(stamp));
	set_string(o, "time", stamp);
	set_string(o, "operator", r->operator_dn);
	set_string(o, "program", ulogin_program());
	set_string(o, "action", r->action);
	set_string(o, "target", r->target);
	set_string(o, "result", r->result);
	set_string(o, "comment", r->comment);
	/* Inert: the log is read with less and grep, and goes to syslog. */
	line = ulogin_json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!line)
		return -1;
	if (a->fd >= 0) {
		char *nl = xasprintf("%s\n", line);
		size_t len = strlen(nl);

		/* One write of the whole line: O_APPEND keeps lines whole. */
		if (write(a->fd, nl, len) != (ssize_t)len) {
			ulogin_error("cannot write audit log '%s': %s",
				     a->path, strerror(errno));
			rc = -1;
		}
		free(nl);
	}
	if (a->use_syslog)
		syslog(LOG_INFO, "%s", line);
	free(line);
	return rc;
}
