/*
 * ldap.h - the LDAP-over-TCP analyzer (ldap.c), fed by the stream
 * dispatcher on ports 389 and 3268.
 */
#ifndef CL_DETECT_LDAP_H
#define CL_DETECT_LDAP_H

#include <stdbool.h>
#include <stdint.h>

typedef struct cl_ldap cl_ldap;

/* cl_ldap_feed results */
enum { LDAP_MORE = 0, LDAP_CONFIRM, LDAP_VIOLATION };

cl_ldap *cl_ldap_new(void);
void cl_ldap_free(cl_ldap *l);
/* In-order payload of one direction; LDAP_CONFIRM once a whole message
 * parsed, LDAP_VIOLATION when the first one cannot be LDAP. */
int cl_ldap_feed(cl_ldap *l, bool is_orig, const uint8_t *p, uint32_t n);

#endif /* CL_DETECT_LDAP_H */
