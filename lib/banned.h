/*
 * Functions that must not be used in ulogin, in the spirit of git's
 * banned.h.  Include this last, after every system header.
 */
#ifndef ULOGIN_BANNED_H
#define ULOGIN_BANNED_H

#define BANNED(func) sorry_##func##_is_banned_in_ulogin

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) BANNED(strncat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef gets
#define gets(x) BANNED(gets)
#undef localtime
#define localtime(t) BANNED(localtime)
#undef gmtime
#define gmtime(t) BANNED(gmtime)
#undef ctime
#define ctime(t) BANNED(ctime)
#undef asctime
#define asctime(t) BANNED(asctime)
#undef rand
#define rand(...) BANNED(rand)
#undef random
#define random(...) BANNED(random)
#undef getpass
#define getpass(p) BANNED(getpass)

#endif
