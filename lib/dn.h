/*
 * Directory naming: every DN and search filter ulogin builds goes through
 * here, so user input is always escaped by libldap and never read as
 * filter or DN syntax.
 */
#ifndef ULOGIN_DN_H
#define ULOGIN_DN_H

/*
 * Build a search filter.  Each %s is replaced by its argument escaped with
 * ldap_bv2escaped_filter_value(); %r inserts an argument verbatim (only for
 * sub-filters that were themselves built by this function); %% is a
 * percent sign.  Nothing else is accepted.
 */
char *ulogin_filter(const char *fmt, ...);

/* "attr=value,parent" with value escaped as an RDN value; NULL if parent
 * is not a valid DN. */
char *ulogin_dn_child(const char *parent, const char *attr, const char *value);

/* The value of the first RDN of dn if its type is attr, else NULL. */
char *ulogin_dn_first_value(const char *dn, const char *attr);

/* "attr=value" with value escaped as an RDN value. */
char *ulogin_rdn(const char *attr, const char *value);

/* The DN of the entry above dn; NULL for a one-RDN or bad DN. */
char *ulogin_dn_parent(const char *dn);

/* An operator or person named by DN, as people say it: the username of
 * a uid=... DN, else the DN itself. */
char *ulogin_dn_who(const char *dn);

/* Compare two DNs after normalising them; 1 when equal. */
int ulogin_dn_equal(const char *a, const char *b);

/* The well-known containers of DESIGN.md section 4, under base. */
char *ulogin_dn_people(const char *base);
char *ulogin_dn_classes(const char *base);
char *ulogin_dn_institutions(const char *base);
char *ulogin_dn_policies(const char *base);
char *ulogin_dn_imports(const char *base);

#endif
